"""Target `alert-tests`: promtool unit tests for every alert, one file per rule file.

`prometheus/rules/<name>.rules.yml` gets `prometheus/tests/<name>.test.yml`. Tests are
synthesised from the catalog and the generated rule files (metricsctl.alert_tests);
`metricsctl test` runs them with promtool.
"""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING

from metricsctl.targets.templating import spec_file

if TYPE_CHECKING:
    from metricsctl.alert_tests.model import DomainTests
    from metricsctl.catalog.model import Catalog

NAME = "alert-tests"
DESCRIPTION = "promtool unit tests of every alert (prometheus/tests/*.test.yml)"

TESTS_DIRECTORY = "prometheus/tests"
_RULES_SUFFIX = ".rules.yml"


def test_file(rule_file: str) -> str:
    """The test file of a rule file (both relative to the output directory)."""
    name = posixpath.basename(rule_file).removesuffix(_RULES_SUFFIX)
    return f"{TESTS_DIRECTORY}/{name}.test.yml"


def synthesise(catalog: Catalog) -> dict[str, DomainTests]:
    """The tests of every rule file, by rule file path."""
    from metricsctl.alert_tests.rule_file import read_rule_file
    from metricsctl.alert_tests.synthesise import domain_tests
    from metricsctl.targets import prometheus_rules

    files = prometheus_rules.render(catalog)
    result = {}
    for path, text in files.items():
        domain = posixpath.basename(path).removesuffix(_RULES_SUFFIX).removesuffix(".slos")
        result[path] = domain_tests(catalog, domain, read_rule_file(path, text))
    return result


def render(catalog: Catalog) -> dict[str, str]:
    return render_tests(catalog, synthesise(catalog))


def render_tests(catalog: Catalog, synthesised: dict[str, DomainTests]) -> dict[str, str]:
    """The test files of already synthesised tests."""
    from metricsctl.alert_tests.promtool_file import render_test_file

    output = {}
    for path, tests in synthesised.items():
        if tests.empty and not tests.untested:
            continue
        domain = catalog.domains[tests.domain]
        output[test_file(path)] = render_test_file(
            tests, posixpath.basename(path), spec_file(catalog, domain.file))
    return output
