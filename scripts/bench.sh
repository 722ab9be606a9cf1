#!/usr/bin/env bash
# Benchmarks (not part of the tests): lime_core beside eli5 and lime on the same black box and text.
source "$(dirname "${BASH_SOURCE[0]}")/_env.sh"
ensure_venv requirements-bench.txt
export HF_HUB_OFFLINE=1
"$PY" scripts/prepare_models.py
exec "$PY" benchmarks/run.py "$@"
