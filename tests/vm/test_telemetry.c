// SPDX-License-Identifier: MIT
/*
 * Telemetry: the sysfs counters (the card's energy too; more of it in
 * test_energy.c), the hwmon temperature and the DRM fdinfo of an open
 * file move as jobs run, and aimc-smi --json reports them as JSON a
 * parser accepts.
 */
#include <json-c/json.h>
#include <libgen.h>

#include "vm_util.h"

#define BO_SIZE		(64 * 1024)
#define TGT_OFF		0
#define RD_OFF		(32 * 1024)
#define W_ROWS		32
#define W_COLS		32

static struct vm_dev V;

static void setup(void)
{
	vm_open(&V);
}

static void teardown(void)
{
	vm_close(&V);
}

/*
 * /sys/class/<class>/<node>/device/<rel> of an open device: class accel
 * for /dev/accel/accelN, drm for /dev/dri/renderDN.
 */
static void node_sysfs(const struct vm_dev *v, const char *rel, char *buf,
		       size_t len)
{
	char node[sizeof(v->info.node)];
	const char *class = strncmp(v->info.node, "/dev/accel/", 11) ? "drm" : "accel";

	memcpy(node, v->info.node, sizeof(node));
	snprintf(buf, len, "/sys/class/%s/%s/device/%s", class, basename(node), rel);
}

static long long telemetry(const struct vm_dev *v, const char *name)
{
	char rel[64], path[256];

	snprintf(rel, sizeof(rel), "telemetry/%s", name);
	node_sysfs(v, rel, path, sizeof(path));
	return vm_read_ll(path);
}

/*
 * The text after "key:" in /proc/self/fdinfo/<fd>, whitespace trimmed;
 * false if the key is absent.
 */
static bool fdinfo_text(int fd, const char *key, char *value, size_t len)
{
	char path[64], line[256];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	ck_assert_msg(f, "cannot open %s: %s", path, strerror(errno));
	while (!found && fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');
		char *v;

		if (!colon)
			continue;
		*colon = '\0';
		if (strcmp(line, key))
			continue;
		for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
			;
		v[strcspn(v, "\n")] = '\0';
		snprintf(value, len, "%s", v);
		found = true;
	}
	fclose(f);
	return found;
}

/* A numeric fdinfo key ("123 ns", "64 KiB", "7"); asserts it exists. */
static long long fdinfo_num(int fd, const char *key)
{
	char text[128];

	ck_assert_msg(fdinfo_text(fd, key, text, sizeof(text)),
		      "no %s in fdinfo of fd %d", key, fd);
	return strtoll(text, NULL, 10);
}

static void program_and_read(const struct vm_dev *v, uint32_t tile,
			     uint32_t bo, uint8_t *map)
{
	struct drm_aimc_cmd c[2];
	uint32_t i;

	/* Pulse mode: the card counts pulses (target mode does not). */
	for (i = 0; i < W_ROWS * W_COLS; i++)
		vm_put16(map + TGT_OFF + 2 * i, AIMC_PULSE_REC(i % 2 ? 3 : -3, 120));
	c[0] = cmd_program(tile, 0, 0, W_ROWS, W_COLS, bo, TGT_OFF);
	c[0].mode = AIMC_PROG_PULSE;
	c[1] = cmd_read(tile, 0, 0, W_ROWS, W_COLS, bo, RD_OFF);
	ck_assert_int_eq(r_run(v->fd, c, 2), AIMC_JOB_DONE);
}

/* The kernel's clocksource is tick-based (jiffies, refined-jiffies). */
static bool clock_is_jiffies(void)
{
	char buf[64] = "";
	FILE *f = fopen("/sys/devices/system/clocksource/clocksource0/current_clocksource", "r");

	if (!f)
		return false;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	return strstr(buf, "jiffies") != NULL;
}

/*
 * Engine time has the kernel clock's resolution: on a tick-based
 * clocksource (the debug lane's kernel has no TSC calibration) a short
 * job can take 0 ns.  Run more jobs until the file's engine time moves,
 * at most 100; returns how many more ran.
 */
static int jobs_until_engine_moves(const struct vm_dev *v, uint32_t tile,
				   uint32_t bo, uint8_t *map, long long engine)
{
	int extra = 0;

	while (fdinfo_num(v->fd, "drm-engine-aimc") <= engine && extra < 100) {
		program_and_read(v, tile, bo, map);
		extra++;
	}
	/*
	 * On a jiffies clocksource (refined-jiffies: the debug lane's
	 * kernel, 4 ms ticks) jobs that each end within the tick they
	 * started in add nothing, however many run: only check that the
	 * time did not go backwards there.
	 */
	if (clock_is_jiffies())
		ck_assert_int_ge(fdinfo_num(v->fd, "drm-engine-aimc"), engine);
	else
		ck_assert_int_gt(fdinfo_num(v->fd, "drm-engine-aimc"), engine);
	return extra;
}

