// SPDX-License-Identifier: MIT
/*
 * aimc-smi: AIMC devices, their capabilities and telemetry, the processes
 * using them, and, when something is wrong, what and what to do about it.
 *
 * Devices are found in sysfs rather than through libaimc's discovery so
 * that a node this user may not open, or a driver of another interface
 * version, is reported instead of silently skipped.  Everything is first
 * gathered into one JSON tree (json-c does the escaping); the text output
 * is printed from that same tree.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <json-c/json.h>
#include <libkmod.h>
#include <xf86drm.h>
#include <drm/aimc_accel.h>

#include "aimc.h"

#define SMI_MAX_DEVICES	64
#define SMI_PATH_MAX	512

/* The sysfs telemetry group of driver/aimc_sysfs.c, in display order. */
static const char *const telemetry_names[] = {
	"jobs", "busy_us", "pulses", "energy_nj", "resets", "jobs_done",
	"jobs_failed", "tiles_in_use", "slots_in_use", "suspends", "resumes",
};

/* The fdinfo keys of driver/aimc_fdinfo.c aimc-smi shows per process. */
static const struct {
	const char *key;
	const char *json;
} fdinfo_keys[] = {
	{ "drm-engine-aimc", "engine_ns" },
	{ "drm-memory-system", "memory_kib" },
	{ "aimc-jobs", "jobs" },
	{ "aimc-tiles", "tiles" },
	{ "aimc-slots", "slots" },
};
#define FDINFO_NKEYS (sizeof(fdinfo_keys) / sizeof(fdinfo_keys[0]))

static void usage(FILE *out)
{
	fprintf(out,
		"usage: aimc-smi [--device drm|sim|auto] [--json]\n"
		"Show AIMC devices, capabilities, telemetry and the processes using them,\n"
		"and when something is wrong, what and what to do about it.\n"
		"\n"
		"Options:\n"
		"  -d, --device B  drm: cards driven by aimc.ko (default)\n"
		"                  sim: the in-process simulated card\n"
		"                  auto: drm if a card is present, else sim (and says so)\n"
		"  -j, --json      one JSON object on standard output (keys: see aimc-smi(1))\n"
		"  -V, --version   the version of aimc-smi and libaimc\n"
		"  -h, --help      this text\n"
		"\n"
		"Problems and their fixes go to standard error (in --json: \"diagnosis\").\n"
		"Exit status: 0 every device found is usable; 1 none found, or one cannot\n"
		"be opened; 2 usage error.\n");
}

static int parse_backend(const char *name, enum aimc_backend *backend)
{
	if (!strcmp(name, "drm"))
		*backend = AIMC_BACKEND_DRM;
	else if (!strcmp(name, "sim"))
		*backend = AIMC_BACKEND_SIM;
	else if (!strcmp(name, "auto"))
		*backend = AIMC_BACKEND_AUTO;
	else
		return -EINVAL;
	return 0;
}

static void add_string(json_object *obj, const char *key, const char *value)
{
	json_object_object_add(obj, key, json_object_new_string(value));
}

static void add_int(json_object *obj, const char *key, int64_t value)
{
	json_object_object_add(obj, key, json_object_new_int64(value));
}

static void add_advice(json_object *report, const char *problem,
		       const char *fix)
{
	json_object *entry = json_object_new_object();

	add_string(entry, "problem", problem);
	add_string(entry, "fix", fix);
	json_object_array_add(json_object_object_get(report, "diagnosis"), entry);
}

/* Read a number from a sysfs file; false if there is none. */
static bool read_u64(const char *path, uint64_t *value)
{
	unsigned long long v;
	FILE *f = fopen(path, "r");
	bool ok;

	if (!f)
		return false;
	ok = fscanf(f, "%llu", &v) == 1;
	fclose(f);
	if (ok)
		*value = v;
	return ok;
}

