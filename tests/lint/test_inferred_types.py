"""adoption/inferred-type: a type `metricsctl import` guessed is reported until confirmed."""

from __future__ import annotations

from metricsctl.lint import lint_catalog
from tests.conftest import load_valid_catalog


def _findings(write_catalog, metric: str) -> list[str]:
    specs = write_catalog({"app.yaml": f"""
        domain: app
        metrics:
          {metric}
    """})
    return [f"{d.location}: {d.message}" for d in lint_catalog(load_valid_catalog(specs))
            if d.code == "adoption/inferred-type"]


def test_an_inferred_type_is_reported_at_its_inferred_line(write_catalog) -> None:
    found = _findings(write_catalog, """queue_depth:
            type: gauge
            inferred: true
            help: Jobs waiting.""")

    assert len(found) == 1
    assert found[0].endswith("app.yaml:5:15: the type of `queue_depth` (gauge) was inferred: "
                             "confirm it")


def test_a_declared_or_confirmed_type_is_not(write_catalog) -> None:
    assert _findings(write_catalog, """queue_depth:
            type: gauge
            inferred: false
            help: Jobs waiting.""") == []