START_TEST(test_fdinfo_standard_keys)
{
	struct vm_dev other;
	char text[64];

	ck_assert(fdinfo_text(V.fd, "drm-driver", text, sizeof(text)));
	ck_assert_str_eq(text, "aimc");
	ck_assert(fdinfo_text(V.fd, "drm-engine-aimc", text, sizeof(text)));
	ck_assert_msg(strstr(text, " ns"), "drm-engine-aimc '%s' has no unit", text);
	ck_assert(fdinfo_text(V.fd, "drm-memory-system", text, sizeof(text)));
	ck_assert_str_eq(text, "0 KiB");
	ck_assert_int_eq(fdinfo_num(V.fd, "drm-engine-aimc"), 0);
	ck_assert_int_eq(fdinfo_num(V.fd, "aimc-jobs"), 0);

	/* Every open file is a client of its own. */
	vm_open_node(&other, V.info.node);
	ck_assert_int_ne(fdinfo_num(other.fd, "drm-client-id"),
			 fdinfo_num(V.fd, "drm-client-id"));
	vm_close(&other);
}
END_TEST

START_TEST(test_fdinfo_memory_and_reservations)
{
	uint32_t bo, tile, slot;

	ck_assert_int_eq(aimc_bo_create(V.dev, BO_SIZE, &bo), 0);
	ck_assert_int_eq(fdinfo_num(V.fd, "drm-memory-system"), BO_SIZE / 1024);
	ck_assert_int_eq(fdinfo_num(V.fd, "drm-total-system"), BO_SIZE / 1024);
	ck_assert_int_eq(aimc_reserve(V.dev, AIMC_RESOURCE_TILE, AIMC_JOB_ANY, &tile), 0);
	ck_assert_int_eq(aimc_reserve(V.dev, AIMC_RESOURCE_SLOT, AIMC_JOB_ANY, &slot), 0);
	ck_assert_int_eq(fdinfo_num(V.fd, "aimc-tiles"), 1);
	ck_assert_int_eq(fdinfo_num(V.fd, "aimc-slots"), 1);
	ck_assert_int_ge(telemetry(&V, "tiles_in_use"), 1);
	ck_assert_int_ge(telemetry(&V, "slots_in_use"), 1);

	ck_assert_int_eq(aimc_bo_close(V.dev, bo), 0);
	ck_assert_int_eq(aimc_release(V.dev, AIMC_RESOURCE_TILE, tile), 0);
	ck_assert_int_eq(fdinfo_num(V.fd, "drm-memory-system"), 0);
	ck_assert_int_eq(fdinfo_num(V.fd, "aimc-tiles"), 0);
}
END_TEST

START_TEST(test_counters_move_with_jobs)
{
	long long jobs, busy, pulses, energy, done, engine, other_engine;
	struct vm_dev other;
	int extra;
	uint32_t bo, tile;
	uint64_t size;
	uint8_t *map;

	vm_open_node(&other, V.info.node);
	ck_assert_int_eq(aimc_reserve(V.dev, AIMC_RESOURCE_TILE, AIMC_JOB_ANY, &tile), 0);
	ck_assert_int_eq(aimc_bo_create(V.dev, BO_SIZE, &bo), 0);
	ck_assert_int_eq(aimc_bo_mmap(V.dev, bo, (void **)&map, &size), 0);
	jobs = telemetry(&V, "jobs");
	busy = telemetry(&V, "busy_us");
	pulses = telemetry(&V, "pulses");
	energy = telemetry(&V, "energy_nj");
	done = telemetry(&V, "jobs_done");
	engine = fdinfo_num(V.fd, "drm-engine-aimc");
	other_engine = fdinfo_num(other.fd, "drm-engine-aimc");

	program_and_read(&V, tile, bo, map);

	/* The card counts descriptors, the driver jobs. */
	ck_assert_int_eq(telemetry(&V, "jobs"), jobs + 2);
	ck_assert_int_eq(telemetry(&V, "jobs_done"), done + 1);
	ck_assert_int_eq(telemetry(&V, "pulses"), pulses + 3 * W_ROWS * W_COLS);
	ck_assert_int_gt(telemetry(&V, "busy_us"), busy);
	/* 3072 pulses and 1024 cells read: about 5 nJ (tests/vm/test_energy.c) */
	ck_assert_int_gt(telemetry(&V, "energy_nj"), energy);
	extra = jobs_until_engine_moves(&V, tile, bo, map, engine);
	ck_assert_int_eq(fdinfo_num(V.fd, "aimc-jobs"), 1 + extra);
	/* Another file's jobs are not charged to this one. */
	ck_assert_int_eq(fdinfo_num(other.fd, "drm-engine-aimc"), other_engine);
	ck_assert_int_eq(fdinfo_num(other.fd, "aimc-jobs"), 0);

	engine = fdinfo_num(V.fd, "drm-engine-aimc");
	program_and_read(&V, tile, bo, map);
	extra += 1 + jobs_until_engine_moves(&V, tile, bo, map, engine);
	ck_assert_int_eq(fdinfo_num(V.fd, "aimc-jobs"), 1 + extra);

	aimc_bo_munmap(map, size);
	vm_close(&other);
}
END_TEST

