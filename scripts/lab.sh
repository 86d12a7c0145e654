#!/usr/bin/env bash
# Open the report notebooks in JupyterLab: bash scripts/lab.sh  (extra arguments go to `jupyter lab`).
# JupyterLab is not needed for the reports or the tests, so setup.sh does not install it; it is installed here
# on first use, with the lock as constraint so that no locked package (and no benchmark figure) changes.
# The .py files are the notebooks' jupytext pairs: open the .ipynb, and jupytext keeps both in step.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if ! .venv/bin/python -c "import jupyterlab" 2>/dev/null; then
  echo "Installerer JupyterLab i .venv (første gang) ..."
  .venv/bin/python -m pip install -q -c requirements-lock.txt "jupyterlab>=4,<5"
fi
exec .venv/bin/jupyter lab --notebook-dir=notebooks "$@"
