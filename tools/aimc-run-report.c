// SPDX-License-Identifier: MIT
/* aimc-run's standard output, as text or as one JSON object. */
#include <stdio.h>
#include <stdlib.h>

#include <json-c/json.h>

#include "aimc-run-report.h"

struct report {
	bool json;
	json_object *root;	/* --json only */
	json_object *steps, *sequences;
};

static void add_int(json_object *o, const char *key, int64_t v)
{
	json_object_object_add(o, key, json_object_new_int64(v));
}

static void add_double(json_object *o, const char *key, double v)
{
	json_object_object_add(o, key, json_object_new_double(v));
}

static json_object *float_array(const float *v, uint32_t n)
{
	json_object *a = json_object_new_array();
	uint32_t i;

	for (i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_double(v[i]));
	return a;
}

struct report *report_new(bool json)
{
	struct report *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->json = json;
	if (json) {
		r->root = json_object_new_object();
		r->steps = json_object_new_array();
		r->sequences = json_object_new_array();
	}
	return r;
}

void report_model(struct report *r, const char *path,
		  const struct aimc_device_info *dev, bool noise_free,
		  const struct aimc_net_info *net)
{
	json_object *m, *d;

	if (!r->json) {
		printf("model %s on %s (%s%s): d_input %u, %u layers, %u classes, %u crossbars on %u tiles, %u cells, %u MVMs/step\n",
		       path, dev->node, aimc_backend_name(dev->backend),
		       noise_free ? ", noise-free" : "", net->d_input,
		       net->n_layers, net->n_classes, net->crossbars, net->tiles,
		       net->cells, net->mvms_per_step);
		return;
	}
	m = json_object_new_object();
	json_object_object_add(m, "path", json_object_new_string(path));
	add_int(m, "d_input", net->d_input);
	add_int(m, "d_output", net->d_output);
	add_int(m, "n_layers", net->n_layers);
	add_int(m, "n_classes", net->n_classes);
	add_int(m, "crossbars", net->crossbars);
	add_int(m, "tiles", net->tiles);
	add_int(m, "cells", net->cells);
	add_int(m, "mvms_per_step", net->mvms_per_step);
	json_object_object_add(r->root, "model", m);
	d = json_object_new_object();
	json_object_object_add(d, "node", json_object_new_string(dev->node));
	json_object_object_add(d, "backend",
			       json_object_new_string(aimc_backend_name(dev->backend)));
	json_object_object_add(d, "noise_free", json_object_new_boolean(noise_free));
	json_object_object_add(r->root, "device", d);
}

