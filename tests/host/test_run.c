// SPDX-License-Identifier: MIT
/*
 * aimc-run as a careless user meets it (issue 17): --version, a full
 * --help, usage errors exit 2 naming the option or FILE:LINE and come
 * before the card is touched (nothing on standard output, no
 * programming), progress on standard error, --json, a card failure
 * exits 1.  The binary is $AIMC_RUN (make check-host sets it); the
 * model is the shipped digits model (d_input 1, 10 classes, chunks of
 * at most 1024 steps).
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>

#include "../check_skip.h"
#include "aimc.h"

#define MODEL	"tools/qat/models/digits-qat4-pruned.safetensors"
#define INPUT	"tools/data/digits-test.txt"

struct result {
	int code;
	char *out, *err;
};

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	size_t len = 0, cap = 4096, n;
	char *buf = malloc(cap);

	ck_assert(f && buf);
	while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (cap - len < 2) {
			cap *= 2;
			buf = realloc(buf, cap);
			ck_assert(buf);
		}
	}
	buf[len] = '\0';
	fclose(f);
	return buf;
}

/* sh -c "aimc-run ARGS" with @stdin_text (NULL: /dev/null) */
static struct result run(const char *args, const char *stdin_text)
{
	char out[] = "/tmp/aimc-run-out-XXXXXX", err[] = "/tmp/aimc-run-err-XXXXXX";
	char in[] = "/tmp/aimc-run-in-XXXXXX", cmd[2048];
	const char *bin = getenv("AIMC_RUN");
	struct result r;
	int fo = mkstemp(out), fe = mkstemp(err), fi = -1, status;

	ck_assert(fo >= 0 && fe >= 0);
	close(fo);
	close(fe);
	if (stdin_text) {
		fi = mkstemp(in);
		ck_assert(fi >= 0);
		ck_assert_int_eq(write(fi, stdin_text, strlen(stdin_text)),
				 (ssize_t)strlen(stdin_text));
		close(fi);
	}
	snprintf(cmd, sizeof(cmd), "%s %s <%s >%s 2>%s", bin ? bin : "build/tools/aimc-run",
		 args, stdin_text ? in : "/dev/null", out, err);
	status = system(cmd);
	ck_assert_msg(WIFEXITED(status), "%s did not exit", cmd);
	r.code = WEXITSTATUS(status);
	r.out = slurp(out);
	r.err = slurp(err);
	unlink(out);
	unlink(err);
	if (stdin_text)
		unlink(in);
	return r;
}

static void result_free(struct result *r)
{
	free(r->out);
	free(r->err);
}

/* Exit 2, the exact first line on stderr, and nothing done on a card. */
static void usage_error(const char *args, const char *stdin_text,
			const char *first_line)
{
	struct result r = run(args, stdin_text);
	size_t len = strlen(first_line);

	ck_assert_msg(r.code == 2, "aimc-run %s: exit %d, want 2; stderr: %s", args,
		      r.code, r.err);
	ck_assert_msg(!strncmp(r.err, first_line, len) && r.err[len] == '\n',
		      "aimc-run %s: stderr\n%s\nwant first line\n%s", args, r.err,
		      first_line);
	ck_assert_msg(!strstr(r.err, "programming"), "aimc-run %s programmed first", args);
	ck_assert_str_eq(r.out, "");
	result_free(&r);
}

START_TEST(version_and_help)
{
	struct result r = run("--version", NULL);
	char want[128];

	snprintf(want, sizeof(want), "aimc-run %s (libaimc %s, API %d.%d)\n",
		 AIMC_PACKAGE_VERSION, AIMC_PACKAGE_VERSION, AIMC_API_VERSION_MAJOR,
		 AIMC_API_VERSION_MINOR);
	ck_assert_int_eq(r.code, 0);
	ck_assert_str_eq(r.out, want);
	result_free(&r);
	r = run("--help", NULL);
	ck_assert_int_eq(r.code, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "--tolerance NS"));
	ck_assert_ptr_nonnull(strstr(r.out, "--json"));
	ck_assert_ptr_nonnull(strstr(r.out, "Input (text):"));
	ck_assert_ptr_nonnull(strstr(r.out, "Exit status: 0 success"));
	ck_assert_str_eq(r.err, "");
	result_free(&r);
}
END_TEST

