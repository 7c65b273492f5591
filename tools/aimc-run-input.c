// SPDX-License-Identifier: MIT
/* aimc-run's input: parse and check every line (aimc-run-input.h). */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "aimc-run-input.h"

struct reader {
	const char *name;
	unsigned long line;
	uint32_t d_input, n_classes;
	char *err;
	size_t err_size;
	float *vals;		/* the values of the line being read */
	size_t n_vals, cap;
};

static int bad(struct reader *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int bad(struct reader *r, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(r->err, r->err_size, "%s:%lu: %s", r->name, r->line, what);
	return -1;
}

static int push_value(struct reader *r, float v)
{
	float *grown;

	if (r->n_vals == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 1024;
		grown = realloc(r->vals, r->cap * sizeof(*grown));
		if (!grown)
			return bad(r, "out of memory");
		r->vals = grown;
	}
	r->vals[r->n_vals++] = v;
	return 0;
}

/* The values of @p into r->vals, each a finite float. */
static int parse_values(struct reader *r, const char *p)
{
	char *end;
	float v;

	r->n_vals = 0;
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == ',' || *p == '\r' || *p == '\n')
			p++;
		if (!*p)
			break;
		errno = 0;
		v = strtof(p, &end);
		if (end == p || (*end && !strchr(" \t,\r\n", *end)))
			return bad(r, "value %zu: not a number: %.20s", r->n_vals + 1, p);
		if (isnan(v))
			return bad(r, "value %zu (step %zu): NaN is not a sample",
				   r->n_vals + 1, r->n_vals / r->d_input + 1);
		if (isinf(v) && errno != ERANGE)
			return bad(r, "value %zu (step %zu): an infinite sample",
				   r->n_vals + 1, r->n_vals / r->d_input + 1);
		if (errno == ERANGE && fabsf(v) > 1.0f)
			return bad(r, "value %zu (step %zu): %.*s is outside the range of a float (+-3.4e38)",
				   r->n_vals + 1, r->n_vals / r->d_input + 1,
				   (int)(end - p), p);
		if (push_value(r, v))
			return -1;
		p = end;
	}
	if (!r->n_vals)
		return bad(r, "no values");
	if (r->n_vals % r->d_input)
		return bad(r, "%zu values: not a whole number of steps of %u (the model's d_input)",
			   r->n_vals, r->d_input);
	return 0;
}

/* LABEL before the colon: a class of the model, or ?. */
static int parse_label(struct reader *r, const char *p, const char *colon,
		       struct run_seq *s)
{
	char text[32];
	size_t len;
	char *end;
	long v;

	while (p < colon && isspace((unsigned char)*p))
		p++;
	while (colon > p && isspace((unsigned char)colon[-1]))
		colon--;
	len = (size_t)(colon - p);
	if (len == 1 && *p == '?')
		return 0;
	if (!len || len >= sizeof(text))
		return bad(r, "label '%.*s': not a class 0..%u or ?", (int)(len > 20 ? 20 : len),
			   p, r->n_classes - 1);
	memcpy(text, p, len);
	text[len] = '\0';
	errno = 0;
	v = strtol(text, &end, 10);
	if (*end || errno || !isdigit((unsigned char)text[0]))
		return bad(r, "label '%s': not a class 0..%u or ?", text, r->n_classes - 1);
	if (v >= (long)r->n_classes)
		return bad(r, "label %ld: the model has %u classes (0..%u)", v,
			   r->n_classes, r->n_classes - 1);
	s->labelled = true;
	s->label = v;
	return 0;
}

static struct run_seq *new_seq(struct reader *r, struct run_input *in,
			       size_t *cap)
{
	struct run_seq *grown;

	if (in->n_seqs == *cap) {
		*cap = *cap ? 2 * *cap : 64;
		grown = realloc(in->seqs, *cap * sizeof(*grown));
		if (!grown) {
			bad(r, "out of memory");
			return NULL;
		}
		in->seqs = grown;
	}
	memset(&in->seqs[in->n_seqs], 0, sizeof(in->seqs[0]));
	in->seqs[in->n_seqs].line = r->line;
	return &in->seqs[in->n_seqs++];
}

/* Append this line's values to @s. */
static int add_steps(struct reader *r, struct run_seq *s)
{
	uint32_t steps = (uint32_t)(r->n_vals / r->d_input);
	float *grown = realloc(s->values, ((size_t)s->n_steps + steps) *
			       r->d_input * sizeof(float));

	if (!grown)
		return bad(r, "out of memory");
	memcpy(grown + (size_t)s->n_steps * r->d_input, r->vals,
	       r->n_vals * sizeof(float));
	s->values = grown;
	s->n_steps += steps;
	return 0;
}

static int read_line(struct reader *r, const char *line, struct run_input *in,
		     size_t *cap)
{
	const char *colon = strchr(line, ':');
	struct run_seq *s, *last = in->n_seqs ? &in->seqs[in->n_seqs - 1] : NULL;
	struct run_seq label = { 0 };

	if (colon && parse_label(r, line, colon, &label))
		return -1;
	if (parse_values(r, colon ? colon + 1 : line))
		return -1;
	if (!colon && last && last->open) {
		s = last;
	} else {
		s = new_seq(r, in, cap);
		if (!s)
			return -1;
		s->open = !colon;
		s->labelled = label.labelled;
		s->label = label.label;
	}
	return add_steps(r, s);
}

int run_input_read(FILE *f, const char *name, uint32_t d_input,
		   uint32_t n_classes, struct run_input *in, char *err,
		   size_t err_size)
{
	struct reader r = { .name = name, .d_input = d_input,
			    .n_classes = n_classes, .err = err,
			    .err_size = err_size };
	char *line = NULL;
	size_t len = 0, cap = 0, i;
	int ret = 0;

	memset(in, 0, sizeof(*in));
	while (!ret && getline(&line, &len, f) >= 0) {
		r.line++;
		if (line[0] == '#' || strspn(line, " \t\r\n") == strlen(line))
			continue;
		ret = read_line(&r, line, in, &cap);
	}
	if (!ret && ferror(f))
		ret = bad(&r, "read error: %s", strerror(errno));
	if (!ret && !in->n_seqs) {
		snprintf(err, err_size, "%s: no sequences (lines 'LABEL: v v v ...' or steps 'v v v ...')",
			 name);
		ret = -1;
	}
	for (i = 0; i < in->n_seqs; i++)
		in->n_steps += in->seqs[i].n_steps;
	free(line);
	free(r.vals);
	if (ret)
		run_input_free(in);
	return ret;
}

void run_input_free(struct run_input *in)
{
	size_t i;

	for (i = 0; i < in->n_seqs; i++)
		free(in->seqs[i].values);
	free(in->seqs);
	memset(in, 0, sizeof(*in));
}
