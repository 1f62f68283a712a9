"""Run the loopback Grafana by hand: `python -m tests.grafana_server --token T`."""

from __future__ import annotations

import argparse
import contextlib
import threading

from tests.grafana_server.server import GrafanaServer


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.grafana_server",
                                     description="A Grafana-compatible HTTP server on 127.0.0.1.")
    parser.add_argument("--token", action="append", default=[],
                        help="an Admin service-account token (repeatable)")
    parser.add_argument("--viewer-token", action="append", default=[],
                        help="a read-only (Viewer) token (repeatable)")
    arguments = parser.parse_args()
    tokens = dict.fromkeys(arguments.token, "Admin")
    tokens.update(dict.fromkeys(arguments.viewer_token, "Viewer"))
    with GrafanaServer(tokens=tokens) as grafana:
        print(f"Grafana-compatible server listening on {grafana.url} (Ctrl-C stops it)",
              flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