void report_programming(struct report *r, const struct aimc_program_stats *s,
			uint32_t tolerance_nsiemens, double seconds)
{
	json_object *p;

	if (!r->json) {
		printf("%-28s %u\n", "tiles used", s->tiles_used);
		printf("%-28s %llu\n", "cells used", (unsigned long long)s->cells_used);
		printf("%-28s %u (tiles settled %u, stalled %u, at the cap %u)\n",
		       "rounds (most of any tile)", s->rounds, s->tiles_settled,
		       s->tiles_stalled, s->tiles_at_round_cap);
		printf("%-28s %llu (%.2f per cell)\n", "pulses",
		       (unsigned long long)s->pulses, s->pulses_per_cell);
		printf("%-28s %llu in %.2f s\n", "jobs", (unsigned long long)s->jobs,
		       seconds);
		if (s->tolerance_min_nsiemens == s->tolerance_max_nsiemens)
			printf("%-28s %.3f %% (%llu cells, band %u nS)\n", "in tolerance",
			       s->in_tolerance_pct, (unsigned long long)s->cells_in_tolerance,
			       s->tolerance_min_nsiemens);
		else
			printf("%-28s %.3f %% (%llu cells, bands %u..%u nS)\n", "in tolerance",
			       s->in_tolerance_pct, (unsigned long long)s->cells_in_tolerance,
			       s->tolerance_min_nsiemens, s->tolerance_max_nsiemens);
		printf("%-28s mean %.0f  rms %.0f  p99 %.0f  max %.0f nS\n",
		       "final error (read)", s->err_mean_nsiemens, s->err_rms_nsiemens,
		       s->err_p99_nsiemens, s->err_max_nsiemens);
		printf("%-28s %llu\n", "stuck cells", (unsigned long long)s->stuck_cells);
		printf("%-28s %llu of %llu (pair error mean %.0f, max %.0f nS)\n",
		       "compensated pairs", (unsigned long long)s->compensated_pairs,
		       (unsigned long long)s->pairs_with_stuck,
		       s->pair_err_mean_nsiemens, s->pair_err_max_nsiemens);
		printf("%-28s %llu\n", "failed cells", (unsigned long long)s->failed_cells);
		return;
	}
	p = json_object_new_object();
	add_int(p, "tiles_used", s->tiles_used);
	add_int(p, "cells_used", (int64_t)s->cells_used);
	add_int(p, "rounds", s->rounds);
	add_int(p, "tiles_settled", s->tiles_settled);
	add_int(p, "tiles_stalled", s->tiles_stalled);
	add_int(p, "tiles_at_round_cap", s->tiles_at_round_cap);
	add_int(p, "pulses", (int64_t)s->pulses);
	add_double(p, "pulses_per_cell", s->pulses_per_cell);
	add_int(p, "jobs", (int64_t)s->jobs);
	add_double(p, "seconds", seconds);
	add_int(p, "tolerance_nsiemens", tolerance_nsiemens);
	add_int(p, "band_min_nsiemens", s->tolerance_min_nsiemens);
	add_int(p, "band_max_nsiemens", s->tolerance_max_nsiemens);
	add_int(p, "cells_in_tolerance", (int64_t)s->cells_in_tolerance);
	add_double(p, "in_tolerance_pct", s->in_tolerance_pct);
	add_double(p, "err_mean_nsiemens", s->err_mean_nsiemens);
	add_double(p, "err_rms_nsiemens", s->err_rms_nsiemens);
	add_double(p, "err_p99_nsiemens", s->err_p99_nsiemens);
	add_double(p, "err_max_nsiemens", s->err_max_nsiemens);
	add_int(p, "stuck_cells", (int64_t)s->stuck_cells);
	add_int(p, "compensated_pairs", (int64_t)s->compensated_pairs);
	add_int(p, "pairs_with_stuck", (int64_t)s->pairs_with_stuck);
	add_int(p, "failed_cells", (int64_t)s->failed_cells);
	json_object_object_add(r->root, "programming", p);
}

void report_programming_energy(struct report *r, uint64_t energy_fj,
			       uint64_t busy_ns)
{
	json_object *p;

	if (!r->json) {
		printf("%-28s %.3f uJ, %.3f ms of the card's time\n", "programming energy",
		       (double)energy_fj * 1e-9, (double)busy_ns * 1e-6);
		return;
	}
	if (!json_object_object_get_ex(r->root, "programming", &p))
		return;
	add_double(p, "energy_uj", (double)energy_fj * 1e-9);
	add_double(p, "card_ms", (double)busy_ns * 1e-6);
}

void report_step(struct report *r, unsigned long step, const float *out,
		 uint32_t n)
{
	json_object *o;
	uint32_t c;

	if (!r->json) {
		printf("step %lu:", step);
		for (c = 0; c < n; c++)
			printf(" %.4f", out[c]);
		printf("\n");
		return;
	}
	o = json_object_new_object();
	add_int(o, "step", (int64_t)step);
	json_object_object_add(o, "outputs", float_array(out, n));
	json_object_array_add(r->steps, o);
}

void report_sequence(struct report *r, unsigned long index, unsigned long line,
		     long label, int predicted, const float *logits,
		     uint32_t n_classes)
{
	json_object *o;

	if (!r->json) {
		if (label >= 0)
			printf("sequence %lu: predicted %d, label %ld%s\n", index,
			       predicted, label, predicted == label ? "" : "  (wrong)");
		else
			printf("sequence %lu: predicted %d\n", index, predicted);
		return;
	}
	o = json_object_new_object();
	add_int(o, "sequence", (int64_t)index);
	add_int(o, "line", (int64_t)line);
	json_object_object_add(o, "label", label >= 0 ? json_object_new_int64(label) : NULL);
	add_int(o, "predicted", predicted);
	json_object_object_add(o, "logits", float_array(logits, n_classes));
	json_object_array_add(r->sequences, o);
}