/* Every option checked, named and refused before the card is touched. */
START_TEST(options_checked_first)
{
	usage_error(MODEL " --device nonsense -i " INPUT, NULL,
		    "aimc-run: --device nonsense: not sim, drm or auto");
	usage_error(MODEL " --chunk 0 -i " INPUT, NULL,
		    "aimc-run: --chunk 0: must be 1..1024 for this model");
	usage_error(MODEL " --chunk 99999 -i " INPUT, NULL,
		    "aimc-run: --chunk 99999: must be 1..1024 for this model");
	usage_error(MODEL " --seed -5 -i " INPUT, NULL,
		    "aimc-run: --seed -5: not a whole number 1..18446744073709551615");
	usage_error(MODEL " --tolerance 0 -i " INPUT, NULL,
		    "aimc-run: --tolerance 0: must be 1..65535");
	usage_error(MODEL " --tolerance 30000 -i " INPUT, NULL,
		    "aimc-run: --tolerance 30000: must be 1..25000 (the card's conductance range, nS)");
	usage_error(MODEL " --iterations 0 -i " INPUT, NULL,
		    "aimc-run: --iterations 0: must be 1..1000");
	usage_error(MODEL " --rounds 1001 -i " INPUT, NULL,
		    "aimc-run: --rounds 1001: must be 1..1000");
	usage_error(MODEL " --pulse-budget 99999999 -i " INPUT, NULL,
		    "aimc-run: --pulse-budget 99999999: must be 1..65535");
	usage_error(MODEL " --no-such-option", NULL, "aimc-run: unknown option --no-such-option");
	usage_error(MODEL " --chunk", NULL, "aimc-run: --chunk needs a value");
	usage_error("", NULL, "aimc-run: no MODEL given");
	usage_error(MODEL " " MODEL, NULL, "aimc-run: one MODEL only, got '" MODEL "' too");
	usage_error(MODEL " --device drm --noise-free -i " INPUT, NULL,
		    "aimc-run: --noise-free: only for the sim card, not --device drm");
	/* API 2.1's options */
	usage_error(MODEL " --preset taox -i " INPUT, NULL,
		    "aimc-run: --preset taox: not one of pcm, rram");
	usage_error(MODEL " --device drm --preset rram -i " INPUT, NULL,
		    "aimc-run: --preset: only for the sim card, not --device drm");
	usage_error(MODEL " --device drm --age 5 -i " INPUT, NULL,
		    "aimc-run: --age: only for the sim card, not --device drm");
	usage_error(MODEL " --age 999999999999 -i " INPUT, NULL,
		    "aimc-run: --age 999999999999: must be 0..315360000");
	usage_error(MODEL " --band-per-code 0 -i " INPUT, NULL,
		    "aimc-run: --band-per-code 0: must be 1..200");
	usage_error(MODEL " --compensate 5 --refresh-after 5 -i " INPUT, NULL,
		    "aimc-run: --compensate and --refresh-after exclude each other");
}
END_TEST

