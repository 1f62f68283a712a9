"""A mutated-catalog corpus: the shipped specs and the small fixture, broken systematically.

Every case is a catalog directory built from one of the two base catalogs with one change:
a value replaced by another type or an extreme value (at every key, rotating through the
replacements), a file truncated, a key duplicated, bytes inserted, PromQL nested past any
sane depth, or a spec path that is not a regular file. `tests/test_fuzz_catalogs.py` runs
validate, lint and generate on each and requires a clean exit (0 or 1, no traceback, no
signal, bounded time and memory).
"""

from __future__ import annotations

import copy
import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import SHIPPED_SPECS, SMALL_CATALOG

BASES = {"specs": SHIPPED_SPECS, "small": SMALL_CATALOG}

# Stand-ins for values PyYAML cannot dump (or would quote): swapped into the dumped text.
HUGE_INT = "9" * 5000  # past Python's 4,300-digit int-str conversion limit
BIG_INT = "1" + "0" * 400  # an int no float can hold
_RAW = {"@HUGE_INT@": HUGE_INT, "@BIG_INT@": BIG_INT, "@NEG_HUGE@": "-" + HUGE_INT,
        "@FLOAT_OVERFLOW@": "1.0e+400", "@INF@": "-.inf", "@NAN@": ".nan",
        "@DEEP_PARENS@": "'" + "(" * 5000 + "up" + ")" * 5000 + "'",
        "@DEEPER_PARENS@": "'" + "(" * 50000 + "up" + ")" * 50000 + "'",
        "@PLUS_CHAIN@": "'" + " + ".join(["up"] * 20000) + "'",
        "@DEEP_CALLS@": "'" + "abs(" * 3000 + "up" + ")" * 3000 + "'",
        "@UNARY_CHAIN@": "'" + "-" * 20000 + "up'",
        "@DEEP_LIST@": "[" * 200 + "]" * 200,
        "@HUGE_DURATION@": "9" * 400 + "y",
        "@LONG_DURATION@": "9" * 5000 + "s"}

REPLACEMENTS: tuple[tuple[str, Any], ...] = (
    ("null", None),
    ("empty-string", ""),
    ("zero", 0),
    ("negative", -1),
    ("bool", True),
    ("empty-list", []),
    ("empty-map", {}),
    ("huge-int", "@HUGE_INT@"),
    ("big-int", "@BIG_INT@"),
    ("negative-huge-int", "@NEG_HUGE@"),
    ("float-overflow", "@FLOAT_OVERFLOW@"),
    ("minus-infinity", "@INF@"),
    ("nan", "@NAN@"),
    ("unicode", "ünïcødé ✓ 日本語 \u202eevil\u202c 🙂"),
    ("markup", "<script>alert(1)</script> | `tick` [x](y) [bold]:x:[/] {{ $labels.x }}"),
    ("null-byte", "a\x00b"),
    ("control-chars", "\x1b[31mred\x07\r\n"),
    ("long-string", "x" * 200_000),
    ("many-labels", [f"label_{i}" for i in range(10_000)]),
    ("deep-list", "@DEEP_LIST@"),
    ("nested-map", {"a": {"b": {"c": [1, {"d": None}]}}}),
    ("float", 0.1),
    ("promql-deep", "@DEEP_PARENS@"),
    ("duration-huge", "@HUGE_DURATION@"),
    ("duration-long", "@LONG_DURATION@"),
)

# Replacements tried at every expression (alerts, rules, panels and their queries).
PROMQL_REPLACEMENTS = ("@DEEP_PARENS@", "@DEEPER_PARENS@", "@PLUS_CHAIN@", "@DEEP_CALLS@",
                       "@UNARY_CHAIN@")

Setup = Callable[[Path], None]


@dataclass(frozen=True)
class Case:
    """One catalog: a base with some files replaced (None: removed), then `setup` run."""

    name: str
    base: str
    files: dict[str, bytes | None] = field(default_factory=dict)
    setup: Setup | None = None
    risky: bool = False  # worth running in a separate, resource-limited process
    # 10,000 panels, queries or alerts: valid work that takes longer than 20 s on a loaded
    # 2-core machine (lint and generate are linear in it); given 120 s.
    slow: bool = False

    def materialize(self, root: Path) -> Path:
        shutil.copytree(BASES[self.base], root,
                        ignore=shutil.ignore_patterns("schema", ".*"))
        for name, content in self.files.items():
            path = root / name
            if content is None:
                path.unlink()
            else:
                path.write_bytes(content)
        if self.setup is not None:
            self.setup(root)
        return root


