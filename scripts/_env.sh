# Shared set-up for the project's scripts: sourced, not run.
# Creates the virtual environment, installs the requirements, and points the data and model settings at a
# local copy of the assets (../shared beside the checkout) when the user has not set them.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="${LIME_VENV:-$ROOT/.venv}"
PY="$VENV/bin/python"

ensure_venv() {
  # $1: the requirements file to install (installs again only when it changed since the last install).
  local req="$1" stamp
  if [ ! -x "$PY" ]; then
    echo "==> creating the virtual environment in $VENV"
    python3 -m venv "$VENV"
    "$PY" -m pip install --quiet --upgrade pip
  fi
  stamp="$VENV/.installed-$(basename "$req")"
  if [ ! -f "$stamp" ] || [ -n "$(find "$ROOT"/requirements*.txt -newer "$stamp" 2>/dev/null)" ]; then
    echo "==> installing $req (torch is pinned to the CPU build)"
    "$PY" -m pip install --quiet -r "$req"
    touch "$stamp"
  fi
  ensure_project_installed
}

ensure_project_installed() {
  # lime_core itself, editable, so that `import lime_core` works from any folder, notebook or script in the venv.
  # --no-deps: the requirements file above already installed the pinned dependencies (and torch's CPU build).
  local where
  where="$(cd / && "$PY" -c 'import lime_core, os; print(os.path.dirname(lime_core.__file__))' 2>/dev/null || true)"
  if [ "$where" != "$ROOT/lime_core" ] || [ "$ROOT/pyproject.toml" -nt "$VENV/.installed-project" ]; then
    echo "==> installing lime_core (editable) from $ROOT"
    "$PY" -m pip install --quiet --no-deps --editable "$ROOT"
    touch "$VENV/.installed-project"
  fi
}

# Offline copies of the 20 Newsgroups archive and the sentiment checkpoint, used only when the user has not
# chosen their own; with a network and none of these, lime_core downloads them itself.
SHARED="$(cd "$ROOT/.." && pwd)/shared"
if [ -z "${LIME_20NG_ARCHIVE:-}" ] && [ -f "$SHARED/data/20news-bydate.tar.gz" ]; then
  export LIME_20NG_ARCHIVE="$SHARED/data/20news-bydate.tar.gz"
fi
if [ -z "${LIME_SENTIMENT_MODEL:-}" ] && [ -d "$SHARED/models/minilm-rt-sentiment" ]; then
  export LIME_SENTIMENT_MODEL="$SHARED/models/minilm-rt-sentiment"
  export LIME_SENTIMENT_LANGUAGES="${LIME_SENTIMENT_LANGUAGES:-en}"  # the stand-in was trained on English reviews
fi
export LIME_CACHE_DIR="${LIME_CACHE_DIR:-$ROOT/.cache/lime_core}"
