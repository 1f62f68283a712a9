"""What the template-based targets share: the jinja2 environment and spec file names.

Templates live in the top-level `templates/` directory, shipped as `metricsctl.templates`.
Autoescaping is off on purpose: each target escapes for its own language through explicit
filters (Python string literals, Markdown table cells), so nothing reaches the output raw.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jinja2 import Environment

    from metricsctl.catalog.model import Catalog
    from metricsctl.instrumentation import Instrumentation


def template_environment(filters: Mapping[str, Callable[..., Any]]) -> Environment:
    """An environment over the shipped templates with a target's escaping filters.

    Undefined names fail the render instead of printing nothing.
    """
    from jinja2 import Environment, PackageLoader, StrictUndefined

    environment = Environment(loader=PackageLoader("metricsctl.templates", ""),
                              undefined=StrictUndefined, keep_trailing_newline=True,
                              trim_blocks=True, lstrip_blocks=True, autoescape=False)
    environment.filters.update(filters)
    return environment


def render_instrumentation_template(template: str, instrumentation: Instrumentation,
                                   catalog: Catalog, filters: Mapping[str, Callable[..., Any]],
                                   **view: object) -> str:
    """A shipped template rendered over the instrumentation model, as user templates are.

    Every template sees `instrumentation` (metricsctl.instrumentation) and `catalog`; a
    built-in target adds its language's view of the model (e.g. resolved identifiers).
    """
    environment = template_environment(filters)
    return environment.get_template(template).render(
        instrumentation=instrumentation, catalog=catalog, **view)


def spec_file(catalog: Catalog, display_path: str) -> str:
    """A document path relative to the specs directory (`specs/chat.yaml` -> `chat.yaml`).

    Document paths carry the specs directory as the user typed it; output must not depend
    on it (determinism, no absolute paths), and the project file always sits at its root.
    """
    project_file = catalog.project.source.file
    root = project_file.rsplit("/", 1)[0] + "/" if "/" in project_file else ""
    return display_path[len(root):] if root and display_path.startswith(root) else display_path


def spec_files(catalog: Catalog) -> list[str]:
    """Every spec file of the catalog relative to the specs directory, sorted."""
    return sorted(spec_file(catalog, path) for path in catalog.documents)
