#!/usr/bin/env bash
# The README's main command: set up .venv/ and run the whole chain on the bundled sample workshop.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
WORKSHOP="${1:-2022-10-28-dataetik}"
.venv/bin/workshopnlp run --workshop "$WORKSHOP"
echo "Rapporten ligger i: $(pwd)/reports/$WORKSHOP/index.html"
