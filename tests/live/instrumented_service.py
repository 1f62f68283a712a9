"""A service instrumented with a generated Python module, for the live-check tests.

It imports the module `metricsctl generate` wrote, records every metric through its typed
helpers (every valid label combination; tests/targets/python_stub_calls.py), and serves the
module's registry on 127.0.0.1 with the module's own make_wsgi_app(), which answers
OpenMetrics or the text format as the client asks. Its port goes to --port-file.

    python -m tests.live.instrumented_service --module out/python/store_metrics.py \
        --specs tests/live/catalogs/store --port-file /tmp/port
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from metricsctl.catalog import load_catalog
from tests.targets.python_stub_calls import import_module_from, touch_every_metric


class ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Scraped every second: keep the log for errors."""


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--module", type=Path, required=True)
    parser.add_argument("--specs", type=Path, required=True,
                        help="the catalog the module was generated from")
    parser.add_argument("--port-file", type=Path, required=True)
    options = parser.parse_args(argv)
    result = load_catalog(options.specs)
    if result.catalog is None or not result.ok:
        print(f"the catalog in {options.specs} does not load", file=sys.stderr)
        return 1
    module = import_module_from(options.module, "service_metrics")
    touch_every_metric(module, result.catalog)
    server = make_server("127.0.0.1", 0, module.make_wsgi_app(), server_class=ThreadingServer,
                         handler_class=QuietHandler)
    partial = options.port_file.with_suffix(".partial")
    partial.write_text(str(server.server_port), encoding="utf-8")
    partial.replace(options.port_file)
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
