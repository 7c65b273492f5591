/* SPDX-License-Identifier: MIT */
/*
 * libaimc: the userspace library of the AIMC-1 analog in-memory-computing
 * card.
 *
 * Conventions: handles are opaque; every function that can fail returns
 * a negative errno value (e.g. -ENODEV) and leaves a human-readable
 * message for the calling thread in aimc_last_error(), which starts with
 * the function's name; a call that succeeds leaves no message.
 *
 * Units are in the names: _ns is nanoseconds, _nsiemens nanosiemens
 * (conductance).
 *
 * Output structs grow at the end in later releases: the functions that
 * fill one take its size (pass sizeof) and fill only that much.
 */
#ifndef AIMC_H
#define AIMC_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The API these headers declare: libaimc.so.2, symbol versions AIMC_2.0
 * and AIMC_2.1 (aimc_device_telemetry(), aimc_device_advance_clock()).
 * A later 2.x only adds (functions, flags, fields at the end of a struct).
 */
#define AIMC_API_VERSION_MAJOR	2
#define AIMC_API_VERSION_MINOR	1

/* Which implementation of the card a device handle talks to. */
enum aimc_backend {
	AIMC_BACKEND_AUTO = 0,	/* drm if a card is present, else sim */
	AIMC_BACKEND_DRM = 1,	/* a card (or aimc_emu.ko) through aimc.ko */
	AIMC_BACKEND_SIM = 2	/* the device model, in this process */
};

struct aimc_device;

/* What a device is and can do; see also uapi/drm/aimc_accel.h. */
struct aimc_device_info {
	uint32_t backend;	/* enum aimc_backend, never AUTO */
	uint32_t device_id;	/* 0x41494d43, "AIMC" */
	uint32_t hw_version;	/* major << 16 | minor */
	uint32_t abi_version;	/* driver interface, major << 16 | minor */
	uint32_t serial;
	uint32_t num_tiles;
	uint32_t tile_rows;
	uint32_t tile_cols;
	uint32_t dac_bits;
	uint32_t adc_bits;
	uint32_t g_min_nsiemens;	/* conductance range of a cell */
	uint32_t g_max_nsiemens;
	uint32_t sram_kib;
	uint32_t stream_slots;
	uint32_t queue_depth;	/* descriptors the card's ring holds */
	char node[64];		/* device node, or "sim" */
};

/*
 * aimc_device_count() - number of devices a backend offers
 *
 * DRM: AIMC cards this user can open, on render nodes (found by libdrm)
 * or accel nodes (found in sysfs); SIM: always 1; AUTO: DRM's count if
 * non-zero, else 1.  Returns the count or a negative errno.
 */
int aimc_device_count(enum aimc_backend backend);

/*
 * aimc_device_open() - open the index-th device of a backend
 *
 * Returns 0 and a handle in *out, or a negative errno: -ENODEV (no such
 * device), -EACCES (no permission on the node), -EPROTO (the driver's
 * interface major version differs from the library's), -ENOMEM.
 */
int aimc_device_open(enum aimc_backend backend, unsigned int index,
		     struct aimc_device **out);

/* Options of aimc_device_open_sim(); zero-initialise, then set. */
struct aimc_sim_options {
	uint64_t seed;		/* noise and manufacture; 0: the default (1) */
	uint32_t flags;		/* AIMC_SIM_* */
	uint32_t tiles;		/* geometry; 0: the device model's default */
	uint32_t rows;
	uint32_t cols;		/* physical columns (two per signed output) */
	uint32_t slots;		/* stream slots */
	uint32_t stuck_gmin_ppm;	/* with AIMC_SIM_STUCK: stuck cells, */
	uint32_t stuck_gmax_ppm;	/* parts per million of all cells */
	uint32_t preset;	/* cell technology, aimc_sim_preset_name() */
				/* (API 2.1); 0: the default, "pcm" */
	uint32_t reserved[6];	/* must be zero */
};

/* Exact cells: no programming or read noise, no drift, no stuck cells */
#define AIMC_SIM_NOISE_FREE	0x1u
/* Use stuck_gmin_ppm/stuck_gmax_ppm instead of the default 0.5 % + 0.5 % */
#define AIMC_SIM_STUCK		0x2u

/*
 * aimc_device_open_sim() - open an in-process simulated card
 *
 * A new device model configured by @opts (NULL: emulator/README.md's
 * defaults).  Each call makes an independent card.  Returns 0 and a
 * handle, or -EINVAL (a reserved field, unknown flag or a configuration
 * the model refuses; aimc_last_error() says which), -ENOMEM.
 */
int aimc_device_open_sim(const struct aimc_sim_options *opts,
			 struct aimc_device **out);

/*
 * aimc_sim_preset_name() - name of a sim card's cell technology (API 2.1)
 *
 * The device presets of the device model (emulator/model/aimc_presets.def:
 * "pcm", "rram", ...), by index as aimc_sim_options.preset takes it; NULL
 * past the last.
 */
