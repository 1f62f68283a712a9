"""Keep credentials out of everything we show: `redact(text, secrets)`.

Servers and proxies echo requests back in error bodies, so any text a server sent may hold
the token, the password, or the Authorization header built from them (`Bearer <token>`,
`Basic <base64 of user:password>`). `secret_forms` lists every form a secret can take on the
wire; `redact` replaces each of them, and any Authorization header value, with `***`.
Used for Grafana and Prometheus alike (no dependency on either).
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable
from urllib.parse import quote

REDACTED = "***"

# An Authorization header written out (`Authorization: Bearer x`, `"authorization": "Basic x"`,
# `authorization=x`): the value goes, whatever the scheme.
_AUTHORIZATION = re.compile(
    r"(?i)(\bauthorization[\"']?\s*[:=]\s*[\"']?)((?:bearer|basic|token)\s+)?[^\s\"',;}]+")
# A bearer credential anywhere (`Bearer glsa_...`); short words after "bearer" are prose.
_BEARER = re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/=-]{8,}")


def secret_forms(token: str | None = None, user: str | None = None,
                 password: str | None = None) -> tuple[str, ...]:
    """Every text a credential can appear as: itself, URL-encoded, inside a JSON string, and
    the basic-auth header value (base64 of `user:password`, padded or not); longest first."""
    forms: set[str] = set()
    for secret in (token, password):
        if secret:
            forms.update((secret, quote(secret, safe=""), quote(secret, safe="/"),
                          json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1]))
    if user is not None and password:
        for encoding in ("utf-8", "latin-1"):
            try:
                raw = f"{user}:{password}".encode(encoding)
            except UnicodeEncodeError:
                continue
            encoded = base64.b64encode(raw).decode("ascii")
            forms.update((encoded, encoded.rstrip("=")))
    return tuple(sorted(forms, key=lambda form: (-len(form), form)))


def redact(text: str, secrets: Iterable[str]) -> str:
    """`text` with every secret (see `secret_forms`) and every Authorization header value
    replaced by `***`."""
    for secret in secrets:
        if secret and secret in text:
            text = text.replace(secret, REDACTED)
    text = _AUTHORIZATION.sub(lambda match: f"{match[1]}{match[2] or ''}{REDACTED}", text)
    return _BEARER.sub(lambda match: f"{match[1]}{REDACTED}", text)


def header_safe_problem(value: str) -> str | None:
    """Why `value` cannot be sent in an HTTP header (None when it can), without quoting it:
    a control character or one outside Latin-1 (http.client encodes headers as Latin-1)."""
    for position, character in enumerate(value, start=1):
        if ord(character) > 0xFF:
            return (f"it contains a character outside Latin-1 at position {position} "
                    "(a typographic quote or dash pasted with it?)")
        if ord(character) < 0x20 or ord(character) == 0x7F:
            return f"it contains a control character at position {position} (a line break?)"
    return None
