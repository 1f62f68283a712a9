"""Generation: render the targets, then write their files atomically or check them.

    render_targets(catalog, names) -> RenderedOutput      (render.py: in memory, validated;
                                                           workers.py: forked, for large ones)
    plan_output(out, rendered, ...) -> Plan               (plan.py: compare with the disk)
    apply_plan(plan)                                      (write.py: atomic, manifest-guarded)
    check_findings(plan) -> [CheckFinding]                (check.py: missing/stale/extra)

Only the standard library is imported here; targets import their own libraries when run.
"""

from metricsctl.generation.check import CheckFinding, Problem, check_findings
from metricsctl.generation.errors import GenerationError
from metricsctl.generation.plan import FileChange, Plan, Status, plan_output
from metricsctl.generation.render import RenderedOutput, Rendering, render_targets
from metricsctl.generation.workers import worth_forking
from metricsctl.generation.write import apply_plan

__all__ = [
    "CheckFinding",
    "FileChange",
    "GenerationError",
    "Plan",
    "Problem",
    "RenderedOutput",
    "Rendering",
    "Status",
    "apply_plan",
    "check_findings",
    "plan_output",
    "render_targets",
    "worth_forking",
]
