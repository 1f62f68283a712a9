"""A loopback Grafana-compatible HTTP server: the push tests' Grafana (and the benchmark's).

Grafana cannot be installed on our machines, so tests talk to this real HTTP server on
127.0.0.1, which follows shared/reference/grafana-http-api.md, instead of mocking requests.
Run it by hand with `python -m tests.grafana_server --token T`.
"""

from tests.grafana_server.faults import Faults
from tests.grafana_server.server import GrafanaServer, RequestRecord, TlsFiles, silent_url
from tests.grafana_server.state import GRAFANA_VERSION

__all__ = ["GRAFANA_VERSION", "Faults", "GrafanaServer", "RequestRecord", "TlsFiles",
           "silent_url"]
