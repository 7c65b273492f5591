// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the model file loader (runtime/model_file.c) on
 * arbitrary bytes.  It must reject or load without a crash, a leak or an
 * out-of-bounds read (ASan, UBSan); a loaded model must be freeable.
 * Seeds in tests/fuzz/corpus/model_file/ (valid and broken files written
 * by tests/host/ssm_writer.h).
 */
#include <stddef.h>
#include <stdint.h>

#include "../../runtime/ssm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct aimc_ssm *model = NULL;

	if (!aimc_ssm_load_buffer(data, size, "fuzz", &model))
		aimc_ssm_free(model);
	return 0;
}
