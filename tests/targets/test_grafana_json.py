"""grafanalib's output corrected to the dashboard model Grafana reads today."""

from __future__ import annotations

import pytest
from grafanalib import core as g

from metricsctl.targets.grafana_json import encode_grafanalib, normalize_grafanalib_json


def test_encoding_drops_nulls_and_prints_integral_floats_as_integers() -> None:
    data = encode_grafanalib({"a": None, "b": [1.0, 0.1, 2.5e-05, 1e20, None], "c": True})

    assert data == {"b": [1, 0.1, 2.5e-05, 1e20, None], "c": True}
    assert isinstance(data["b"][0], int) and isinstance(data["b"][3], float)


def test_encoding_refuses_what_is_not_grafanalib_or_json() -> None:
    with pytest.raises(TypeError):
        encode_grafanalib({"when": object()})


def test_base_threshold_step_is_null_not_the_string_null() -> None:
    stat = g.Stat(title="Up", id=1, gridPos=g.GridPos(4, 6, 0, 0),
                  targets=[g.Target(expr="up", refId="A")],
                  thresholds=[g.Threshold("green", 0, 0.0), g.Threshold("red", 1, 80.0)])

    dashboard = normalize_grafanalib_json(encode_grafanalib(g.Dashboard(title="D",
                                                                        panels=[stat])))

    steps = dashboard["panels"][0]["fieldConfig"]["defaults"]["thresholds"]["steps"]
    assert steps == [{"color": "green", "value": None}, {"color": "red", "value": 80}]


def test_legacy_dashboard_and_query_fields_are_removed() -> None:
    bar = g.BarGauge(title="Bars", id=1, gridPos=g.GridPos(8, 12, 0, 0),
                     targets=[g.Target(expr="up", refId="A")])

    dashboard = normalize_grafanalib_json(encode_grafanalib(g.Dashboard(title="D",
                                                                        panels=[bar])))

    assert dashboard["schemaVersion"] == 39
    assert not {"rows", "style", "id", "__inputs", "sharedCrosshair"} & set(dashboard)
    [panel] = dashboard["panels"]
    assert "fieldOptions" not in panel["options"]  # Grafana 6's bar gauge model
    assert "maxDataPoints" not in panel
    [target] = panel["targets"]
    assert target == {"editorMode": "code", "expr": "up", "format": "time_series",
                      "instant": False, "range": True, "refId": "A"}
