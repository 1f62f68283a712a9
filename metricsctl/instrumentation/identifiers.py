"""Unique identifiers for a generated module, in any language.

Catalog names become identifiers in more than one way (`a:b` and `a_b` both want `a_b`, a
label may be called `class`), so a target hands them out through `IdentifierClaims`: first
come first served, with the language's reserved words and its own module names avoided.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

_WORD = re.compile(r"[0-9A-Za-z]+")


def camel_case(name: str) -> str:
    """`http_requests_total` -> `httpRequestsTotal` (words split at non-alphanumerics)."""
    parts: list[str] = _WORD.findall(name)
    if not parts:
        return ""
    return parts[0][:1].lower() + parts[0][1:] + pascal_case("_".join(parts[1:]))


def pascal_case(name: str) -> str:
    """`http_requests_total` -> `HttpRequestsTotal`."""
    return "".join(part[:1].upper() + part[1:] for part in _WORD.findall(name))


def snake_case(name: str) -> str:
    """`HttpRequests:total` -> `http_requests_total`."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    return "_".join(part.lower() for part in _WORD.findall(spaced))


def upper_snake(camel: str) -> str:
    """`OtherType` -> `OTHER_TYPE`."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", camel).upper()


class IdentifierClaims:
    """Hands out unique identifiers, first come first served (catalog order).

    `reserved` says whether a word cannot be an identifier (a keyword); `valid` checks the
    final name. `outer` claims (the module's, for a function's parameters) are avoided
    too, read-only.
    """

    def __init__(self, taken: Iterable[str] = (), outer: IdentifierClaims | None = None, *,
                 reserved: Callable[[str], bool], valid: Callable[[str], bool]) -> None:
        self._taken = set(taken)
        self._outer = outer
        self._reserved = reserved
        self._valid = valid

    def __contains__(self, name: str) -> bool:
        return name in self._taken or (self._outer is not None and name in self._outer)

    def inner(self, taken: Iterable[str] = ()) -> IdentifierClaims:
        """Claims for a nested scope (a function's parameters) that avoid these too."""
        return IdentifierClaims(taken, self, reserved=self._reserved, valid=self._valid)

    def claim(self, wanted: str) -> str:
        """`wanted`, else `wanted_` (the usual way around a keyword), else `wanted_2`..."""
        candidates = [wanted, f"{wanted}_"]
        name = next((c for c in candidates if c not in self and not self._reserved(c)), None)
        counter = 2
        while name is None or name in self:
            name, counter = f"{wanted}_{counter}", counter + 1
        if not self._valid(name):
            raise ValueError(f"cannot derive an identifier from {wanted!r}")
        self._taken.add(name)
        return name
