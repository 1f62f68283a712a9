"""The Go template checker, against hand-picked cases and against promtool itself."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from metricsctl.lint.go_template import check_template

VALID = [
    "plain text",
    "{{ $value | humanizePercentage }} of {{ $labels.route }} fail",
    '{{ printf "%.2f" $value }}',
    "{{ if gt $value 0.5 }}high{{ else }}low{{ end }}",
    '{{ range $i, $s := query "up" }}{{ $s | value }}{{ end }}',
    "{{- $labels.job -}} / {{ .Labels.instance }} = {{ .Value }}",
    "{{/* a comment */}}{{ $externalLabels.cluster }}",
    '{{ with query "up" }}{{ . | first | value | humanize }}{{ end }}',
    "{{ $x := 1 }}{{ $x }}",
    "{{ $value | }}",  # Go ends the pipeline at `}}`: a trailing bar is accepted
    '{{ reReplaceAll "(.*)" "$1" $labels.route | toUpper }}',
]
INVALID = {
    "{{ $value | humanise }}": ('function "humanise" not defined', 12),
    "{{ $lables.route }}": ('undefined variable "$lables"', 3),
    "{{ if true }}x": ("unexpected EOF: {{if}} has no {{end}}", 3),
    "x {{ end }}": ("unexpected {{end}}", 5),
    "{{ $value": ("unclosed action", 0),
    "{{ }}": ("missing value for command", 2),
    "{{ $value | | humanize }}": ("missing command before '|'", 12),
    "a {{ else }} b": ("unexpected {{else}}", 5),
    "{{ (humanize $value }}": ("unclosed left paren", 3),
    "{{ humanize ($value) ) }}": ("unexpected right paren", 21),
    '{{ "open }}': ("unclosed action", 0),
    "{{ $v := }}": ("missing value for command", 6),
}


@pytest.mark.parametrize("template", VALID)
def test_valid_templates_have_no_problems(template: str) -> None:
    assert check_template(template).problems == []


@pytest.mark.parametrize(("template", "expected"), list(INVALID.items()))
def test_invalid_templates_are_located(template: str, expected: tuple[str, int]) -> None:
    problems = check_template(template).problems

    assert [(p.message, p.offset) for p in problems] == [expected]


def test_label_and_value_references_are_collected() -> None:
    report = check_template("{{ $labels.route }} {{ .Labels.job }} {{ $value }} "
                            "{{ $externalLabels.cluster }}")

    assert report.label_references == [("route", 11), ("job", 31)]
    assert report.value_references == [41]
    assert report.external_label_references == [("cluster", 70)]


# From the Ceph mixin's CephOSDDown description: inside `range query` dot is each result.
CEPH_OSD_DOWN = ('The following OSDs are down: {{- range query "(ceph_osd_up * on(ceph_daemon) '
                 'group_left(hostname) ceph_osd_metadata) == 0" }} - {{ .Labels.ceph_daemon }} '
                 "on {{ .Labels.hostname }} {{- end }} (host {{ $labels.hostname }})")


def test_inside_range_and_with_dot_is_not_the_alert() -> None:
    report = check_template(CEPH_OSD_DOWN)

    # Only `$labels.hostname` reads the alert's labels; `.Labels.*` read the query results.
    assert report.problems == []
    assert report.label_references == [("hostname", CEPH_OSD_DOWN.rindex("hostname }}"))]


@pytest.mark.parametrize(("template", "alert_labels"), [
    ('{{ with query "up" }}{{ .Labels.job }}{{ end }}', []),
    ('{{ with query "up" }}{{ .Labels.job }}{{ else }}{{ .Labels.route }}{{ end }}', ["route"]),
    ("{{ with .Labels.route }}{{ . }}{{ end }}", ["route"]),  # the pipeline is outside
    ('{{ range query "up" }}{{ $labels.route }}{{ end }}', ["route"]),
    ("{{ if .Labels.route }}{{ .Labels.job }}{{ end }}{{ .Labels.method }}",
     ["route", "job", "method"]),
    ('{{ range query "up" }}{{ end }}{{ .Labels.job }}', ["job"]),
])
def test_alert_label_references_follow_the_dot(template: str, alert_labels: list[str]) -> None:
    report = check_template(template)

    assert report.problems == []
    assert [label for label, _ in report.label_references] == alert_labels


@pytest.mark.prometheus
@pytest.mark.parametrize("template", [*VALID, *INVALID, CEPH_OSD_DOWN])
def test_promtool_agrees(tmp_path: Path, template: str) -> None:
    promtool = shutil.which("promtool")
    assert promtool is not None, "promtool is required (apt-get install prometheus)"
    rule_file = tmp_path / "rules.yml"
    # JSON is YAML: the template is quoted exactly.
    rule_file.write_text(json.dumps({"groups": [{"name": "g", "rules": [{
        "alert": "A", "expr": "up == 0", "annotations": {"summary": template}}]}]}))

    result = subprocess.run([promtool, "check", "rules", str(rule_file)],
                            capture_output=True, text=True, check=False, timeout=60)

    we_accept = not check_template(template).problems
    assert (result.returncode == 0) == we_accept, result.stdout + result.stderr