static json_object *info_json(const struct aimc_device_info *info)
{
	json_object *obj = json_object_new_object();
	char version[32];

	snprintf(version, sizeof(version), "%u.%u", info->hw_version >> 16,
		 info->hw_version & 0xffff);
	add_string(obj, "hw_version", version);
	snprintf(version, sizeof(version), "%u.%u", info->abi_version >> 16,
		 info->abi_version & 0xffff);
	add_string(obj, "interface", version);
	add_int(obj, "serial", info->serial);
	add_int(obj, "tiles", info->num_tiles);
	add_int(obj, "tile_rows", info->tile_rows);
	add_int(obj, "tile_cols", info->tile_cols);
	add_int(obj, "dac_bits", info->dac_bits);
	add_int(obj, "adc_bits", info->adc_bits);
	add_int(obj, "g_min_nsiemens", info->g_min_nsiemens);
	add_int(obj, "g_max_nsiemens", info->g_max_nsiemens);
	add_int(obj, "sram_kib", info->sram_kib);
	add_int(obj, "stream_slots", info->stream_slots);
	add_int(obj, "queue_depth", info->queue_depth);
	return obj;
}

/* ---- the kernel module, through libkmod ---- */

static const char *initstate_name(int state)
{
	switch (state) {
	case KMOD_MODULE_LIVE:
		return "live";
	case KMOD_MODULE_COMING:
		return "loading";
	case KMOD_MODULE_GOING:
		return "unloading";
	case KMOD_MODULE_BUILTIN:
		return "builtin";
	}
	return "not loaded";
}

/* Copy the modinfo fields worth showing of mod into obj. */
static void module_info(struct kmod_module *mod, json_object *obj)
{
	struct kmod_list *info = NULL, *it;

	if (kmod_module_get_info(mod, &info) < 0)
		return;
	kmod_list_foreach(it, info) {
		const char *key = kmod_module_info_get_key(it);

		if (!strcmp(key, "version") || !strcmp(key, "srcversion") ||
		    !strcmp(key, "vermagic"))
			add_string(obj, key, kmod_module_info_get_value(it));
	}
	kmod_module_info_free_list(info);
}

static json_object *module_json(const char *name)
{
	json_object *obj = json_object_new_object();
	struct kmod_list *found = NULL, *it;
	struct kmod_ctx *ctx = kmod_new(NULL, NULL);
	struct kmod_module *mod = NULL;
	struct utsname uts;
	int state;

	add_string(obj, "name", name);
	if (uname(&uts) == 0)
		add_string(obj, "kernel", uts.release);
	if (!ctx) {
		add_string(obj, "state", "unknown");
		return obj;
	}
	state = kmod_module_new_from_name(ctx, name, &mod) == 0 ?
		kmod_module_get_initstate(mod) : -ENOENT;
	add_string(obj, "state", initstate_name(state));
	json_object_object_add(obj, "loaded", json_object_new_boolean(state >= 0));
	if (mod)
		kmod_module_unref(mod);

	/* Installed for the running kernel: modules.dep knows its file. */
	if (kmod_module_new_from_lookup(ctx, name, &found) == 0) {
		kmod_list_foreach(it, found) {
			struct kmod_module *m = kmod_module_get_module(it);
			const char *path = kmod_module_get_path(m);

			if (path && !json_object_object_get(obj, "path")) {
				add_string(obj, "path", path);
				module_info(m, obj);
			}
			kmod_module_unref(m);
		}
		kmod_module_unref_list(found);
	}
	json_object_object_add(obj, "installed",
			       json_object_new_boolean(json_object_object_get(obj, "path") != NULL));
	/* The loaded module may differ from the installed file: ask it. */
	if (state >= 0) {
		char path[128], value[128];
		FILE *f;

		snprintf(path, sizeof(path), "/sys/module/%s/version", name);
		f = fopen(path, "r");
		if (f && fgets(value, sizeof(value), f)) {
			value[strcspn(value, "\n")] = '\0';
			add_string(obj, "loaded_version", value);
		}
		if (f)
			fclose(f);
	}
	kmod_unref(ctx);
	return obj;
}

/* ---- nodes in sysfs ---- */

struct smi_node {
	const char *kind;	/* "render" or "accel" */
	char name[256];		/* renderD128, accel0 */
	char sysfs[SMI_PATH_MAX];	/* /sys/class/drm/renderD128 */
	char dev[SMI_PATH_MAX];	/* /dev/dri/renderD128 */
};

