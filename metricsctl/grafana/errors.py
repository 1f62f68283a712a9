"""What can go wrong talking to Grafana, each with a one-line message that is safe to print.

Messages never contain credentials: they are built from the host, the status and Grafana's
own error message, never from request headers, and the client redacts them once more.
"""

from __future__ import annotations

from typing import ClassVar

from metricsctl.diagnostics import Diagnostic, Severity


class GrafanaError(Exception):
    """A failure reaching or using Grafana. `retryable` errors are worth another attempt."""

    code: ClassVar[str] = "grafana/error"
    retryable: ClassVar[bool] = False

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"

    def diagnostic(self) -> Diagnostic:
        return Diagnostic(self.code, Severity.ERROR, self.message, hint=self.hint)


class RefusedConnectionError(GrafanaError):
    code = "grafana/connection-refused"
    retryable = True


class DroppedConnectionError(GrafanaError):
    code = "grafana/connection-dropped"
    retryable = True


class NetworkError(GrafanaError):
    """Any other network failure (unreachable network, reset during connect...)."""

    code = "grafana/connection-failed"
    retryable = True


class GrafanaTimeoutError(GrafanaError):
    code = "grafana/timeout"
    retryable = True


class DnsError(GrafanaError):
    code = "grafana/dns"


class TlsError(GrafanaError):
    code = "grafana/tls"


class UnauthorizedError(GrafanaError):
    code = "grafana/unauthorized"


class ForbiddenError(GrafanaError):
    code = "grafana/forbidden"


class NotGrafanaError(GrafanaError):
    code = "grafana/not-grafana"


class UnavailableError(GrafanaError):
    """Grafana answers, but reports it cannot work (database failing, 5xx after retries)."""

    code = "grafana/unavailable"


class UnexpectedResponseError(GrafanaError):
    code = "grafana/unexpected-response"
