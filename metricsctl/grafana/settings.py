"""Where Grafana is and how to log in: flags, environment and the project file.

The URL comes from `--grafana-url`, else `GRAFANA_URL`, else the project file's
`grafana.url`; credentials from `GRAFANA_TOKEN` (a service-account token, sent as Bearer)
or `GRAFANA_USER` + `GRAFANA_PASSWORD` (basic auth). Secrets are never part of a repr, a
message or a URL we print.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from metricsctl.grafana.redaction import header_safe_problem, redact, secret_forms

TOKEN_VARIABLE = "GRAFANA_TOKEN"
USER_VARIABLE = "GRAFANA_USER"
PASSWORD_VARIABLE = "GRAFANA_PASSWORD"
URL_VARIABLE = "GRAFANA_URL"


class SettingsError(Exception):
    """A usage error: the connection cannot even be attempted (exit code 2)."""


@dataclass(frozen=True, slots=True)
class Credentials:
    """A token (Bearer) or a user and password (basic auth)."""

    token: str | None = field(default=None, repr=False)
    user: str | None = None
    password: str | None = field(default=None, repr=False)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> Credentials:
        token = environ.get(TOKEN_VARIABLE, "").strip()
        if token:
            problem = header_safe_problem(token)
            if problem is not None:
                raise SettingsError(f"{TOKEN_VARIABLE} cannot be sent to Grafana: {problem}")
            return cls(token=token)
        user = environ.get(USER_VARIABLE, "")
        password = environ.get(PASSWORD_VARIABLE, "")
        if user and password:
            if ":" in user:
                raise SettingsError(f"{USER_VARIABLE} cannot contain `:` (basic auth separates "
                                    "the user from the password with it)")
            for name, value in ((USER_VARIABLE, user), (PASSWORD_VARIABLE, password)):
                if any(ord(character) < 0x20 or ord(character) == 0x7F for character in value):
                    raise SettingsError(f"{name} contains a control character (a line break?)")
            return cls(user=user, password=password)
        if user or password:
            missing = PASSWORD_VARIABLE if user else USER_VARIABLE
            raise SettingsError(f"{missing} is not set: basic auth needs both "
                                f"{USER_VARIABLE} and {PASSWORD_VARIABLE}")
        raise SettingsError(f"no Grafana credentials: set {TOKEN_VARIABLE} to a service-account "
                            f"token (or {USER_VARIABLE} and {PASSWORD_VARIABLE})")

    def describe(self) -> str:
        """How we authenticate, for messages (never the secret itself)."""
        if self.token is not None:
            return f"the token in {TOKEN_VARIABLE}"
        return f"user {self.user!r} ({USER_VARIABLE}/{PASSWORD_VARIABLE})"

    def secrets(self) -> tuple[str, ...]:
        """Every form the secret takes on the wire (see redaction.secret_forms)."""
        return secret_forms(self.token, self.user, self.password)

    def redact(self, text: str) -> str:
        """`text` with every secret (and any Authorization header value) replaced by ***."""
        return redact(text, self.secrets())

    def authorization(self) -> str:
        """The Authorization header value: Bearer, or Basic with UTF-8 user:password
        (RFC 7617; requests would encode it as Latin-1 and fail on other characters)."""
        if self.token is not None:
            return f"Bearer {self.token}"
        pair = f"{self.user or ''}:{self.password or ''}".encode()
        return "Basic " + base64.b64encode(pair).decode("ascii")


@dataclass(frozen=True, slots=True)
class ConnectionSettings:
    url: str  # no trailing slash, no credentials
    credentials: Credentials
    timeout: float = 10.0
    verify: bool | str = True  # False with --insecure, a CA bundle path with --ca-cert

    def __post_init__(self) -> None:
        if self.timeout <= 0:
            raise SettingsError("--timeout must be a positive number of seconds")


def resolve_url(flag: str | None, environ: Mapping[str, str], project_url: str | None) -> str:
    """The Grafana base URL, checked: http(s), a host, no credentials, no trailing slash."""
    if flag:
        url, origin = flag, "--grafana-url"
    elif environ.get(URL_VARIABLE, "").strip():
        url, origin = environ[URL_VARIABLE].strip(), URL_VARIABLE
    elif project_url:
        url, origin = project_url, "grafana.url in the project file"
    else:
        raise SettingsError(f"no Grafana URL: pass --grafana-url, set {URL_VARIABLE}, or set "
                            "grafana.url in metricsctl.yaml")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SettingsError(f"{origin}: {display_url(url)!r} is not an http:// or https:// URL")
    if parts.username is not None or parts.password is not None:
        raise SettingsError(f"{origin}: do not put credentials in the URL (it is printed); use "
                            f"{TOKEN_VARIABLE} or {USER_VARIABLE}/{PASSWORD_VARIABLE}")
    if parts.query or parts.fragment:
        raise SettingsError(f"{origin}: the Grafana URL takes no query or fragment")
    return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))


def display_url(url: str) -> str:
    """`url` without any user:password part, for messages."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


def tls_verification(ca_cert: Path | None, insecure: bool) -> bool | str:
    """requests' `verify`: the system store by default, a CA bundle, or off (--insecure)."""
    if ca_cert is not None and insecure:
        raise SettingsError("--ca-cert and --insecure contradict each other: choose one")
    if insecure:
        return False
    if ca_cert is not None:
        if not ca_cert.is_file():
            raise SettingsError(f"--ca-cert: {ca_cert} is not a file")
        return str(ca_cert)
    return True
