/* SPDX-License-Identifier: MIT */
/*
 * What aimc-run prints on standard output (aimc-run-report.c): text
 * lines as they happen, or with --json one JSON object at the end with
 * the same content.  Progress and errors go to standard error instead.
 */
#ifndef AIMC_RUN_REPORT_H
#define AIMC_RUN_REPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "aimc.h"

struct report;

struct report *report_new(bool json);

void report_model(struct report *r, const char *path,
		  const struct aimc_device_info *dev, bool noise_free,
		  const struct aimc_net_info *net);
void report_programming(struct report *r, const struct aimc_program_stats *s,
			uint32_t tolerance_nsiemens, double seconds);
/* The card's energy and modelled time for programming. */
void report_programming_energy(struct report *r, uint64_t energy_fj,
			       uint64_t busy_ns);
/* One step of an open sequence (d_output values). */
void report_step(struct report *r, unsigned long step, const float *out,
		 uint32_t n);
/* A finished sequence; @label < 0: unknown. */
void report_sequence(struct report *r, unsigned long index, unsigned long line,
		     long label, int predicted, const float *logits,
		     uint32_t n_classes);
struct run_summary {
	unsigned long sequences, labelled, correct, steps, submissions;
	uint32_t chunk;
	double stream_s;
	uint64_t age_ns;	/* of the programming, at the end */
	bool refresh_due;
	uint32_t refreshes;
	uint32_t compensations;
	bool energy;		/* the device reports its energy */
	bool energy_kinds;	/* and where it went (the sim) */
	uint64_t energy_fj;	/* while streaming */
	uint64_t energy_kind_fj[5];	/* DAC, crossbar, ADC, digital, program */
	uint64_t busy_ns;	/* the card's modelled time while streaming */
	double baseline_fj;	/* the same work on a digital accelerator */
};
void report_summary(struct report *r, const struct run_summary *s);

/* Write the JSON object (--json); frees @r either way. */
void report_end(struct report *r);

#endif /* AIMC_RUN_REPORT_H */
