#!/usr/bin/env bash
# Install everything the tests need, then run them all. Used by the README and by .ci/run.
#  - Debian's `prometheus` package (prometheus + promtool: the tests' independent oracle),
#  - a virtualenv in .venv with metricsctl and its test extras,
#  - ruff, mypy and the whole pytest suite.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v promtool >/dev/null 2>&1 || ! command -v prometheus >/dev/null 2>&1; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq prometheus >/dev/null
fi
# The Debian package may start a Prometheus service; the tests start their own on free ports.

python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[test]"

.venv/bin/ruff check metricsctl tests bench
.venv/bin/mypy
.venv/bin/pytest -n 2 "$@"
