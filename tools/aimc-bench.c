// SPDX-License-Identifier: MIT
/*
 * aimc-bench: performance figures, each measured against a baseline in
 * the same run and reported as a median over repeated runs.
 *
 *   aimc-bench [--device drm|sim|auto] [--repeats N] [--csv FILE]
 *              [--json FILE] [SECTION...]
 *
 * Sections:
 *   kernel   round trip of an empty job through aimc.ko and the card, as
 *            a ratio to a no-op DRM ioctl (GET_PARAM); throughput of empty
 *            jobs against the number of jobs in flight (drm only)
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <drm/aimc_accel.h>

#include "aimc.h"
#include "../runtime/job.h"

#define BENCH_MAX_ROWS	64

struct bench_row {
	char section[16];
	char name[64];
	double value;
	char unit[16];
	char baseline[64];	/* empty: the row is a baseline itself */
	double ratio;		/* value / baseline value */
};

struct bench {
	struct aimc_device *dev;
	unsigned int repeats;
	struct bench_row rows[BENCH_MAX_ROWS];
	unsigned int nrows;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static struct bench_row *add_row(struct bench *b, const char *section,
				 const char *name, double value, const char *unit)
{
	struct bench_row *r;

	if (b->nrows == BENCH_MAX_ROWS) {
		fprintf(stderr, "aimc-bench: too many rows\n");
		exit(1);
	}
	r = &b->rows[b->nrows++];
	memset(r, 0, sizeof(*r));
	snprintf(r->section, sizeof(r->section), "%s", section);
	snprintf(r->name, sizeof(r->name), "%s", name);
	snprintf(r->unit, sizeof(r->unit), "%s", unit);
	r->value = value;
	return r;
}

static void set_baseline(struct bench_row *r, const struct bench_row *base)
{
	snprintf(r->baseline, sizeof(r->baseline), "%s", base->name);
	r->ratio = base->value ? r->value / base->value : 0;
}

/* ---- kernel path ----------------------------------------------------- */

static int noop_ioctl(int fd)
{
	struct drm_aimc_get_param args = { .param = AIMC_PARAM_ABI_VERSION };

	return ioctl(fd, DRM_IOCTL_AIMC_GET_PARAM, &args);
}

/* Submit @n empty jobs, then wait for all; returns 0 or -errno. */
static int run_empty_jobs(struct aimc_device *dev, unsigned int n)
{
	struct drm_aimc_cmd nop = { .opcode = AIMC_OP_NOP };
	uint64_t ids[64];
	unsigned int i;
	int ret;

	for (i = 0; i < n; i++) {
		ret = aimc_job_submit(dev, &nop, 1, NULL, 0, 0, &ids[i]);
		if (ret < 0)
			return ret;
	}
	for (i = 0; i < n; i++) {
		struct aimc_job_result res;

		ret = aimc_job_wait(dev, ids[i], aimc_deadline_ns(10000), &res);
		if (ret < 0)
			return ret;
		if (res.status != AIMC_JOB_DONE) {
			fprintf(stderr, "aimc-bench: empty job ended %s\n",
				aimc_job_status_name(res.status));
			return -EIO;
		}
	}
	return 0;
}

static int bench_kernel(struct bench *b)
{
	static const unsigned int inflight[] = { 1, 4, 16, 64 };
	const unsigned int ioctls = 20000, jobs = 400;
	double *t = calloc(b->repeats, sizeof(*t));
	struct bench_row *base, *r;
	unsigned int rep, i, k;
	int fd = aimc_job_fd(b->dev);

	if (fd < 0 || !t) {
		free(t);
		fprintf(stderr, "aimc-bench: kernel: %s\n",
			fd < 0 ? aimc_last_error() : "out of memory");
		return fd < 0 ? fd : -ENOMEM;
	}
	for (rep = 0; rep < b->repeats; rep++) {
		double t0 = now_s();

		for (i = 0; i < ioctls; i++)
			if (noop_ioctl(fd)) {
				free(t);
				return -errno;
			}
		t[rep] = (now_s() - t0) / ioctls * 1e6;
	}
	base = add_row(b, "kernel", "no-op ioctl (GET_PARAM)", median(t, b->repeats), "us");

	for (rep = 0; rep < b->repeats; rep++) {
		double t0 = now_s();

		for (i = 0; i < jobs; i++) {
			int ret = run_empty_jobs(b->dev, 1);

			if (ret < 0) {
				free(t);
				return ret;
			}
		}
		t[rep] = (now_s() - t0) / jobs * 1e6;
	}
	r = add_row(b, "kernel", "empty job round trip", median(t, b->repeats), "us");
	set_baseline(r, base);

	for (k = 0; k < sizeof(inflight) / sizeof(inflight[0]); k++) {
		char name[64];

		for (rep = 0; rep < b->repeats; rep++) {
			double t0 = now_s();

			for (i = 0; i < jobs / inflight[k]; i++) {
				int ret = run_empty_jobs(b->dev, inflight[k]);

				if (ret < 0) {
					free(t);
					return ret;
				}
			}
			t[rep] = (jobs / inflight[k]) * inflight[k] / (now_s() - t0);
		}
		snprintf(name, sizeof(name), "empty jobs, %u in flight", inflight[k]);
		r = add_row(b, "kernel", name, median(t, b->repeats), "jobs/s");
		if (k == 0)
			base = r;
		else
			set_baseline(r, base);
	}
	free(t);
	return 0;
}

/* ---- output ---------------------------------------------------------- */

static void print_table(const struct bench *b)
{
	unsigned int i;

	printf("%-8s %-36s %14s %-7s %-30s %8s\n", "section", "figure", "median",
	       "unit", "baseline", "ratio");
	for (i = 0; i < b->nrows; i++) {
		const struct bench_row *r = &b->rows[i];

		printf("%-8s %-36s %14.3f %-7s %-30s ", r->section, r->name,
		       r->value, r->unit, r->baseline[0] ? r->baseline : "-");
		if (r->baseline[0])
			printf("%8.2f\n", r->ratio);
		else
			printf("%8s\n", "-");
	}
}

static int write_csv(const struct bench *b, const char *path)
{
	FILE *f = fopen(path, "w");
	unsigned int i;

	if (!f)
		return -errno;
	fprintf(f, "section,figure,median,unit,baseline,ratio\n");
	for (i = 0; i < b->nrows; i++) {
		const struct bench_row *r = &b->rows[i];

		fprintf(f, "%s,\"%s\",%.6g,%s,\"%s\",%.6g\n", r->section, r->name,
			r->value, r->unit, r->baseline, r->ratio);
	}
	return fclose(f) ? -errno : 0;
}

static int write_json(const struct bench *b, const char *path,
		      const char *machine)
{
	FILE *f = fopen(path, "w");
	unsigned int i;

	if (!f)
		return -errno;
	/* Names and units are ours: no characters that need escaping. */
	fprintf(f, "{\"machine\": \"%s\", \"repeats\": %u, \"rows\": [\n",
		machine, b->repeats);
	for (i = 0; i < b->nrows; i++) {
		const struct bench_row *r = &b->rows[i];

		fprintf(f, "  {\"section\": \"%s\", \"figure\": \"%s\", \"median\": %.6g, "
			"\"unit\": \"%s\", \"baseline\": \"%s\", \"ratio\": %.6g}%s\n",
			r->section, r->name, r->value, r->unit, r->baseline, r->ratio,
			i + 1 < b->nrows ? "," : "");
	}
	fprintf(f, "]}\n");
	return fclose(f) ? -errno : 0;
}

static void machine_line(char *buf, size_t len)
{
	struct utsname u;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	if (uname(&u))
		snprintf(buf, len, "unknown");
	else
		snprintf(buf, len, "%s %s %s, %ld CPUs", u.sysname, u.release,
			 u.machine, cpus);
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: aimc-bench [--device drm|sim|auto] [--repeats N] [--csv FILE]\n"
		"                  [--json FILE] [SECTION...]\n"
		"Sections: kernel (drm only).  Default: every section the device supports.\n");
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "repeats", required_argument, NULL, 'r' },
		{ "csv", required_argument, NULL, 'c' },
		{ "json", required_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	enum aimc_backend backend = AIMC_BACKEND_AUTO;
	const char *csv = NULL, *json = NULL;
	struct bench b = { .repeats = 5 };
	struct aimc_device_info info;
	char machine[256];
	int opt, i, ret = 0;

	while ((opt = getopt_long(argc, argv, "d:r:c:j:h", options, NULL)) != -1) {
		switch (opt) {
		case 'd':
			if (!strcmp(optarg, "drm"))
				backend = AIMC_BACKEND_DRM;
			else if (!strcmp(optarg, "sim"))
				backend = AIMC_BACKEND_SIM;
			else if (!strcmp(optarg, "auto"))
				backend = AIMC_BACKEND_AUTO;
			else {
				fprintf(stderr, "aimc-bench: unknown device '%s'\n", optarg);
				return 2;
			}
			break;
		case 'r':
			b.repeats = strtoul(optarg, NULL, 0);
			if (b.repeats < 1 || b.repeats > 1000) {
				fprintf(stderr, "aimc-bench: --repeats takes 1..1000\n");
				return 2;
			}
			break;
		case 'c':
			csv = optarg;
			break;
		case 'j':
			json = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}

	ret = aimc_device_open(backend, 0, &b.dev);
	if (ret < 0 || aimc_device_info(b.dev, &info) < 0) {
		fprintf(stderr, "aimc-bench: %s\n", aimc_last_error());
		return 1;
	}
	machine_line(machine, sizeof(machine));
	printf("aimc-bench: %s, device %s (%s), median of %u runs\n", machine,
	       info.node, aimc_backend_name(info.backend), b.repeats);

	for (i = optind; i < argc || (i == optind && argc == optind); i++) {
		const char *section = i < argc ? argv[i] : NULL;

		if (!section || !strcmp(section, "kernel")) {
			if (info.backend == AIMC_BACKEND_DRM)
				ret = bench_kernel(&b);
			else if (section)
				fprintf(stderr, "aimc-bench: kernel needs the drm backend\n"),
				ret = -ENODEV;
		} else {
			fprintf(stderr, "aimc-bench: unknown section '%s'\n", section);
			ret = -EINVAL;
		}
		if (ret < 0)
			break;
	}
	aimc_device_close(b.dev);
	print_table(&b);
	if (csv && write_csv(&b, csv))
		fprintf(stderr, "aimc-bench: cannot write %s\n", csv), ret = -EIO;
	if (json && write_json(&b, json, machine))
		fprintf(stderr, "aimc-bench: cannot write %s\n", json), ret = -EIO;
	return ret < 0;
}
