#!/usr/bin/env bash
# The full check: lint, format, types, import contracts, then the test suite.
# Run from the repository root after installing the dev extras into .venv.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.venv/bin

# Map tests render pages in a real headless browser (Debian's chromium). Install it when we
# can (root on Debian, as on a fresh machine of the project's kind); otherwise those tests skip
# and say why.
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing chromium for the browser tests..."
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
    || echo "could not install chromium; browser tests will be skipped"
fi

echo "== file sizes";   "$bin/python" scripts/check_sizes.py
echo "== ruff check";   "$bin/ruff" check .
echo "== ruff format";  "$bin/ruff" format --check .
echo "== mypy";         "$bin/mypy"
echo "== lint-imports"; "$bin/lint-imports"
echo "== pytest";       "$bin/pytest" -q "$@"