static int cmp_node(const void *a, const void *b)
{
	const struct smi_node *x = a, *y = b;

	return strcmp(x->name, y->name);
}

/* Nodes whose device is bound to aimc.ko (its PCI or software glue). */
static int find_nodes(struct smi_node *nodes, int max)
{
	static const struct {
		const char *sysfs, *dev, *prefix, *kind;
	} classes[] = {
		{ "/sys/class/drm", "/dev/dri", "renderD", "render" },
		{ "/sys/class/accel", "/dev/accel", "accel", "accel" },
	};
	unsigned int c;
	int n = 0;

	for (c = 0; c < sizeof(classes) / sizeof(classes[0]); c++) {
		DIR *dir = opendir(classes[c].sysfs);
		struct dirent *de;

		if (!dir)
			continue;
		while ((de = readdir(dir)) && n < max) {
			char link[SMI_PATH_MAX], target[SMI_PATH_MAX];
			const char *driver;
			ssize_t len;

			if (strncmp(de->d_name, classes[c].prefix, strlen(classes[c].prefix)))
				continue;
			snprintf(link, sizeof(link), "%s/%s/device/driver",
				 classes[c].sysfs, de->d_name);
			len = readlink(link, target, sizeof(target) - 1);
			if (len < 0)
				continue;
			target[len] = '\0';
			driver = strrchr(target, '/');
			driver = driver ? driver + 1 : target;
			if (strcmp(driver, "aimc") && strcmp(driver, "aimc-swdev"))
				continue;
			nodes[n].kind = classes[c].kind;
			snprintf(nodes[n].name, sizeof(nodes[n].name), "%s", de->d_name);
			snprintf(nodes[n].sysfs, sizeof(nodes[n].sysfs), "%s/%s",
				 classes[c].sysfs, de->d_name);
			snprintf(nodes[n].dev, sizeof(nodes[n].dev), "%s/%s",
				 classes[c].dev, de->d_name);
			n++;
		}
		closedir(dir);
	}
	qsort(nodes, n, sizeof(nodes[0]), cmp_node);
	return n;
}

static json_object *telemetry_json(const struct smi_node *node)
{
	json_object *obj = json_object_new_object();
	char path[SMI_PATH_MAX + 64];
	uint64_t value;
	unsigned int i;
	DIR *dir;

	for (i = 0; i < sizeof(telemetry_names) / sizeof(telemetry_names[0]); i++) {
		snprintf(path, sizeof(path), "%s/device/telemetry/%s", node->sysfs,
			 telemetry_names[i]);
		if (read_u64(path, &value))
			add_int(obj, telemetry_names[i], (int64_t)value);
	}
	snprintf(path, sizeof(path), "%s/device/hwmon", node->sysfs);
	dir = opendir(path);
	if (dir) {
		struct dirent *de;

		while ((de = readdir(dir))) {
			char temp[1024];

			if (strncmp(de->d_name, "hwmon", 5))
				continue;
			snprintf(temp, sizeof(temp), "%s/%s/temp1_input", path, de->d_name);
			if (read_u64(temp, &value)) {
				add_int(obj, "temperature_mc", (int64_t)value);
				break;
			}
		}
		closedir(dir);
	}
	return obj;
}

static void node_access_json(const struct smi_node *node, json_object *obj)
{
	struct stat st;
	struct group *gr;
	struct passwd *pw;
	char mode[8];

	if (stat(node->dev, &st) < 0) {
		add_string(obj, "node_error", strerror(errno));
		return;
	}
	pw = getpwuid(st.st_uid);
	gr = getgrgid(st.st_gid);
	if (pw)
		add_string(obj, "owner", pw->pw_name);
	else
		add_int(obj, "owner", st.st_uid);
	if (gr)
		add_string(obj, "group", gr->gr_name);
	else
		add_int(obj, "group", st.st_gid);
	snprintf(mode, sizeof(mode), "%04o", (unsigned int)(st.st_mode & 07777));
	add_string(obj, "mode", mode);
	json_object_object_add(obj, "accessible",
			       json_object_new_boolean(access(node->dev, R_OK | W_OK) == 0));
}

