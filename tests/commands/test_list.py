"""`metricsctl list`: tables of the catalog's entries."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import SHIPPED_SPECS, WriteCatalog


@pytest.mark.parametrize(("kind", "expected"), [
    ("metrics", ["venice_balance_diem", "http_request_duration_seconds", "active_users"]),
    ("alerts", ["LowDiemBalance", "ServiceDown", "ChatCostBudgetExceeded"]),
    ("dashboards", ["venice-api", "Service Overview", "ai-platform-business"]),
])
def test_list_shows_each_kind(kind: str, expected: list[str], cli: Callable[..., Any]) -> None:
    result = cli("list", SHIPPED_SPECS, "--kind", kind)
    assert result.exit_code == 0
    for text in expected:
        assert text in result.stdout


def test_list_refuses_an_invalid_catalog(write_catalog: WriteCatalog,
                                         cli: Callable[..., Any]) -> None:
    root = write_catalog({"a.yaml": "domain: a\nmetrics: {x: {type: gauge}}\n"})
    result = cli("list", root)
    assert result.exit_code == 1
    assert "catalog/missing-key" in result.stderr
