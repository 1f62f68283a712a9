"""TLS for any HTTP client of metricsctl: what to verify against, and why a handshake failed."""

from __future__ import annotations

import os
import ssl
from collections.abc import Iterator


def session_verification(verify: bool | str) -> bool | str:
    """--ca-cert and --insecure win; by default REQUESTS_CA_BUNDLE or CURL_CA_BUNDLE when set
    (as requests and curl do), else the system's trust store."""
    if verify is not True:
        return verify
    return os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True


def error_causes(error: BaseException) -> Iterator[BaseException]:
    """The exception and everything it wraps (urllib3's `.reason`, args, causes)."""
    seen: set[int] = set()
    pending: list[BaseException] = [error]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        nested = [getattr(current, "reason", None), current.__cause__, current.__context__,
                  *current.args]
        pending.extend(item for item in nested if isinstance(item, BaseException))


def tls_failure_reason(error: BaseException) -> str:
    """Why a TLS handshake failed, in words (`certificate verify failed: ...`)."""
    for cause in error_causes(error):
        if isinstance(cause, ssl.SSLCertVerificationError) and cause.verify_message:
            return f"certificate verify failed: {cause.verify_message}"
        if isinstance(cause, ssl.SSLError) and cause.reason:
            reason = str(cause.reason).replace("_", " ").lower()
            if cause.reason == "WRONG_VERSION_NUMBER":
                reason += " (is the server speaking plain http?)"
            return reason
    return "handshake failed"
