"""A tiny instrumented app for the end-to-end test, run as its own process.

It imports the generated Python module, records every metric once through the typed helpers
(every label combination, gauges at 100), and serves on 127.0.0.1 with the stdlib WSGI server:
  GET /metrics                            the generated module's make_wsgi_app()
  GET /set?metric=<gauge>&value=<number>  calls set_<gauge>(value) (gauges without labels)
The port it got is written to --port-file once it is listening.

    python -m tests.e2e.stub_app --module generated/python/x_metrics.py --specs specs \
        --port-file /tmp/port
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from metricsctl.catalog import load_catalog
from metricsctl.catalog.naming import MetricType
from tests.targets.python_stub_calls import import_module_from, touch_every_metric

StartResponse = Callable[[str, list[tuple[str, str]]], Any]


class ThreadingServer(ThreadingMixIn, WSGIServer):
    """Prometheus scrapes every job at once; answer them concurrently."""

    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Prometheus scrapes every second; keep the log for errors."""


def control_app(module: Any, gauges: set[str]) -> Callable[[dict[str, Any], StartResponse],
                                                          Iterable[bytes]]:
    metrics_app = module.make_wsgi_app()

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/metrics":
            return metrics_app(environ, start_response)  # type: ignore[no-any-return]
        if path == "/set":
            query = parse_qs(environ.get("QUERY_STRING", ""))
            name, value = query.get("metric", [""])[0], query.get("value", [""])[0]
            if name not in gauges:
                start_response("404 Not Found", [("Content-Type", "text/plain")])
                return [f"no label-free gauge {name!r}\n".encode()]
            getattr(module, f"set_{name}")(float(value))
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [f"{name} = {value}\n".encode()]
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found\n"]

    return app


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--module", type=Path, required=True)
    parser.add_argument("--specs", type=Path, required=True)
    parser.add_argument("--port-file", type=Path, required=True)
    options = parser.parse_args(argv)

    result = load_catalog(options.specs)
    if result.catalog is None or not result.ok:
        print(f"the catalog in {options.specs} does not load", file=sys.stderr)
        return 1
    catalog = result.catalog
    module = import_module_from(options.module, "generated_metrics")
    touch_every_metric(module, catalog)
    gauges = {metric.name for metric in catalog.metrics.values()
              if metric.type is MetricType.GAUGE and not metric.labels}
    server = make_server("127.0.0.1", 0, control_app(module, gauges),
                         server_class=ThreadingServer, handler_class=QuietHandler)
    partial = options.port_file.with_suffix(".partial")
    partial.write_text(str(server.server_port), encoding="utf-8")
    partial.replace(options.port_file)  # the test never reads half a port number
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
