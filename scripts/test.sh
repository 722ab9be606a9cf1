#!/usr/bin/env bash
# Run the whole test suite on a fresh machine: installs what it needs, then lint, unit, app and browser tests.
# Extra arguments go to pytest (e.g. scripts/test.sh -m "not e2e").
source "$(dirname "${BASH_SOURCE[0]}")/_env.sh"
ensure_venv requirements-dev.txt
if ! command -v chromium >/dev/null 2>&1; then
  echo "==> installing Debian's chromium for the browser tests"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
# A missing model must fail in seconds, not after a minute of retries against the hub.
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
echo "==> preparing the bundled models"
"$PY" scripts/prepare_models.py
echo "==> ruff"
"$PY" -m ruff check .
echo "==> import contracts (pyproject.toml [tool.importlinter]: lime_core and dashboard/ never import Streamlit)"
PYTHONPATH="$ROOT" "$VENV/bin/lint-imports" --no-cache --no-logo
echo "==> type check (pyproject.toml [tool.mypy]: lime_core and dashboard/)"
"$PY" -m mypy
echo "==> documentation site (mkdocs.yml; --strict: a broken link or a missing API object fails)"
SITE_DIR="$(mktemp -d)"
NO_MKDOCS_2_WARNING=1 PYTHONPATH="$ROOT" "$VENV/bin/mkdocs" build --strict --quiet --config-file "$ROOT/mkdocs.yml" \
  --site-dir "$SITE_DIR"
rm -rf "$SITE_DIR"
echo "==> pytest"
exec "$PY" -m pytest "$@"