/* The driver's interface version, read without libaimc's version check. */
static bool driver_interface(const char *path, int *major, int *minor)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);
	drmVersionPtr version;

	if (fd < 0)
		return false;
	version = drmGetVersion(fd);
	close(fd);
	if (!version)
		return false;
	*major = version->version_major;
	*minor = version->version_minor;
	drmFreeVersion(version);
	return true;
}

static void diagnose_open_error(json_object *report, const struct smi_node *node,
				json_object *dev, int err)
{
	char problem[1024], fix[1024];
	int major, minor;

	if (err == -EACCES || err == -EPERM) {
		json_object *group = json_object_object_get(dev, "group");

		snprintf(problem, sizeof(problem),
			 "permission denied on %s (owner %s, group %s, mode %s)",
			 node->dev,
			 json_object_get_string(json_object_object_get(dev, "owner")),
			 json_object_get_string(group),
			 json_object_get_string(json_object_object_get(dev, "mode")));
		snprintf(fix, sizeof(fix),
			 "add yourself to group %s (sudo usermod -aG %s $USER, then log in again), "
			 "or install the udev rule 70-aimc.rules (make install; see README, Permissions)",
			 json_object_get_string(group), json_object_get_string(group));
	} else if (err == -EPROTO && driver_interface(node->dev, &major, &minor)) {
		snprintf(problem, sizeof(problem),
			 "%s: aimc.ko has interface %d.%d, this libaimc needs %d.x",
			 node->dev, major, minor, AIMC_ABI_VERSION_MAJOR);
		snprintf(fix, sizeof(fix),
			 "install aimc.ko and libaimc of the same release (make install and make install-dkms "
			 "from one tree), then reload the module: modprobe -r aimc && modprobe aimc");
	} else {
		snprintf(problem, sizeof(problem), "%s: %s", node->dev, aimc_last_error());
		snprintf(fix, sizeof(fix), "see dmesg for aimc messages; README, Troubleshooting");
	}
	add_advice(report, problem, fix);
}

/* ---- processes, from /proc/<pid>/fdinfo ---- */

/* Parse one fdinfo file of an aimc node into a new object, or NULL. */
static json_object *parse_fdinfo(const char *path, uint64_t *client_id)
{
	json_object *obj = NULL;
	bool ours = false, have_id = false;
	char line[256];
	FILE *f = fopen(path, "r");

	if (!f)
		return NULL;
	obj = json_object_new_object();
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');
		unsigned long long value;
		unsigned int i;

		if (!colon)
			continue;
		*colon = '\0';
		if (!strcmp(line, "drm-driver")) {
			char name[64];

			ours = sscanf(colon + 1, " %63s", name) == 1 && !strcmp(name, "aimc");
			continue;
		}
		if (sscanf(colon + 1, " %llu", &value) != 1)
			continue;
		if (!strcmp(line, "drm-client-id")) {
			*client_id = value;
			have_id = true;
		}
		for (i = 0; i < FDINFO_NKEYS; i++)
			if (!strcmp(line, fdinfo_keys[i].key))
				add_int(obj, fdinfo_keys[i].json, (int64_t)value);
	}
	fclose(f);
	if (!ours || !have_id) {
		json_object_put(obj);
		return NULL;
	}
	return obj;
}

static void read_comm(const char *pid, char *comm, size_t size)
{
	char path[300];
	FILE *f;

	snprintf(comm, size, "?");
	snprintf(path, sizeof(path), "/proc/%s/comm", pid);
	f = fopen(path, "r");
	if (!f)
		return;
	if (fgets(comm, (int)size, f))
		comm[strcspn(comm, "\n")] = '\0';
	fclose(f);
}

/* Add the usage of each of the process's files to its entry. */
static void add_usage(json_object *proc, json_object *file)
{
	unsigned int i;

	for (i = 0; i < FDINFO_NKEYS; i++) {
		json_object *v = json_object_object_get(file, fdinfo_keys[i].json);
		json_object *sum = json_object_object_get(proc, fdinfo_keys[i].json);

		if (!v)
			continue;
		add_int(proc, fdinfo_keys[i].json, json_object_get_int64(v) +
			(sum ? json_object_get_int64(sum) : 0));
	}
}

