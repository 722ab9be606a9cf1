#!/usr/bin/env bash
# Benchmarks (not part of the tests): lime_core beside eli5 and lime on the same black box and text.
source "$(dirname "${BASH_SOURCE[0]}")/_env.sh"
ensure_venv requirements-bench.txt
export HF_HUB_OFFLINE=1
"$PY" scripts/prepare_models.py
"$PY" benchmarks/run.py "$@"
"$PY" benchmarks/adaptive.py  # issue 5: n_samples="auto" vs 5,000 samples and eli5 on the sentiment transformer
"$PY" benchmarks/batch.py  # issue 12: batch throughput (local 1/2 workers, Ray 1/2, eli5 and lime loops)
