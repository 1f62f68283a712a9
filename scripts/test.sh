#!/usr/bin/env bash
# Install everything the tests need, then run them all. Used by the README and by .ci/run.
#  - Debian's `prometheus` (prometheus + promtool: the tests' independent oracle) and
#    `prometheus-node-exporter` (a real exporter nobody here wrote), Node.js and npm (the
#    tests install typescript, prom-client and @grafana/schema into temporary directories),
#  - a fresh virtualenv in .venv-test, built from pyproject.toml every run so the tests see
#    the newest dependency versions it allows, as a newcomer's machine would,
#  - ruff, mypy and the whole pytest suite.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v promtool >/dev/null 2>&1 && command -v prometheus >/dev/null 2>&1 \
    || missing+=(prometheus)
command -v prometheus-node-exporter >/dev/null 2>&1 || missing+=(prometheus-node-exporter)
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
if [ "${#missing[@]}" -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# The Debian packages may start services; the tests start their own on free ports.

rm -rf .venv-test
python3 -m venv .venv-test
.venv-test/bin/python -m pip install -q --upgrade pip
.venv-test/bin/python -m pip install -q --upgrade-strategy eager -e ".[test,preview]"
.venv-test/bin/python -m pip list --format freeze | sed 's/^/  /' | grep -iE \
    'typer|rich|pyyaml|jinja2|jsonschema|requests|grafanalib|prometheus.client|promql|matplotlib' \
    || true

.venv-test/bin/ruff check metricsctl tests bench
.venv-test/bin/mypy
.venv-test/bin/pytest -n 2 "$@"
