"""No catalog crashes metricsctl: a mutated corpus through validate, lint and generate.

The corpus (tests/fuzz_corpus.py) breaks the shipped specs and the small fixture in every
way listed there: wrong types and extreme values at every key, truncated and damaged files,
pathological PromQL, spec paths that are not regular files. Each case runs in a forked
process limited to 1 GiB more address space and 20 s (tests/fuzz_runner.py); it must end
with exit 0 or 1 for each command, no traceback (generate's "target failed: KeyError"
counts as one), no signal, no overrun (120 s for the few cases of 10,000 panels or
alerts, which are valid work, linear but slow on a loaded 2-core machine). A few cases
also run as `python -m metricsctl` in a fresh process limited to 1 GiB in all, as users
run it.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fuzz_corpus import REPLACEMENTS, Case, corpus
from tests.fuzz_runner import run_case

CASES = corpus()
SHARDS = 8


def judge(case: Case, directory: Path) -> str | None:
    """None when the case ends cleanly, else what went wrong."""
    root = case.materialize(directory / "specs")
    outcome = run_case(root, directory / "generated", time_limit=120 if case.slow else 20)
    if outcome.clean:
        return None
    if outcome.timed_out:
        return f"{case.name}: still running after {outcome.seconds:.0f} s"
    if outcome.signal is not None:
        return f"{case.name}: killed by signal {outcome.signal}"
    return f"{case.name}: exit codes {outcome.exit_codes}; {outcome.crash}"


def test_the_corpus_is_large_and_covers_every_kind_of_damage() -> None:
    names = [case.name for case in CASES]
    assert len(names) == len(set(names)) and len(names) >= 365
    for label, _ in REPLACEMENTS:
        assert sum(name.endswith(f"={label}") for name in names) >= 10, label
    for damage in ("truncated-0.5", "duplicated-line", "null-byte", "invalid-utf8", "crlf",
                   "two-documents", "garbage", "anchors", "plus_chain", "deeper_parens",
                   "named-pipe", "link-to-environ", "link-to-etc", "9-MiB-file"):
        assert any(damage in name for name in names), damage


@pytest.mark.parametrize("shard", range(SHARDS))
def test_every_case_ends_with_a_message_not_a_crash(shard: int, tmp_path: Path) -> None:
    failures = [failure for index, case in enumerate(CASES[shard::SHARDS])
                if (failure := judge(case, tmp_path / str(index))) is not None]
    assert failures == []


FRESH_PROCESS_CASES = ("small:named-pipe", "small:link-to-environ", "small:link-to-dev-zero",
                       "small/shop.yaml:alerts.CheckoutsDeclined.expr=deeper_parens",
                       "small/shop.yaml:recording_rules.job:http_requests:rate5m.expr="
                       "plus_chain")


@pytest.mark.parametrize("name", FRESH_PROCESS_CASES)
def test_a_sample_in_a_fresh_process_limited_to_1_gib(name: str, tmp_path: Path) -> None:
    [case] = [case for case in CASES if case.name == name]
    root = case.materialize(tmp_path / "specs")
    secret = "glsa_fuzz-secret-7c1d"

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    for command in ("validate", "lint", "generate"):
        extra = ["--no-lint", "-o", str(tmp_path / "out")] if command == "generate" else []
        result = subprocess.run(
            [sys.executable, "-m", "metricsctl", command, str(root), *extra],
            env={**os.environ, "NO_COLOR": "1", "GRAFANA_TOKEN": secret},
            capture_output=True, text=True, timeout=20, check=False, preexec_fn=limit)
        output = result.stdout + result.stderr
        assert result.returncode == 1, (command, output[-2000:])
        assert "Traceback" not in output and secret not in output, (command, output[-2000:])
        assert f"{root}/" in output  # located
