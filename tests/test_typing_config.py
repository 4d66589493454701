"""mypy keeps the pure cores as strict as `mypy --strict`, which it accepts only for a whole run:
pyproject.toml sets each flag of `--strict` for them, in [tool.mypy] or in their override, and
that override names exactly the cores of the import-linter contract that keeps them framework-free.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from mypy.main import define_options

CONFIG = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml").read_text())


def pure_cores() -> set[str]:
    contracts = CONFIG["tool"]["importlinter"]["contracts"]
    (contract,) = [c for c in contracts if c["name"].startswith("Pure cores import no Django")]
    return set(contract["source_modules"])


def strict_override() -> dict[str, Any]:
    overrides = CONFIG["tool"]["mypy"]["overrides"]
    (override,) = [o for o in overrides if o.get("disallow_untyped_defs")]
    return dict(override)


def test_the_strict_override_names_every_pure_core_and_nothing_else() -> None:
    assert {m.removesuffix(".*") for m in strict_override()["module"]} == pure_cores()


def test_the_pure_cores_get_every_flag_of_strict() -> None:
    _, _, strict_flags = define_options()
    assert strict_flags  # mypy still lists them
    everywhere, override = CONFIG["tool"]["mypy"], strict_override()
    for flag, value in strict_flags:
        assert override.get(flag, everywhere.get(flag)) == value, flag
