"""Drive a generated Python metrics module the way a user would: through its typed helpers.

Used by the stub tests (promtool on the exposition) and by the end-to-end app. Argument
values come from the helpers' own type hints, so these calls also prove the hints are usable:
a `Literal[...]` label gets each of its values, a `bool` label both, a `str` label a name.
"""

from __future__ import annotations

import importlib.util
import itertools
import sys
import warnings
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any, Literal, get_args, get_origin, get_type_hints

from metricsctl.catalog.model import Catalog
from metricsctl.targets.python_stubs import build_module

VALUE_PARAMETERS = ("amount", "value", "return")


def import_module_from(path: Path, name: str | None = None) -> ModuleType:
    """Import a generated module from its file under a unique name (no sys.modules reuse)."""
    module_name = name or f"{path.stem}_{id(path)}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # dataclass/typing introspection looks modules up
    spec.loader.exec_module(module)
    return module


def label_values(annotation: Any) -> list[object]:
    """Every valid value of a label parameter's type (one example for `str`)."""
    if annotation is bool:
        return [True, False]
    if annotation is str:
        return ["example"]
    if get_origin(annotation) is Literal:
        return list(get_args(annotation))
    raise AssertionError(f"unexpected label annotation {annotation!r}")


def label_combinations(function: Any) -> Iterator[dict[str, object]]:
    """Keyword arguments for every combination of valid label values of a helper."""
    hints = get_type_hints(function)
    labels = {name: label_values(hint) for name, hint in hints.items()
              if name not in VALUE_PARAMETERS}
    for values in itertools.product(*labels.values()):
        yield dict(zip(labels, values, strict=True))


def touch_every_metric(module: ModuleType, catalog: Catalog,
                       gauge_values: Mapping[str, float] | None = None) -> int:
    """Record one sample for every label combination of every metric; returns the calls made.

    Counters are incremented by 1, histograms and summaries observe 0.3, gauges are set to
    `gauge_values[name]` (default 100).
    """
    calls = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # deprecated metrics still count
        for stub in build_module(catalog).metrics:
            helper = stub.functions[0]
            function = getattr(module, helper.name)
            for arguments in label_combinations(function):
                if helper.verb == "inc":
                    function(**arguments)
                elif helper.verb == "set":
                    function((gauge_values or {}).get(stub.metric.name, 100.0), **arguments)
                else:
                    function(0.3, **arguments)
                calls += 1
    return calls
