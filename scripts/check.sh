#!/usr/bin/env bash
# The full check: lint, format, types, import contracts, then the test suite.
# Run from the repository root after installing the dev extras into .venv.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.venv/bin

# Map tests render pages in a real headless browser (Debian's chromium) and sheet tests read
# PDFs with poppler-utils (pdfinfo, pdftotext, pdftoppm). Install them when we can (root on
# Debian, as on a fresh machine of the project's kind); otherwise those tests skip and say why.
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
if [ ${#missing[@]} -gt 0 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing ${missing[*]} for the browser and document tests..."
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null) \
    || echo "could not install ${missing[*]}; the tests that need them will be skipped"
fi

echo "== file sizes";   "$bin/python" scripts/check_sizes.py
echo "== ruff check";   "$bin/ruff" check .
echo "== ruff format";  "$bin/ruff" format --check .
echo "== mypy";         "$bin/mypy"
echo "== lint-imports"; "$bin/lint-imports"
echo "== pytest";       "$bin/pytest" -q "$@"