/*
 * For each device node, the processes that have it open, with the usage
 * of their files summed.  A file shared by several descriptors or
 * processes (dup, fork) has one client id and is counted once, for the
 * first process found.  Other users' processes need root.
 */
static void scan_processes(struct smi_node *nodes, json_object **procs, int n)
{
	json_object *seen = json_object_new_object();
	DIR *proc = opendir("/proc");
	struct dirent *pde;

	if (!proc) {
		json_object_put(seen);
		return;
	}
	while ((pde = readdir(proc))) {
		char dirpath[300], comm[64];
		json_object *entry[SMI_MAX_DEVICES] = { NULL };
		struct dirent *fde;
		DIR *fds;
		int i;

		if (pde->d_name[0] < '0' || pde->d_name[0] > '9')
			continue;
		snprintf(dirpath, sizeof(dirpath), "/proc/%s/fd", pde->d_name);
		fds = opendir(dirpath);
		if (!fds)
			continue;
		while ((fde = readdir(fds))) {
			char link[600], target[SMI_PATH_MAX], info[600], key[300];
			uint64_t client_id = 0;
			json_object *file;
			ssize_t len;

			snprintf(link, sizeof(link), "%s/%s", dirpath, fde->d_name);
			len = readlink(link, target, sizeof(target) - 1);
			if (len < 0)
				continue;
			target[len] = '\0';
			for (i = 0; i < n && strcmp(target, nodes[i].dev); i++)
				;
			if (i == n)
				continue;
			snprintf(info, sizeof(info), "/proc/%s/fdinfo/%s", pde->d_name,
				 fde->d_name);
			file = parse_fdinfo(info, &client_id);
			if (!file)
				continue;
			snprintf(key, sizeof(key), "%s/%llu", nodes[i].name,
				 (unsigned long long)client_id);
			if (json_object_object_get_ex(seen, key, NULL)) {
				json_object_put(file);
				continue;
			}
			json_object_object_add(seen, key, NULL);
			if (!entry[i]) {
				entry[i] = json_object_new_object();
				add_int(entry[i], "pid", atoi(pde->d_name));
				read_comm(pde->d_name, comm, sizeof(comm));
				add_string(entry[i], "command", comm);
				add_int(entry[i], "files", 0);
				json_object_array_add(procs[i], entry[i]);
			}
			add_int(entry[i], "files", json_object_get_int64(
					json_object_object_get(entry[i], "files")) + 1);
			add_usage(entry[i], file);
			json_object_put(file);
		}
		closedir(fds);
	}
	closedir(proc);
	json_object_put(seen);
}

/* ---- the report ---- */

static json_object *report_new(void)
{
	json_object *report = json_object_new_object();
	char version[16];

	snprintf(version, sizeof(version), "%d.%d", AIMC_ABI_VERSION_MAJOR,
		 AIMC_ABI_VERSION_MINOR);
	add_string(report, "library_interface", version);
	add_string(report, "library_version", aimc_version());
	/* the kernel module's state, where the backend uses it (drm) */
	json_object_object_add(report, "module", NULL);
	json_object_object_add(report, "devices", json_object_new_array());
	json_object_object_add(report, "diagnosis", json_object_new_array());
	return report;
}

/* Devices through libaimc only: the sim backend, or auto without cards. */
static int gather_backend(json_object *report, enum aimc_backend backend)
{
	json_object *devices = json_object_object_get(report, "devices");
	int count = aimc_device_count(backend), i, failed = 0;

	if (count < 0) {
		add_advice(report, aimc_last_error(), "README, Troubleshooting");
		return 1;
	}
	for (i = 0; i < count; i++) {
		json_object *dev = json_object_new_object();
		struct aimc_device_info info;
		struct aimc_device *handle;
		int ret;

		ret = aimc_device_open(backend, i, &handle);
		if (ret == 0) {
			ret = aimc_device_info(handle, &info, sizeof(info));
			aimc_device_close(handle);
		}
		add_int(dev, "index", i);
		if (ret < 0) {
			add_string(dev, "error", aimc_last_error());
			add_advice(report, aimc_last_error(), "README, Troubleshooting");
			failed = 1;
		} else {
			add_string(dev, "node", info.node);
			add_string(dev, "backend", aimc_backend_name(info.backend));
			json_object_object_add(dev, "info", info_json(&info));
		}
		json_object_array_add(devices, dev);
	}
	return failed;
}