const char *aimc_sim_preset_name(uint32_t preset);

/* aimc_device_open_node() - open a device by its node path */
int aimc_device_open_node(const char *path, struct aimc_device **out);

/*
 * aimc_device_close() - give up the application's handle; NULL is ignored
 *
 * Nets opened on the device keep it open until they are closed too, so
 * the order of aimc_device_close() and aimc_net_close() does not matter.
 * The handle must not be used afterwards.
 */
void aimc_device_close(struct aimc_device *dev);

/*
 * aimc_device_info() - identity and capabilities of an open device
 *
 * @info_size: sizeof(*info) as the caller was built with.
 */
int aimc_device_info(struct aimc_device *dev, struct aimc_device_info *info,
		     size_t info_size);

/* What a device has done (aimc_device_telemetry()). */
struct aimc_device_telemetry {
	uint64_t commands;	/* commands the card has run */
	uint64_t busy_ns;	/* time the card spent running them */
	uint64_t pulses;	/* programming pulses applied to cells */
	uint64_t jobs_done;	/* jobs that completed */
	uint64_t jobs_failed;	/* jobs that did not (device error, timeout, */
				/* abort) */
	uint64_t clock_ns;	/* the clock the cells drift by: a card's */
				/* CLOCK_BOOTTIME, the sim's virtual clock */
	uint32_t resets;	/* card resets */
	uint32_t tiles_in_use;	/* reserved by every user of the card */
	uint32_t slots_in_use;
	int32_t temperature_mc;	/* die temperature, milli-degrees Celsius, */
				/* or AIMC_TEMPERATURE_NONE */
	/*
	 * The energy the card's device model counted, femtojoules
	 * (emulator/README.md, "Energy and modelled time"): energy_fj
	 * with AIMC_TELEMETRY_ENERGY in flags (the sim; a card through
	 * aimc.ko: its TEL_ENERGY_NJ register, whole nanojoules); the
	 * kinds and the operations counted for them with
	 * AIMC_TELEMETRY_ENERGY_KINDS (the sim: a card reports a total),
	 * zero otherwise.
	 */
	uint64_t energy_fj;		/* the sum of the five below */
	uint64_t energy_dac_fj;		/* input conversions */
	uint64_t energy_xbar_fj;	/* cells read */
	uint64_t energy_adc_fj;		/* output conversions */
	uint64_t energy_dpu_fj;		/* digital-unit arithmetic */
	uint64_t energy_program_fj;	/* programming pulses */
	uint64_t mvms;
	uint64_t dac_conversions;
	uint64_t adc_conversions;
	uint64_t dpu_muls;
	uint64_t dpu_adds;
	uint32_t flags;			/* AIMC_TELEMETRY_* */
	uint32_t preset;		/* aimc_sim_preset_name() index, */
					/* with AIMC_TELEMETRY_PRESET */
};

/* aimc_device_telemetry()'s flags: which of the 2.1 fields are counted */
#define AIMC_TELEMETRY_ENERGY		0x1u	/* energy_fj */
#define AIMC_TELEMETRY_ENERGY_KINDS	0x2u	/* energy_*_fj, mvms..dpu_adds */
#define AIMC_TELEMETRY_PRESET		0x4u	/* preset */

/* aimc_device_telemetry(): the card reports no temperature (the sim) */
#define AIMC_TEMPERATURE_NONE	INT32_MIN

/*
 * aimc_device_telemetry() - the card's counters now (AIMC_2.1)
 *
 * drm: aimc.ko's telemetry in sysfs and the card's hwmon sensor, counted
 * since the driver bound to the card, for every process using it; sim:
 * counted since the device was opened.  @telemetry_size: sizeof as the
 * caller was built with.  -EINVAL (NULL, size), -ENODEV (the card has
 * gone away), or the errno of reading sysfs.
 */
int aimc_device_telemetry(struct aimc_device *dev,
			  struct aimc_device_telemetry *telemetry,
			  size_t telemetry_size);

/*
 * aimc_device_advance_clock() - let a simulated card's time pass (AIMC_2.1)
 *
 * Moves the sim's virtual clock on by @ns as if the card had idled that
 * long: its cells drift and relax by it (emulator/README.md, "Drift",
 * "Device presets") and nets on
 * it age (aimc_net_info()'s age_ns, the refresh policy).  The sim's
 * clock otherwise moves only with the work the card does.  -EOPNOTSUPP
 * on drm: a card's cells drift in wall time.
 */
int aimc_device_advance_clock(struct aimc_device *dev, uint64_t ns);

/* aimc_backend_name() - "auto", "drm", "sim" or "unknown" */
const char *aimc_backend_name(enum aimc_backend backend);

/* aimc_last_error() - message of the calling thread's last failure */
const char *aimc_last_error(void);

/* aimc_version() - the library's release, e.g. "1.0.0" */
const char *aimc_version(void);

#ifdef __cplusplus
}
#endif

#include "aimc_net.h"
#include "aimc_stream.h"

#endif /* AIMC_H */
