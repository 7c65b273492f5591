#!/bin/sh
# Retrain and re-export every shipped model under tools/qat/models/ from scratch.
# One command per model (each trains its float and pruned-float parents itself, < 10 min on
# one core); this script runs them as one process per data set so the parents are shared.
# Deterministic on one thread: the weights come out identical (only provenance.created differs).
set -e
cd "$(dirname "$0")"
export OPENBLAS_NUM_THREADS=1
/usr/bin/python3 -m aimc_qat.train --dataset digits \
    --variant float-pruned,qat8-pruned,qat4-pruned,qatt-pruned --out-dir models
# The keyword-spotting model of tools/examples/kws/ (its data set, about 50 s of espeak-ng, is
# built and cached on first use): test accuracy 97.5 %, the RESULTS.md kws qat4-pruned row.
/usr/bin/python3 -m aimc_qat.train --dataset kws --variant qat4-pruned --out-dir models
/usr/bin/python3 -m aimc_qat.modelfile models/*.safetensors
# The golden vectors of the card's integer arithmetic (tests/host/test_golden.c compares
# libaimc on a noise-free sim card with them, bit for bit).
for m in qat4-pruned qat8-pruned; do
    /usr/bin/python3 -m aimc_qat.golden models/digits-$m.safetensors --dataset digits -n 16 \
        -o models/golden/digits-$m.vectors.safetensors
done