START_TEST(test_hwmon_temperature)
{
	char path[256], name[32];
	struct dirent *e;
	bool found = false;
	DIR *d;

	node_sysfs(&V, "hwmon", path, sizeof(path));
	d = opendir(path);
	ck_assert_msg(d, "no %s: %s", path, strerror(errno));
	while ((e = readdir(d))) {
		char file[1024];
		long long mc;
		FILE *f;

		if (strncmp(e->d_name, "hwmon", 5))
			continue;
		snprintf(file, sizeof(file), "%s/%s/name", path, e->d_name);
		f = fopen(file, "r");
		ck_assert_msg(f, "cannot open %s", file);
		ck_assert_int_eq(fscanf(f, "%31s", name), 1);
		fclose(f);
		ck_assert_str_eq(name, "aimc");
		snprintf(file, sizeof(file), "%s/%s/temp1_input", path, e->d_name);
		mc = vm_read_ll(file);
		/* The emulator idles at 40 C, a few tenths per card apart. */
		ck_assert_int_ge(mc, 40000);
		ck_assert_int_lt(mc, 50000);
		found = true;
	}
	closedir(d);
	ck_assert(found);
}
END_TEST

/*
 * aimc_device_telemetry() (API 2.1) reads what sysfs and hwmon say; the
 * counters move together (other files may run jobs in between: at
 * least); a card's clock cannot be moved on (-EOPNOTSUPP).
 */
START_TEST(test_library_telemetry_is_sysfs)
{
	struct aimc_device_telemetry t;
	long long jobs, done, pulses;
	uint32_t bo, tile;
	uint64_t size;
	uint8_t *map;

	ck_assert_int_eq(aimc_reserve(V.dev, AIMC_RESOURCE_TILE, AIMC_JOB_ANY, &tile), 0);
	ck_assert_int_eq(aimc_bo_create(V.dev, BO_SIZE, &bo), 0);
	ck_assert_int_eq(aimc_bo_mmap(V.dev, bo, (void **)&map, &size), 0);
	jobs = telemetry(&V, "jobs");
	done = telemetry(&V, "jobs_done");
	pulses = telemetry(&V, "pulses");
	program_and_read(&V, tile, bo, map);
	ck_assert_msg(aimc_device_telemetry(V.dev, &t, sizeof(t)) == 0, "%s",
		      aimc_last_error());
	ck_assert_uint_ge(t.commands, (uint64_t)jobs + 2);
	ck_assert_uint_le(t.commands, (uint64_t)telemetry(&V, "jobs"));
	ck_assert_uint_ge(t.jobs_done, (uint64_t)done + 1);
	ck_assert_uint_ge(t.pulses, (uint64_t)pulses + 3 * W_ROWS * W_COLS);
	ck_assert_uint_gt(t.busy_ns, 0);
	ck_assert_uint_eq(t.busy_ns % 1000, 0);	/* sysfs counts microseconds */
	ck_assert_uint_ge(t.tiles_in_use, 1);
	ck_assert_uint_eq(t.resets, (uint64_t)telemetry(&V, "resets"));
	ck_assert_int_ge(t.temperature_mc, 40000);
	ck_assert_int_lt(t.temperature_mc, 50000);
	ck_assert_uint_gt(t.clock_ns, 0);

	ck_assert_int_eq(aimc_device_advance_clock(V.dev, 1000000000ull), -EOPNOTSUPP);
	ck_assert_msg(strstr(aimc_last_error(), "wall time"), "%s", aimc_last_error());
	aimc_bo_munmap(map, size);
}
END_TEST

/* Run a command, return its standard output (malloc'd) and exit status. */
static char *run_capture(const char *cmd, int *status)
{
	size_t len = 0, cap = 4096;
	char *out = malloc(cap);
	FILE *p = popen(cmd, "r");
	size_t n;

	ck_assert(out && p);
	while ((n = fread(out + len, 1, cap - len - 1, p)) > 0) {
		len += n;
		if (cap - len < 2) {
			cap *= 2;
			out = realloc(out, cap);
			ck_assert(out);
		}
	}
	out[len] = '\0';
	*status = pclose(p);
	return out;
}