def _dump(data: Any) -> bytes:
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1_000_000)
    for marker, raw in _RAW.items():
        text = text.replace(f"'{marker}'", raw).replace(marker, raw)
    return text.encode("utf-8")


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every path in a document, parents before children."""
    if prefix:
        yield prefix
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _paths(value, (*prefix, index))


def _replaced(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    changed = copy.deepcopy(data)
    node = changed
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = copy.deepcopy(value)
    return changed


def _spec_files(base: str) -> dict[str, str]:
    return {path.name: path.read_text(encoding="utf-8")
            for path in sorted(BASES[base].glob("*.yaml"))}


def value_cases(base: str, rounds: int, every: int = 1) -> Iterator[Case]:
    """A replacement at every `every`-th key path of every file; `rounds` per path, rotating
    through REPLACEMENTS so that each path meets different types."""
    counter = 0
    for name, text in _spec_files(base).items():
        data = yaml.safe_load(text)
        for index, path in enumerate(_paths(data)):
            if index % every:
                continue
            for round_ in range(rounds):
                label, value = REPLACEMENTS[(counter + round_ * 7) % len(REPLACEMENTS)]
                shown = ".".join(str(part) for part in path)
                yield Case(f"{base}/{name}:{shown}={label}", base,
                           {name: _dump(_replaced(data, path, value))},
                           risky=isinstance(value, str) and value.startswith("@"),
                           slow=label == "many-labels")
            counter += 1


def promql_cases(base: str) -> Iterator[Case]:
    """Every expression of every file replaced by each pathological expression."""
    for name, text in _spec_files(base).items():
        data = yaml.safe_load(text)
        expr_paths = [path for path in _paths(data) if path[-1] == "expr"]
        for path in expr_paths:
            for marker in PROMQL_REPLACEMENTS:
                shown = ".".join(str(part) for part in path)
                yield Case(f"{base}/{name}:{shown}={marker.strip('@').lower()}", base,
                           {name: _dump(_replaced(data, path, marker))}, risky=True)


def text_cases(base: str) -> Iterator[Case]:
    """Byte-level damage: truncation, duplicated lines, inserted bytes, odd encodings."""
    for name, text in _spec_files(base).items():
        raw = text.encode("utf-8")
        lines = text.splitlines(keepends=True)
        for fraction in (0.1, 0.37, 0.5, 0.83, 0.99):
            yield Case(f"{base}/{name}:truncated-{fraction}", base,
                       {name: raw[: int(len(raw) * fraction)]})
        middle = len(lines) // 2
        key_line = next((i for i in range(middle, len(lines)) if ":" in lines[i]), middle)
        yield Case(f"{base}/{name}:duplicated-line", base,
                   {name: "".join(lines[:key_line + 1] + lines[key_line:]).encode()})
        yield Case(f"{base}/{name}:null-byte", base,
                   {name: raw[: len(raw) // 2] + b"\x00" + raw[len(raw) // 2:]})
        yield Case(f"{base}/{name}:invalid-utf8", base, {name: raw + b"\nhelp: \xff\xfe\n"})
        yield Case(f"{base}/{name}:crlf", base, {name: raw.replace(b"\n", b"\r\n")})
        yield Case(f"{base}/{name}:bom", base, {name: b"\xef\xbb\xbf" + raw})
        yield Case(f"{base}/{name}:tab-indent", base,
                   {name: raw.replace(b"\n  ", b"\n\t", 1)})
        yield Case(f"{base}/{name}:empty", base, {name: b""})
        yield Case(f"{base}/{name}:document-marker", base, {name: b"---\n"})
        yield Case(f"{base}/{name}:two-documents", base, {name: raw + b"\n---\n" + raw})
        yield Case(f"{base}/{name}:removed", base, {name: None})
        yield Case(f"{base}/{name}:garbage", base, {name: bytes(range(256)) * 4})
        yield Case(f"{base}/{name}:flow-garbage", base, {name: b"{[{[{" * 1000})
        yield Case(f"{base}/{name}:anchors", base,
                   {name: raw + b"\nx: &a [1, 2]\ny: *a\nz: {<<: *a}\n"})


def _pipe(root: Path) -> None:
    os.mkfifo(root / "pipe.yaml")


def _link(target: str, name: str = "linked.yaml", directory: bool = False) -> Setup:
    def setup(root: Path) -> None:
        (root / name).symlink_to(target, target_is_directory=directory)
    return setup


def _big_file(size: int) -> Setup:
    def setup(root: Path) -> None:
        with (root / "big.yaml").open("wb") as handle:
            handle.write(b"domain: big\nmetrics:\n")
            handle.truncate(size)
    return setup


def many_alerts(size_limit: int) -> Setup:
    """A domain file of about `size_limit` bytes of alerts, each a valid expression."""
    return lambda root: _write_alerts(root, size_limit)


def _write_alerts(root: Path, size_limit: int) -> None:
    lines = ["domain: big\n", "metrics:\n", "  big_requests_total: {type: counter, help: R.}\n",
             "alerts:\n"]
    size = sum(map(len, lines))
    index = 0
    while size < size_limit - 200:
        line = (f"  BigAlert{index}: {{expr: 'sum by (job) (rate(big_requests_total"
                f"{{job=\"j{index}\"}}[5m])) > {index}', severity: warning}}\n")
        lines.append(line)
        size += len(line)
        index += 1
    (root / "big.yaml").write_text("".join(lines), encoding="utf-8")


def file_cases() -> Iterator[Case]:
    """Spec paths that are not regular files inside the catalog, and files at the limit."""
    yield Case("small:named-pipe", "small", setup=_pipe, risky=True)
    yield Case("small:link-to-dev-zero", "small", setup=_link("/dev/zero"), risky=True)
    yield Case("small:link-to-environ", "small", setup=_link("/proc/self/environ"), risky=True)
    yield Case("small:link-to-etc", "small", setup=_link("/etc", "etc", directory=True),
               risky=True)
    yield Case("small:dangling-link", "small", setup=_link("missing.yaml"))
    yield Case("small:9-MiB-file", "small", setup=_big_file(9 * 1024 * 1024), risky=True)
    yield Case("small:8-MiB-of-nul", "small", setup=_big_file(8 * 1024 * 1024 - 1), risky=True)
    yield Case("small:1-MiB-of-alerts", "small", setup=many_alerts(1 << 20), risky=True,
               slow=True)


def corpus(*, full: bool = False) -> list[Case]:
    """The corpus, in a stable order: every key of the small catalog with one replacement,
    every eighth key of the shipped specs, and the damaged small files. `full` (for
    measuring, not for every test run) adds a second replacement at every key of the small
    catalog, every third key of the specs and damaged spec files."""
    rounds, every = (2, 3) if full else (1, 8)
    return [*value_cases("small", rounds=rounds), *value_cases("specs", rounds=1, every=every),
            *promql_cases("small"), *text_cases("small"),
            *(text_cases("specs") if full else ()), *file_cases()]