static int gather_drm(json_object *report)
{
	json_object *devices = json_object_object_get(report, "devices");
	json_object *procs[SMI_MAX_DEVICES];
	struct smi_node nodes[SMI_MAX_DEVICES];
	json_object *module = module_json("aimc");
	int n = find_nodes(nodes, SMI_MAX_DEVICES), i, failed = 0;

	json_object_object_add(report, "module", module);	/* replaces null */
	if (n == 0) {
		char problem[256], fix[512];
		const char *kernel = json_object_get_string(json_object_object_get(module, "kernel"));

		if (json_object_get_boolean(json_object_object_get(module, "loaded"))) {
			snprintf(problem, sizeof(problem),
				 "aimc.ko is loaded but drives no AIMC card");
			snprintf(fix, sizeof(fix),
				 "check the card is seen (lspci -d 1f1f:) and dmesg for aimc errors; "
				 "without a card: modprobe aimc_emu (README, Trying the stack without a card)");
		} else if (json_object_get_boolean(json_object_object_get(module, "installed"))) {
			snprintf(problem, sizeof(problem), "aimc.ko is installed (%s) but not loaded",
				 json_object_get_string(json_object_object_get(module, "path")));
			snprintf(fix, sizeof(fix),
				 "sudo modprobe aimc (and modprobe aimc_emu to try without a card); "
				 "if modprobe fails with 'Key was rejected by service', sign the module "
				 "(README, Secure Boot)");
		} else {
			snprintf(problem, sizeof(problem),
				 "aimc.ko is not installed for kernel %s", kernel ? kernel : "?");
			snprintf(fix, sizeof(fix),
				 "make install-dkms && sudo dkms install aimc/%s (README, Installing); "
				 "or aimc-smi --device sim to try the simulated card", aimc_version());
		}
		add_advice(report, problem, fix);
		return 1;
	}

	for (i = 0; i < n; i++)
		procs[i] = json_object_new_array();
	scan_processes(nodes, procs, n);
	for (i = 0; i < n; i++) {
		json_object *dev = json_object_new_object();
		struct aimc_device_info info;
		struct aimc_device *handle;
		char bus[SMI_PATH_MAX], link[SMI_PATH_MAX + 16];
		ssize_t len;
		int ret;

		add_int(dev, "index", i);
		add_string(dev, "node", nodes[i].dev);
		add_string(dev, "node_kind", nodes[i].kind);
		add_string(dev, "backend", "drm");
		snprintf(link, sizeof(link), "%s/device", nodes[i].sysfs);
		len = readlink(link, bus, sizeof(bus) - 1);
		if (len > 0) {
			bus[len] = '\0';
			add_string(dev, "bus_device", strrchr(bus, '/') ? strrchr(bus, '/') + 1 : bus);
		}
		/* The bus the card sits on: pci for a card, platform for aimc_emu's. */
		snprintf(link, sizeof(link), "%s/device/subsystem", nodes[i].sysfs);
		len = readlink(link, bus, sizeof(bus) - 1);
		if (len > 0) {
			bus[len] = '\0';
			add_string(dev, "bus", strrchr(bus, '/') ? strrchr(bus, '/') + 1 : bus);
		}
		node_access_json(&nodes[i], dev);
		ret = aimc_device_open_node(nodes[i].dev, &handle);
		if (ret == 0) {
			ret = aimc_device_info(handle, &info, sizeof(info));
			aimc_device_close(handle);
		}
		if (ret < 0) {
			add_string(dev, "error", aimc_last_error());
			add_int(dev, "errno", -ret);
			diagnose_open_error(report, &nodes[i], dev, ret);
			failed = 1;
		} else {
			json_object_object_add(dev, "info", info_json(&info));
		}
		json_object_object_add(dev, "telemetry", telemetry_json(&nodes[i]));
		json_object_object_add(dev, "processes", procs[i]);
		json_object_array_add(devices, dev);
	}
	return failed;
}