static json_object *get(json_object *obj, const char *key)
{
	json_object *v = NULL;

	ck_assert_msg(json_object_object_get_ex(obj, key, &v), "no key %s", key);
	return v;
}

START_TEST(test_smi_json_parses)
{
	json_object *report, *devices, *dev, *procs, *me = NULL;
	long long energy;
	uint32_t bo, tile;
	uint64_t size;
	uint8_t *map;
	size_t i;
	char *out;
	int status, extra;

	ck_assert_int_eq(aimc_reserve(V.dev, AIMC_RESOURCE_TILE, AIMC_JOB_ANY, &tile), 0);
	ck_assert_int_eq(aimc_bo_create(V.dev, BO_SIZE, &bo), 0);
	ck_assert_int_eq(aimc_bo_mmap(V.dev, bo, (void **)&map, &size), 0);
	program_and_read(&V, tile, bo, map);
	extra = jobs_until_engine_moves(&V, tile, bo, map, 0);
	energy = telemetry(&V, "energy_nj");
	ck_assert_int_gt(energy, 0);

	out = run_capture("aimc-smi", &status);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "aimc-smi: status %#x, output:\n%s", status, out);
	ck_assert_msg(strstr(out, "    energy        "), "no energy line:\n%s", out);
	ck_assert_msg(strstr(out, " suspends, "), "no power line:\n%s", out);
	free(out);
	out = run_capture("aimc-smi --json", &status);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "aimc-smi --json: status %#x, output:\n%s", status, out);
	report = json_tokener_parse(out);
	ck_assert_msg(report, "aimc-smi --json printed no valid JSON:\n%s", out);
	ck_assert_str_eq(json_object_get_string(get(get(report, "module"), "state")), "live");
	ck_assert_int_eq(json_object_array_length(get(report, "diagnosis")), 0);
	devices = get(report, "devices");
	ck_assert_int_ge(json_object_array_length(devices), 1);
	dev = json_object_array_get_idx(devices, 0);
	ck_assert_str_eq(json_object_get_string(get(dev, "node")), V.info.node);
	ck_assert_int_eq(json_object_get_int(get(get(dev, "info"), "tiles")),
			 V.info.num_tiles);
	ck_assert_int_ge(json_object_get_int64(get(get(dev, "telemetry"), "jobs_done")), 1);
	ck_assert_int_ge(json_object_get_int64(get(get(dev, "telemetry"), "temperature_mc")),
			 40000);
	ck_assert_int_eq(json_object_get_int64(get(get(dev, "telemetry"), "energy_nj")), energy);
	ck_assert_int_eq(json_object_get_int64(get(get(dev, "telemetry"), "suspends")),
			 telemetry(&V, "suspends"));
	ck_assert_int_eq(json_object_get_int64(get(get(dev, "telemetry"), "resumes")),
			 telemetry(&V, "resumes"));
	procs = get(dev, "processes");
	for (i = 0; i < json_object_array_length(procs); i++) {
		json_object *p = json_object_array_get_idx(procs, i);

		if (json_object_get_int(get(p, "pid")) == getpid())
			me = p;
	}
	ck_assert_msg(me, "aimc-smi does not list this process (%d):\n%s", getpid(), out);
	ck_assert_int_eq(json_object_get_int(get(me, "tiles")), 1);
	ck_assert_int_eq(json_object_get_int(get(me, "jobs")), 1 + extra);
	ck_assert_int_eq(json_object_get_int(get(me, "memory_kib")), BO_SIZE / 1024);
	/* what fdinfo says; 0 can be right on a tick-based clocksource */
	ck_assert_int_eq(json_object_get_int64(get(me, "engine_ns")),
			 fdinfo_num(V.fd, "drm-engine-aimc"));
	if (!clock_is_jiffies())
		ck_assert_int_gt(json_object_get_int64(get(me, "engine_ns")), 0);
	json_object_put(report);
	free(out);
	aimc_bo_munmap(map, size);
}
END_TEST

Suite *telemetry_suite(void)
{
	Suite *s = suite_create("telemetry");
	TCase *tc = tcase_create("telemetry");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_fdinfo_standard_keys);
	tcase_add_test(tc, test_fdinfo_memory_and_reservations);
	tcase_add_test(tc, test_counters_move_with_jobs);
	tcase_add_test(tc, test_hwmon_temperature);
	tcase_add_test(tc, test_library_telemetry_is_sysfs);
	tcase_add_test(tc, test_smi_json_parses);
	suite_add_tcase(s, tc);
	return s;
}
