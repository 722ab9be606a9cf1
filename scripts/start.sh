#!/usr/bin/env bash
# Start the dashboard on a fresh machine: virtual environment, requirements, bundled models, then Streamlit.
source "$(dirname "${BASH_SOURCE[0]}")/_env.sh"
ensure_venv requirements.txt
echo "==> preparing the bundled models"
"$PY" scripts/prepare_models.py
echo "==> starting the dashboard"
exec "$PY" -m streamlit run app.py "$@"
