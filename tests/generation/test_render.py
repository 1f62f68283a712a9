"""Rendering runs every selected target in memory and refuses output it cannot write safely."""

from __future__ import annotations

from pathlib import Path

import pytest

from metricsctl.catalog import Catalog, load_catalog
from metricsctl.generation import GenerationError, render_targets
from tests.generation.fake_targets import (
    render_boards,
    render_failing,
    render_index,
    use_targets,
    write_shop_catalog,
)


@pytest.fixture
def catalog(tmp_path: Path) -> Catalog:
    result = load_catalog(write_shop_catalog(tmp_path / "specs"))
    assert result.ok and result.catalog is not None, result.diagnostics
    return result.catalog


def test_files_of_every_target_are_collected_sorted_by_path(
        monkeypatch: pytest.MonkeyPatch, catalog: Catalog) -> None:
    use_targets(monkeypatch, {"index": render_index, "boards": render_boards})

    rendered = render_targets(catalog, ["index", "boards"])

    assert list(rendered.files) == ["boards/orders.txt", "boards/stock.txt", "index.md"]
    assert rendered.files["index.md"].target == "index"
    assert rendered.paths_of("boards") == ["boards/orders.txt", "boards/stock.txt"]


def test_texts_are_normalised(monkeypatch: pytest.MonkeyPatch, catalog: Catalog) -> None:
    use_targets(monkeypatch, {"crlf": lambda _: {"a.txt": "one\r\ntwo\r\n\r\n", "b.txt": "x"}})

    rendered = render_targets(catalog, ["crlf"])

    assert rendered.files["a.txt"].data == b"one\ntwo\n"
    assert rendered.files["b.txt"].data == b"x\n"


def test_a_failing_target_is_reported_with_where_it_failed(
        monkeypatch: pytest.MonkeyPatch, catalog: Catalog) -> None:
    use_targets(monkeypatch, {"boards": render_boards, "failing": render_failing})

    with pytest.raises(GenerationError) as caught:
        render_targets(catalog, ["boards", "failing"])

    [problem] = caught.value.problems
    assert problem.startswith("target `failing` failed: RuntimeError: cannot render 2 metrics")
    assert "fake_targets.py:" in problem


def test_every_failing_target_is_reported_at_once(
        monkeypatch: pytest.MonkeyPatch, catalog: Catalog) -> None:
    use_targets(monkeypatch, {"one": render_failing, "two": lambda _: ["not", "a", "dict"]})

    with pytest.raises(GenerationError) as caught:
        render_targets(catalog, ["one", "two"])

    assert len(caught.value.problems) == 2
    assert "target `two` failed: TypeError: render() returned list" in caught.value.problems[1]


@pytest.mark.parametrize("path", ["../escape.txt", "/etc/cron.d/x", "a/../../b", "x\\y"])
def test_a_path_leaving_the_output_directory_is_refused(
        monkeypatch: pytest.MonkeyPatch, catalog: Catalog, path: str) -> None:
    use_targets(monkeypatch, {"evil": lambda _: {path: "pwned"}})

    with pytest.raises(GenerationError) as caught:
        render_targets(catalog, ["evil"])

    assert caught.value.problems[0].startswith(f"target `evil` produced an unsafe path {path!r}")


def test_two_targets_claiming_one_path_are_reported(
        monkeypatch: pytest.MonkeyPatch, catalog: Catalog) -> None:
    use_targets(monkeypatch, {"first": lambda _: {"shared.txt": "1"},
                              "second": lambda _: {"shared.txt": "2"}})

    with pytest.raises(GenerationError) as caught:
        render_targets(catalog, ["first", "second"])

    assert caught.value.problems == ["`shared.txt` is produced by two targets: `first` and "
                                     "`second`"]


def test_paths_differing_only_in_case_are_reported(
        monkeypatch: pytest.MonkeyPatch, catalog: Catalog) -> None:
    use_targets(monkeypatch, {"boards": lambda _: {"Orders.json": "1", "orders.json": "2"}})

    with pytest.raises(GenerationError, match="rendering failed") as caught:
        render_targets(catalog, ["boards"])

    assert "differ only in case" in caught.value.problems[0]


def test_a_file_where_another_file_needs_a_directory_is_reported(
        monkeypatch: pytest.MonkeyPatch, catalog: Catalog) -> None:
    use_targets(monkeypatch, {"a": lambda _: {"docs": "file"},
                              "b": lambda _: {"docs/metrics.md": "text"}})

    with pytest.raises(GenerationError) as caught:
        render_targets(catalog, ["a", "b"])

    assert caught.value.problems == ["`docs` is a file of target `a` and also a directory "
                                     "holding `docs/metrics.md` (b)"]


def test_non_text_content_is_reported(monkeypatch: pytest.MonkeyPatch, catalog: Catalog) -> None:
    use_targets(monkeypatch, {"bytes": lambda _: {"a.bin": b"\x00"}})

    with pytest.raises(GenerationError) as caught:
        render_targets(catalog, ["bytes"])

    assert caught.value.problems == ["target `bytes` produced bytes for `a.bin`, not text"]
