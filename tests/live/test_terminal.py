"""On a terminal, live-check shows what it reads and what it waits for, as push does:
a progress bar, each retry (attempt n of m, next try in s) and slow answers; `--quiet`
silences them, and without a terminal nothing of it is printed."""

from __future__ import annotations

from tests.conftest import run_metricsctl
from tests.exposition.body_server import Reply, serve
from tests.live.conftest import STORE
from tests.terminal import run_on_a_terminal, terminal_text

EXPOSITION = (b"# HELP store_checkouts_total Checkouts by outcome.\n"
              b"# TYPE store_checkouts_total counter\n"
              b'store_checkouts_total{outcome="paid"} 1\n')
SECRET = "prom-s3cret-token"


def flaky() -> Reply:
    """503 twice, then the exposition."""
    return Reply(b"busy\n", 503, then=Reply(b"busy\n", 503, then=Reply(EXPOSITION)))


def test_retries_are_shown_on_a_terminal_and_the_check_goes_on() -> None:
    with serve({"/metrics": flaky()}) as server:
        code, terminal, stdout = run_on_a_terminal(
            "live-check", str(STORE), "--url", f"{server.url}/metrics", "--fail-on", "never",
            env={"NO_COLOR": "1", "PROMETHEUS_TOKEN": SECRET})

    shown = terminal_text(terminal)
    assert code == 0, shown
    host = server.url.removeprefix("http://")
    for attempt in (1, 2):
        assert (f"GET {server.url}/metrics: {host} answered HTTP 503: busy; attempt {attempt} "
                "of 3 failed, next try in ") in shown
    assert b"exposed metrics in the catalog" in stdout
    assert SECRET not in shown


def test_a_slow_answer_is_announced_while_it_is_awaited() -> None:
    slow = Reply(b"# TYPE up gauge\nup 1\n", drip=0.15)  # about 3 s for the whole body
    with serve({"/metrics": slow}) as server:
        code, terminal, _ = run_on_a_terminal(
            "live-check", str(STORE), "--url", f"{server.url}/metrics", "--fail-on", "never",
            "--timeout", "20", env={"NO_COLOR": "1"})

    shown = terminal_text(terminal)
    assert code == 0, shown
    assert (f"GET {server.url}/metrics: waiting for the answer (2 s so far, attempt 1 of 3 "
            "gives up after 20 s)") in shown


def test_a_progress_bar_names_each_input() -> None:
    with serve({"/metrics": Reply(EXPOSITION)}) as server:
        code, terminal, _ = run_on_a_terminal(
            "live-check", str(STORE), "--url", f"{server.url}/metrics", "--url",
            f"{server.url}/metrics", "--fail-on", "never", env={"NO_COLOR": "1"})

    assert code == 0
    assert b"reading" in terminal and b"/2" in terminal


def test_quiet_silences_the_waiting_and_the_bar_but_not_the_result() -> None:
    with serve({"/metrics": flaky()}) as server:
        code, terminal, stdout = run_on_a_terminal(
            "live-check", str(STORE), "--url", f"{server.url}/metrics", "--fail-on", "never",
            "--quiet", env={"NO_COLOR": "1"})

    shown = terminal_text(terminal)
    assert code == 0
    assert "next try" not in shown and "reading" not in shown
    assert b"exposed metrics in the catalog" in stdout


def test_nothing_of_it_without_a_terminal() -> None:
    with serve({"/metrics": flaky()}) as server:
        result = run_metricsctl("live-check", STORE, "--url", f"{server.url}/metrics",
                                "--fail-on", "never")

    assert result.returncode == 0, result.stderr
    assert "next try" not in result.stderr and "reading" not in result.stderr