/* ---- text output ---- */

static int64_t get_int(json_object *obj, const char *key)
{
	return json_object_get_int64(json_object_object_get(obj, key));
}

static const char *get_str(json_object *obj, const char *key)
{
	const char *s = json_object_get_string(json_object_object_get(obj, key));

	return s ? s : "?";
}

static void print_info(json_object *info)
{
	printf("    hardware      AIMC-1 %s, serial %#010x, interface %s\n",
	       get_str(info, "hw_version"), (unsigned int)get_int(info, "serial"),
	       get_str(info, "interface"));
	printf("    tiles         %lld x (%lld rows x %lld columns)\n",
	       (long long)get_int(info, "tiles"), (long long)get_int(info, "tile_rows"),
	       (long long)get_int(info, "tile_cols"));
	printf("    converters    DAC %lld bit, ADC %lld bit\n",
	       (long long)get_int(info, "dac_bits"), (long long)get_int(info, "adc_bits"));
	printf("    conductance   %lld - %lld nS\n", (long long)get_int(info, "g_min_nsiemens"),
	       (long long)get_int(info, "g_max_nsiemens"));
	printf("    SRAM          %lld KiB\n", (long long)get_int(info, "sram_kib"));
	printf("    stream slots  %lld\n", (long long)get_int(info, "stream_slots"));
	printf("    queue depth   %lld descriptors\n", (long long)get_int(info, "queue_depth"));
}

static void print_telemetry(json_object *tel)
{
	json_object *temp = json_object_object_get(tel, "temperature_mc");

	if (!tel || !json_object_object_length(tel))
		return;
	printf("    telemetry     jobs %lld (done %lld, failed %lld), busy %lld us, pulses %lld, resets %lld\n",
	       (long long)get_int(tel, "jobs"), (long long)get_int(tel, "jobs_done"),
	       (long long)get_int(tel, "jobs_failed"), (long long)get_int(tel, "busy_us"),
	       (long long)get_int(tel, "pulses"), (long long)get_int(tel, "resets"));
	/* an aimc.ko before API 2.1's has no energy_nj */
	if (json_object_object_get(tel, "energy_nj"))
		printf("    energy        %.3f mJ (%lld nJ)\n",
		       (double)get_int(tel, "energy_nj") * 1e-6,
		       (long long)get_int(tel, "energy_nj"));
	printf("    in use        %lld tiles, %lld stream slots\n",
	       (long long)get_int(tel, "tiles_in_use"), (long long)get_int(tel, "slots_in_use"));
	/* runtime power management; an aimc.ko before it has no counts */
	if (json_object_object_get(tel, "suspends"))
		printf("    power         %lld suspends, %lld resumes\n",
		       (long long)get_int(tel, "suspends"), (long long)get_int(tel, "resumes"));
	if (temp)
		printf("    temperature   %.1f C\n", json_object_get_int64(temp) / 1000.0);
}

static void print_processes(json_object *procs)
{
	size_t i, n = procs ? json_object_array_length(procs) : 0;

	if (!procs)
		return;
	if (!n) {
		printf("    processes     none\n");
		return;
	}
	printf("    processes     %8s %-16s %5s %14s %10s %6s %5s %5s\n", "PID", "COMMAND",
	       "FILES", "ENGINE(ns)", "MEM(KiB)", "JOBS", "TILES", "SLOTS");
	for (i = 0; i < n; i++) {
		json_object *p = json_object_array_get_idx(procs, i);

		printf("                  %8lld %-16s %5lld %14lld %10lld %6lld %5lld %5lld\n",
		       (long long)get_int(p, "pid"), get_str(p, "command"),
		       (long long)get_int(p, "files"), (long long)get_int(p, "engine_ns"),
		       (long long)get_int(p, "memory_kib"), (long long)get_int(p, "jobs"),
		       (long long)get_int(p, "tiles"), (long long)get_int(p, "slots"));
	}
}

