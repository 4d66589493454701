"""The Python interpreter and the allowed packages, as the binds a sandboxed run needs.

The grader's own interpreter tree (``sys.base_prefix``) is bound read-only at /opt/python,
and every site directory visible inside (its site-packages, and the system's under /usr) is
covered by an empty tmpfs; each allowed package (and its ``<name>.libs`` directory of vendored
shared libraries, if any) is bound on its own under /opt/packages. So the student sees the
standard library and exactly the allowed packages, whatever they append to ``sys.path``: no
torch, no scipy, no project code, wherever the grader's virtualenv or home directory lives.
"""

from __future__ import annotations

import glob
import importlib.util
import site
import sys
import sysconfig
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from convlab.sandbox.runner import Bind

__all__ = ["PACKAGES_DIR", "PYTHON_DIR", "PythonView", "python_view"]

PYTHON_DIR = "/opt/python"
PACKAGES_DIR = "/opt/packages"


@dataclass(frozen=True)
class PythonView:
    """How to start Python in the sandbox.

    ``argv`` starts the interpreter in isolated mode without ``site`` (so no .pth file or
    environment variable adds paths); the program must put ``packages_dir`` on ``sys.path``
    itself. ``insecure_argv`` and ``insecure_packages_dir`` are the host equivalents for the
    insecure development mode, which has no mount namespace.
    """

    argv: tuple[str, ...]
    binds: tuple[Bind, ...]
    hidden: tuple[str, ...]
    env: tuple[tuple[str, str], ...]
    packages_dir: str
    insecure_argv: tuple[str, ...]
    insecure_packages_dir: str


def _package_dirs(name: str) -> list[Path]:
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        raise LookupError(f"package {name!r} is not installed for the grader")
    package = Path(spec.origin).parent if spec.submodule_search_locations else Path(spec.origin)
    dirs = [package]
    libs = package.parent / f"{name}.libs"
    if libs.is_dir():
        dirs.append(libs)
    return dirs


def _site_dirs(base: Path) -> set[Path]:
    """Every directory of installed packages the sandbox could see: in the interpreter tree
    ``base`` (bound whole) and under /usr (bound whole), for any Python version."""
    found = {
        *map(Path, site.getsitepackages()),
        *map(Path, site.getsitepackages([str(base)])),
        Path(site.getusersitepackages()),
        *(Path(p) for scheme in ("purelib", "platlib") for p in _scheme_paths(base, scheme)),
    }
    for root in (str(base), "/usr", "/usr/local"):
        found.update(map(Path, glob.glob(f"{root}/lib*/python*/*-packages")))
    return {path.resolve() for path in found if path.is_dir()}


def _outermost(paths: set[str]) -> set[str]:
    """``paths`` less those inside another: an empty tmpfs over the outer one hides them too,
    and leaves no mount point to cover them with."""
    return {p for p in paths if not any(Path(p).is_relative_to(q) for q in paths - {p})}


def _scheme_paths(base: Path, key: str) -> list[str]:
    return [
        sysconfig.get_paths(vars={"base": str(base), "platbase": str(base)})[key],
        sysconfig.get_paths()[key],
    ]


def python_view(packages: Sequence[str] = ("numpy",)) -> PythonView:
    """Binds for the running interpreter plus ``packages`` (importable names, e.g. "numpy").

    Raises ``LookupError`` when a package is not installed for the grader.
    """
    base = Path(sys.base_prefix).resolve()
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    binds = [Bind(base, PYTHON_DIR)]
    purelib = Path(sysconfig.get_paths(vars={"base": str(base)})["purelib"])
    hidden: set[str] = set()
    for path in _site_dirs(base):
        # A directory is seen through the interpreter's bind, through the /usr bind, or both
        # (a system interpreter's base is /usr itself); one outside both is not visible at all.
        if path.is_relative_to(base):
            hidden.add(f"{PYTHON_DIR}/{path.relative_to(base)}")
        if path.is_relative_to("/usr"):
            hidden.add(str(path))
    host_site = None
    for name in packages:
        for directory in _package_dirs(name):
            binds.append(Bind(directory, f"{PACKAGES_DIR}/{directory.name}"))
            host_site = str(directory.parent)
    executable = f"{PYTHON_DIR}/bin/{version}"
    env = (("LD_LIBRARY_PATH", f"{PYTHON_DIR}/lib"),)
    return PythonView(
        argv=(executable, "-I", "-S", "-B"),
        binds=tuple(binds),
        hidden=tuple(sorted(_outermost(hidden))),
        env=env,
        packages_dir=PACKAGES_DIR,
        insecure_argv=(sys.executable, "-I", "-S", "-B"),
        insecure_packages_dir=host_site or str(purelib),
    )