/* The model and the whole input, checked before the card is touched. */
START_TEST(files_checked_first)
{
	char path[] = "/tmp/aimc-run-text-XXXXXX";
	char args[256], want[512];
	int fd = mkstemp(path);

	usage_error(MODEL " -i /nonexistent/input.txt", NULL,
		    "aimc-run: --input /nonexistent/input.txt: No such file or directory");
	/* a text file named as a model is not a model file */
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "1: 0 1 2 3\n", 11), 11);
	close(fd);
	snprintf(args, sizeof(args), "%s -i " INPUT, path);
	snprintf(want, sizeof(want),
		 "aimc-run: aimc_model_info: %s: header: not a model file: no safetensors header (its first 8 bytes give a header length of 3611940915467270705, not 2..16777216)",
		 path);
	usage_error(args, NULL, want);
	unlink(path);
	usage_error(MODEL " -i -", "12: 0 1 2\n",
		    "aimc-run: standard input:1: label 12: the model has 10 classes (0..9)");
	usage_error(MODEL " -i -", "-1: 0 1 2\n",
		    "aimc-run: standard input:1: label '-1': not a class 0..9 or ?");
	usage_error(MODEL " -i -", "1: 0 1\nabc\n",
		    "aimc-run: standard input:2: value 1: not a number: abc");
	usage_error(MODEL " -i -", "# a comment\n3: 0 1 nan 2\n",
		    "aimc-run: standard input:2: value 3 (step 3): NaN is not a sample");
	usage_error(MODEL " -i -", "3: 0 inf\n",
		    "aimc-run: standard input:1: value 2 (step 2): an infinite sample");
	usage_error(MODEL " -i -", "3: 1e40\n",
		    "aimc-run: standard input:1: value 1 (step 1): 1e40 is outside the range of a float (+-3.4e38)");
	usage_error(MODEL " -i -", "",
		    "aimc-run: standard input: no sequences (lines 'LABEL: v v v ...' or steps 'v v v ...')");
	/* no --input and nothing on standard input: not a wait after programming */
	usage_error(MODEL, NULL,
		    "aimc-run: standard input: no sequences (lines 'LABEL: v v v ...' or steps 'v v v ...')");
}
END_TEST

/* Results on stdout, progress on stderr; the summary counts right. */
START_TEST(streams_and_reports)
{
	struct result r = run(MODEL " -i -", "3: 0 0.5 1 1 0.5 0\n?: 0 1\n0 0.25\n0.5\n");

	ck_assert_msg(r.code == 0, "exit %d: %s", r.code, r.err);
	ck_assert_ptr_nonnull(strstr(r.err, "programming: tile 1 of 2\n"));
	ck_assert_ptr_null(strstr(r.out, "programming:"));
	ck_assert_ptr_nonnull(strstr(r.out, "sequence 1: predicted "));
	ck_assert_ptr_nonnull(strstr(r.out, "sequence 2: predicted "));
	/* the open sequence: three steps printed, then its prediction */
	ck_assert_ptr_nonnull(strstr(r.out, "\nstep 3: "));
	ck_assert_ptr_null(strstr(r.out, "\nstep 4: "));
	ck_assert_ptr_nonnull(strstr(r.out, "sequence 3: predicted "));
	ck_assert_ptr_nonnull(strstr(r.out, "summary: 3 sequences, 11 samples, "));
	ck_assert_ptr_nonnull(strstr(r.out, "accuracy "));
	ck_assert_ptr_nonnull(strstr(r.out, "(0 of 1)") ?: strstr(r.out, "(1 of 1)"));
	result_free(&r);
	r = run(MODEL " -q -i -", "1: 0 1\n");
	ck_assert_int_eq(r.code, 0);
	ck_assert_str_eq(r.err, "");
	result_free(&r);
}
END_TEST

static json_object *get(json_object *o, const char *key)
{
	json_object *v = NULL;

	ck_assert_msg(json_object_object_get_ex(o, key, &v), "no key %s", key);
	return v;
}

