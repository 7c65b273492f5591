/* SPDX-License-Identifier: MIT */
/*
 * aimc-run's input, read and checked as a whole before the card is
 * touched (aimc-run-input.c).  The format (aimc-run(1), INPUT):
 *
 *   # comment
 *   LABEL: v v v ...     one sequence, T steps x d_input values, step
 *                        major; LABEL a class 0..n_classes-1 or ?
 *   v v v ...            one step of d_input values; consecutive step
 *                        lines form one open sequence, whose per-step
 *                        outputs are printed, ended by the next labelled
 *                        line or the end of the input
 *
 * Values are separated by blanks or commas.
 */
#ifndef AIMC_RUN_INPUT_H
#define AIMC_RUN_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct run_seq {
	unsigned long line;	/* where it starts in the input */
	bool labelled;		/* LABEL was a class, not ? */
	bool open;		/* step lines: outputs printed per step */
	long label;
	uint32_t n_steps;
	float *values;		/* n_steps x d_input */
};

struct run_input {
	struct run_seq *seqs;
	size_t n_seqs;
	size_t n_steps;		/* of all sequences */
};

/*
 * Read @f (named @name in messages) for a model of @d_input values per
 * step and @n_classes classes.  0, or -1 with a message naming the line
 * and the value in @err (nothing read then).
 */
int run_input_read(FILE *f, const char *name, uint32_t d_input,
		   uint32_t n_classes, struct run_input *in, char *err,
		   size_t err_size);
void run_input_free(struct run_input *in);

#endif /* AIMC_RUN_INPUT_H */
