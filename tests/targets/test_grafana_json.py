"""The dashboard file text: exactly what json.dumps writes, faster."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from metricsctl.targets.grafana_json import json_text

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text()
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=30)


@given(json_values)
def test_json_text_is_json_dumps_with_two_space_indent_and_sorted_keys(value: Any) -> None:
    assert json_text(value) == json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)


def test_json_text_keeps_text_literal() -> None:
    assert json_text({"title": "Latenz – p99 \"ü\"\n"}) == (
        '{\n  "title": "Latenz – p99 \\"ü\\"\\n"\n}')


@pytest.mark.parametrize("bad", [math.nan, math.inf, object()])
def test_json_text_refuses_what_json_cannot_hold(bad: Any) -> None:
    with pytest.raises(ValueError, match="not JSON data"):
        json_text({"value": bad})