START_TEST(json_output)
{
	struct result r = run(MODEL " --json -i " INPUT, NULL);
	json_object *root, *seqs, *first, *sum;
	int correct = 0;
	size_t i;

	ck_assert_msg(r.code == 0, "exit %d: %s", r.code, r.err);
	root = json_tokener_parse(r.out);
	ck_assert_msg(root, "stdout is not one JSON object:\n%.300s", r.out);
	ck_assert_int_eq(json_object_get_int(get(get(root, "model"), "d_input")), 1);
	ck_assert_str_eq(json_object_get_string(get(get(root, "device"), "backend")), "sim");
	ck_assert_int_eq(json_object_get_int(get(get(root, "programming"), "tiles_used")), 2);
	seqs = get(root, "sequences");
	ck_assert_int_eq(json_object_array_length(seqs), 200);
	first = json_object_array_get_idx(seqs, 0);
	ck_assert_int_eq(json_object_get_int(get(first, "sequence")), 1);
	ck_assert_int_eq(json_object_get_int(get(first, "line")), 2);
	ck_assert_int_eq(json_object_array_length(get(first, "logits")), 10);
	for (i = 0; i < 200; i++) {
		json_object *q = json_object_array_get_idx(seqs, i);

		correct += json_object_get_int(get(q, "predicted")) ==
			   json_object_get_int(get(q, "label"));
	}
	sum = get(root, "summary");
	ck_assert_int_eq(json_object_get_int(get(sum, "sequences")), 200);
	ck_assert_int_eq(json_object_get_int(get(sum, "correct")), correct);
	ck_assert(json_object_get_double(get(sum, "accuracy")) > 0.9);
	/* API 2.1: energy, the card's time, the digital baseline */
	{
		json_object *e = get(sum, "energy"), *k = get(e, "nj_by_kind");
		double inf = json_object_get_double(get(e, "nj_per_inference"));
		double step = json_object_get_double(get(e, "nj_per_step"));
		double parts = 0;
		const char *kinds[] = { "dac", "xbar", "adc", "dpu", "program" };

		for (i = 0; i < 5; i++)
			parts += json_object_get_double(get(k, kinds[i]));
		ck_assert(inf > 0 && step > 0);
		/* 200 sequences of 64 steps, the decoder once each */
		ck_assert_double_lt(fabs(inf - 64 * step), 0.05 * inf);
		ck_assert_double_lt(fabs(parts - 200 * inf), 1e-6 * parts);
		ck_assert(json_object_get_double(get(k, "program")) == 0);
		ck_assert(json_object_get_double(get(e, "card_us_per_step")) > 0);
		ck_assert(json_object_get_double(get(e, "baseline_nj_per_inference")) > 0);
		ck_assert(json_object_get_double(get(get(root, "programming"), "energy_uj")) > 0);
	}
	json_object_put(root);
	result_free(&r);
}
END_TEST

/* --preset rram --age: another card, aged; --compensate reports */
START_TEST(presets_age_compensation)
{
	struct result r = run(MODEL " --json --preset rram --age 86400 --compensate 1 -i " INPUT, NULL);
	json_object *root, *sum;

	ck_assert_msg(r.code == 0, "exit %d: %s", r.code, r.err);
	root = json_tokener_parse(r.out);
	ck_assert_ptr_nonnull(root);
	sum = get(root, "summary");
	ck_assert_int_ge(json_object_get_int64(get(sum, "age_ns")), 86400000000000ll);
	ck_assert_int_eq(json_object_get_int(get(sum, "compensations")), 1);
	json_object_put(root);
	result_free(&r);
	r = run(MODEL " --band-per-code 50 --program-only", NULL);
	ck_assert_msg(r.code == 0, "exit %d: %s", r.code, r.err);
	ck_assert_ptr_nonnull(strstr(r.out, "band 1562 nS)"));
	result_free(&r);
}
END_TEST

/* A card failure is not a usage error: exit 1. */
START_TEST(no_card_exits_1)
{
	struct result r;

	r = run(MODEL " --device drm -i " INPUT, NULL);
	ck_assert_int_eq(r.code, 1);
	ck_assert_ptr_nonnull(strstr(r.err, "aimc-run: --device drm: aimc_device_open: no AIMC card found"));
	ck_assert_str_eq(r.out, "");
	result_free(&r);
}
END_TEST

Suite *run_suite(void)
{
	Suite *s = suite_create("aimc_run");
	TCase *tc = tcase_create("cli");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, version_and_help);
	tcase_add_test(tc, options_checked_first);
	tcase_add_test(tc, files_checked_first);
	tcase_add_test(tc, streams_and_reports);
	tcase_add_test(tc, json_output);
	tcase_add_test(tc, presets_age_compensation);
	aimc_add_test_if(tc, no_card_exits_1, aimc_device_count(AIMC_BACKEND_DRM) == 0,
			 "this machine has an AIMC card");
	suite_add_tcase(s, tc);
	return s;
}
