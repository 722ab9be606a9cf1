#!/usr/bin/env bash
# Benchmarks (not part of the tests).
#   bash scripts/bench.sh        lime_core beside eli5 and lime on one black box and text (run.py, adaptive.py)
#   bash scripts/bench.sh sets   the set benchmark: 100 posts + 32 reviews (benchmarks/sets.py [options])
source "$(dirname "${BASH_SOURCE[0]}")/_env.sh"
ensure_venv requirements-bench.txt
export HF_HUB_OFFLINE=1
"$PY" scripts/prepare_models.py
if [[ "${1:-}" == "sets" ]]; then
    shift
    exec "$PY" benchmarks/sets.py "$@"
fi
"$PY" benchmarks/run.py "$@"
"$PY" benchmarks/adaptive.py  # adaptive sampling: n_samples="auto" vs 5,000 samples and eli5 on the sentiment transformer
"$PY" benchmarks/migrating.py  # migrating: eli5's and lime's tutorial calls beside lime_core's, on 20 test posts
"$PY" benchmarks/batch.py  # batch throughput (local 1/2 workers, Ray 1/2, eli5 and lime loops)
