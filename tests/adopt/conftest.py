"""Shared by the import tests: the fixtures directory and running an import."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "adopt"
RULE_FIXTURES = FIXTURES / "rules"
DASHBOARD_FIXTURES = FIXTURES / "dashboards"
