"""The distribution: every package listed, and a built wheel carries templates and schemas."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

PYPROJECT = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SETUPTOOLS = PYPROJECT["tool"]["setuptools"]


def _python_package_dirs(root: Path, prefix: str) -> set[str]:
    return {prefix + ("." + ".".join(p.parent.relative_to(root).parts) if p.parent != root
                      else "")
            for p in root.rglob("__init__.py") if "__pycache__" not in p.parts}


def test_every_package_directory_is_listed_in_pyproject() -> None:
    packages = set(SETUPTOOLS["packages"])
    on_disk = _python_package_dirs(REPO_ROOT / "metricsctl", "metricsctl")
    on_disk |= _python_package_dirs(REPO_ROOT / "templates", "metricsctl.templates")

    assert sorted(on_disk - packages) == [], "add these to [tool.setuptools] packages"
    assert sorted(packages - on_disk) == [], "listed but no such package directory"


def test_every_directory_of_python_modules_is_a_package() -> None:
    # A directory of modules without __init__.py would silently be left out of the wheel.
    missing = sorted(str(d.relative_to(REPO_ROOT)) for d in (REPO_ROOT / "metricsctl").rglob("*")
                     if d.is_dir() and d.name != "__pycache__" and any(d.glob("*.py"))
                     and not (d / "__init__.py").exists())

    assert missing == []


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    """A wheel built offline from a copy of the sources (the shared tree stays clean)."""
    source = tmp_path_factory.mktemp("source")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("metricsctl", "templates"):
        shutil.copytree(REPO_ROOT / name, source / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO_ROOT / name, source / name)
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "--no-index", "-q", "-w", str(dist), str(source)],
                   check=True, capture_output=True, text=True, timeout=300)
    [built] = dist.glob("metricsctl-*.whl")
    return zipfile.ZipFile(built)


def test_the_wheel_contains_the_schemas_templates_and_every_module(
        wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    expected = {f"metricsctl/catalog/schema/{p.name}"
                for p in (REPO_ROOT / "metricsctl/catalog/schema").glob("*.json")}
    expected |= {"metricsctl/templates/" + p.relative_to(REPO_ROOT / "templates").as_posix()
                 for p in (REPO_ROOT / "templates").rglob("*")
                 if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"}
    expected |= {p.relative_to(REPO_ROOT).as_posix()
                 for p in (REPO_ROOT / "metricsctl").rglob("*.py")}
    expected.add("metricsctl/py.typed")

    assert sorted(expected - names) == []
    assert not any(name.startswith(("templates/", "tests/")) for name in names)


def test_the_wheel_declares_the_console_script(wheel: zipfile.ZipFile) -> None:
    [entry_points] = [n for n in wheel.namelist() if n.endswith(".dist-info/entry_points.txt")]

    assert "metricsctl = metricsctl.cli:main" in wheel.read(entry_points).decode()
