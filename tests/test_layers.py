"""The pure cores load no framework when imported.

import-linter (pyproject.toml, run by `make test`) reads the import statements; these tests
import each pure core in a fresh interpreter and look at what actually got loaded, which also
catches a package `__init__` pulling Django or Celery in at run time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PURE_CORES = [
    "courses.academic_calendar",
    "roster.parsing",
    "convlab.kernels",
    "convlab.sandbox",
    "convlab.grading",
    "reviews.guidance",
    "presentations.scheduling",
    "demo.terms",
]
FRAMEWORKS = ("django", "rest_framework", "celery", "kombu", "courseportal")


def loaded_frameworks(module: str) -> dict[str, object]:
    """What importing `module` in a fresh interpreter loads of the frameworks, and whether it
    set DJANGO_SETTINGS_MODULE."""
    probe = (
        f"import json, os, sys, {module}\n"
        f"found = sorted(m for m in sys.modules if m.split('.')[0] in {FRAMEWORKS!r})\n"
        "print(json.dumps({'modules': found, "
        "'settings': os.environ.get('DJANGO_SETTINGS_MODULE')}))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    result: dict[str, object] = json.loads(done.stdout)
    return result


@pytest.mark.parametrize("module", PURE_CORES)
def test_it_imports_a_pure_core_without_loading_a_framework(module: str) -> None:
    assert loaded_frameworks(module) == {"modules": [], "settings": None}


def test_it_would_see_a_module_that_loads_django() -> None:
    # The check can fail: the shell's settings readers load Django, the shell loads Celery.
    found = loaded_frameworks("courseportal")
    modules = found["modules"]
    assert isinstance(modules, list)
    assert "django" in modules
    assert "celery" in modules
    assert found["settings"] == "courseportal.settings"
