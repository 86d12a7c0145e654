#!/usr/bin/env bash
# The README's main command: set up .venv/ and run the main job on the bundled sample workshop.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
WORKSHOP="${1:-2022-10-28-dataetik}"
.venv/bin/workshopnlp ingest --workshop "$WORKSHOP"
