#!/usr/bin/env bash
# Create .venv/ at the repo root and install workshopnlp with everything it needs, offline-capable
# afterwards, with the exact versions of requirements-lock.txt. Idempotent: reinstalls only when
# pyproject.toml, the lock or this script changed. Usage: bash scripts/setup.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
if ! "$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)'; then
  echo "workshopnlp needs Python 3.11 (found: $("$PYTHON" --version 2>&1)). Set PYTHON=/path/to/python3.11." >&2
  exit 1
fi
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
stamp=".venv/.workshopnlp-installed"
want="$(cat pyproject.toml requirements-lock.txt scripts/setup.sh | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
  # Exact versions from requirements-lock.txt (regenerate with scripts/lock.sh): a fresh install gives the
  # same figures as the one the benchmarks were measured on.
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -c requirements-lock.txt -e ".[test]"
  # BERTopic without torch: its other requirements are in pyproject.toml (see [tool.workshopnlp] no-deps).
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -c requirements-lock.txt --no-deps "bertopic==0.17.4"
  .venv/bin/python -m ipykernel install --sys-prefix --name python3 >/dev/null
  echo "$want" > "$stamp"
fi
if [ "${1:-}" = "--with-browser" ] && ! { command -v chromium && command -v chromedriver; } >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-dejavu-core >/dev/null) \
      || echo "Could not install chromium: browser tests will be skipped." >&2
  else
    echo "chromium is not installed (apt-get install chromium): browser tests will be skipped." >&2
  fi
fi
echo "workshopnlp is installed in .venv/ ($(.venv/bin/workshopnlp --version))"
