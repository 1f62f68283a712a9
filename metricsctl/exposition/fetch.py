"""Fetch an exposition from a URL or a file, as bytes ready for `parse_exposition`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from metricsctl.exposition.http import FetchError, HttpGetter, HttpSettings

# What Prometheus itself sends: OpenMetrics preferred, the 0.0.4 text format accepted.
ACCEPT = ("application/openmetrics-text;version=1.0.0;q=0.9,"
          "text/plain;version=0.0.4;q=0.5,*/*;q=0.1")


@dataclass(frozen=True, slots=True)
class RawExposition:
    source: str  # the URL or the path, as findings will name it
    data: bytes
    content_type: str | None


def fetch_exposition(url: str, settings: HttpSettings | None = None,
                     getter: HttpGetter | None = None) -> RawExposition:
    """GET `url` (a /metrics endpoint); FetchError with a one-line message on failure."""
    if getter is None:
        with HttpGetter(settings or HttpSettings()) as own:
            return fetch_exposition(url, getter=own)
    body = getter.get(url, accept=ACCEPT)
    return RawExposition(url, body.data, body.content_type)


def read_exposition_file(path: Path, max_bytes: int = 256 * 1024 * 1024) -> RawExposition:
    """A file (`-` is not special); FetchError when it cannot be read or is too large."""
    try:
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except FileNotFoundError:
        raise FetchError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise FetchError(f"{path}: is a directory") from None
    except OSError as error:
        raise FetchError(f"{path}: cannot read: {error.strerror or error}") from None
    if len(data) > max_bytes:
        raise FetchError(f"{path}: larger than {max_bytes // (1024 * 1024)} MiB")
    return RawExposition(str(path), data, None)  # the format is told by its content
