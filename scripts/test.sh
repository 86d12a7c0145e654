#!/usr/bin/env bash
# The README's test command: set up (if needed) and run the whole test suite.
# The suite runs on every core (pytest-xdist, at most 4 workers: each worker loads the Danish models and
# builds the session's fixtures once), a test file per worker at a time, so a file's module fixtures are
# built once. WORKSHOPNLP_TEST_WORKERS=0 runs it in this one process (e.g. for pdb).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --with-browser
cores="$(nproc 2>/dev/null || echo 1)"
workers="${WORKSHOPNLP_TEST_WORKERS:-$(( cores < 4 ? cores : 4 ))}"
exec .venv/bin/python -m pytest -n "$workers" --dist loadfile "$@"