static void print_text(json_object *report)
{
	json_object *devices = json_object_object_get(report, "devices");
	json_object *diagnosis = json_object_object_get(report, "diagnosis");
	json_object *module = json_object_object_get(report, "module");
	json_object *note = json_object_object_get(report, "note");
	size_t i, n = json_object_array_length(devices);

	if (note)
		fprintf(stderr, "aimc-smi: %s\n", json_object_get_string(note));
	if (module)
		printf("aimc-smi: module aimc %s%s%s, kernel %s\n", get_str(module, "state"),
		       json_object_object_get(module, "loaded_version") ? ", version " : "",
		       json_object_object_get(module, "loaded_version") ?
		       get_str(module, "loaded_version") : "", get_str(module, "kernel"));
	printf("aimc-smi: %zu device%s\n", n, n == 1 ? "" : "s");
	for (i = 0; i < n; i++) {
		json_object *dev = json_object_array_get_idx(devices, i);
		json_object *info = json_object_object_get(dev, "info");

		printf("[%lld] %-20s", (long long)get_int(dev, "index"), get_str(dev, "node"));
		if (json_object_object_get(dev, "node_kind"))
			printf(" (%s node)", get_str(dev, "node_kind"));
		printf("  backend %s", get_str(dev, "backend"));
		if (json_object_object_get(dev, "bus_device"))
			printf("  %s%s%s  %s:%s %s",
			       json_object_object_get(dev, "bus") ? get_str(dev, "bus") : "",
			       json_object_object_get(dev, "bus") ? " " : "",
			       get_str(dev, "bus_device"), get_str(dev, "owner"),
			       get_str(dev, "group"), get_str(dev, "mode"));
		printf("\n");
		if (info)
			print_info(info);
		else
			printf("    error         %s\n", get_str(dev, "error"));
		print_telemetry(json_object_object_get(dev, "telemetry"));
		print_processes(json_object_object_get(dev, "processes"));
	}
	for (i = 0; i < json_object_array_length(diagnosis); i++) {
		json_object *d = json_object_array_get_idx(diagnosis, i);

		fprintf(stderr, "aimc-smi: %s\n          fix: %s\n", get_str(d, "problem"),
			get_str(d, "fix"));
	}
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	enum aimc_backend backend = AIMC_BACKEND_DRM;
	bool json = false;
	json_object *report;
	int opt, failed;

	while ((opt = getopt_long(argc, argv, "d:jVh", options, NULL)) != -1) {
		switch (opt) {
		case 'd':
			if (parse_backend(optarg, &backend) < 0) {
				fprintf(stderr, "aimc-smi: --device %s: not drm, sim or auto\n",
					optarg);
				usage(stderr);
				return 2;
			}
			break;
		case 'j':
			json = true;
			break;
		case 'V':
			printf("aimc-smi %s (libaimc %s, API %d.%d, driver interface %d.%d)\n",
			       AIMC_PACKAGE_VERSION, aimc_version(), AIMC_API_VERSION_MAJOR,
			       AIMC_API_VERSION_MINOR, AIMC_ABI_VERSION_MAJOR,
			       AIMC_ABI_VERSION_MINOR);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "aimc-smi: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}

	report = report_new();
	if (backend == AIMC_BACKEND_AUTO && aimc_device_count(AIMC_BACKEND_DRM) <= 0) {
		/* what auto fell back to, and why, is part of the answer */
		add_string(report, "note",
			   "no AIMC card found (aimc.ko not loaded, or it drives no card): "
			   "showing the simulated card instead");
		backend = AIMC_BACKEND_SIM;
	}
	if (backend == AIMC_BACKEND_SIM)
		failed = gather_backend(report, backend);
	else
		failed = gather_drm(report);
	if (json)
		printf("%s\n", json_object_to_json_string_ext(report, JSON_C_TO_STRING_PRETTY |
							      JSON_C_TO_STRING_NOSLASHESCAPE));
	else
		print_text(report);
	json_object_put(report);
	return failed;
}