/* The summary's energy line: where it went only if the device says. */
static void print_energy(const struct run_summary *s)
{
	double total = (double)(s->energy_fj ? s->energy_fj : 1);

	printf("energy: %.2f nJ per inference (%.3f nJ per step",
	       (double)s->energy_fj * 1e-6 / (double)s->sequences,
	       (double)s->energy_fj * 1e-6 / (double)s->steps);
	if (s->energy_kinds)
		printf("; DAC %.1f %%, crossbar %.1f %%, ADC %.1f %%, digital unit %.1f %%",
		       100.0 * (double)s->energy_kind_fj[0] / total,
		       100.0 * (double)s->energy_kind_fj[1] / total,
		       100.0 * (double)s->energy_kind_fj[2] / total,
		       100.0 * (double)s->energy_kind_fj[3] / total);
	printf("), card time %.2f us per step; digital baseline %.2f nJ per inference (%.2fx the card)\n",
	       (double)s->busy_ns * 1e-3 / (double)s->steps,
	       s->baseline_fj * 1e-6 / (double)s->sequences,
	       s->baseline_fj / total);
}

void report_summary(struct report *r, const struct run_summary *s)
{
	double us = s->steps ? s->stream_s * 1e6 / (double)s->steps : 0.0;
	json_object *o;

	if (!r->json) {
		printf("summary: %lu sequences, %lu samples, %lu submissions, chunk %u, %.1f us per step",
		       s->sequences, s->steps, s->submissions, s->chunk, us);
		if (s->labelled)
			printf(", accuracy %.1f %% (%lu of %lu)",
			       100.0 * (double)s->correct / (double)s->labelled,
			       s->correct, s->labelled);
		printf("\n");
		if (s->energy && s->steps && s->sequences)
			print_energy(s);
		return;
	}
	o = json_object_new_object();
	add_int(o, "sequences", (int64_t)s->sequences);
	add_int(o, "samples", (int64_t)s->steps);
	add_int(o, "submissions", (int64_t)s->submissions);
	add_int(o, "chunk", s->chunk);
	add_double(o, "us_per_step", us);
	add_int(o, "labelled", (int64_t)s->labelled);
	add_int(o, "correct", (int64_t)s->correct);
	json_object_object_add(o, "accuracy",
			       s->labelled ? json_object_new_double((double)s->correct /
								    (double)s->labelled) : NULL);
	add_int(o, "age_ns", (int64_t)s->age_ns);
	json_object_object_add(o, "refresh_due", json_object_new_boolean(s->refresh_due));
	add_int(o, "refreshes", s->refreshes);
	add_int(o, "compensations", s->compensations);
	if (s->energy && s->steps && s->sequences) {
		json_object *e = json_object_new_object();
		static const char *const kinds[5] = { "dac", "xbar", "adc", "dpu", "program" };
		/* null on a card: it reports a total */
		json_object *k = s->energy_kinds ? json_object_new_object() : NULL;
		int i;

		add_double(e, "nj_per_inference", (double)s->energy_fj * 1e-6 / (double)s->sequences);
		add_double(e, "nj_per_step", (double)s->energy_fj * 1e-6 / (double)s->steps);
		for (i = 0; k && i < 5; i++)
			add_double(k, kinds[i], (double)s->energy_kind_fj[i] * 1e-6);
		json_object_object_add(e, "nj_by_kind", k);
		add_double(e, "card_us_per_step", (double)s->busy_ns * 1e-3 / (double)s->steps);
		add_double(e, "baseline_nj_per_inference", s->baseline_fj * 1e-6 / (double)s->sequences);
		add_double(e, "baseline_nj_per_step", s->baseline_fj * 1e-6 / (double)s->steps);
		add_double(e, "baseline_ratio", s->baseline_fj / (double)(s->energy_fj ? s->energy_fj : 1));
		json_object_object_add(o, "energy", e);
	}
	json_object_object_add(r->root, "summary", o);
}

void report_end(struct report *r)
{
	if (!r)
		return;
	if (r->json) {
		json_object_object_add(r->root, "steps", r->steps);
		json_object_object_add(r->root, "sequences", r->sequences);
		printf("%s\n", json_object_to_json_string_ext(r->root,
							      JSON_C_TO_STRING_PRETTY |
							      JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(r->root);
	}
	free(r);
}
