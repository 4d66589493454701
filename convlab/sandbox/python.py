"""The Python interpreter and the allowed packages, as the binds a sandboxed run needs.

The grader's own interpreter tree (``sys.base_prefix``) is bound read-only at /opt/python,
with its site-packages covered by an empty tmpfs; each allowed package (and its ``<name>.libs``
directory of vendored shared libraries, if any) is bound on its own under /opt/packages. So
the student sees the standard library and exactly the allowed packages: no torch, no scipy, no
project code, wherever the grader's virtualenv or home directory lives.
"""

from __future__ import annotations

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


def python_view(packages: Sequence[str] = ("numpy",)) -> PythonView:
    """Binds for the running interpreter plus ``packages`` (importable names, e.g. "numpy").

    Raises ``LookupError`` when a package is not installed for the grader.
    """
    base = Path(sys.base_prefix).resolve()
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    binds = [Bind(base, PYTHON_DIR)]
    purelib = Path(sysconfig.get_paths(vars={"base": str(base)})["purelib"])
    hidden: list[str] = []
    inside_site = (
        PYTHON_DIR + "/" + str(purelib.relative_to(base)) if purelib.is_relative_to(base) else None
    )
    if inside_site and purelib.is_dir():
        hidden.append(inside_site)
    # Site directories that live under /usr (Debian's dist-packages, /usr/local) are visible
    # through the read-only /usr bind: cover them too.
    for site_dir in {*site.getsitepackages(), str(purelib), "/usr/lib/python3/dist-packages"}:
        path = Path(site_dir)
        if path.is_relative_to("/usr") and path.is_dir():
            hidden.append(str(path))
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
        hidden=tuple(sorted(set(hidden))),
        env=env,
        packages_dir=PACKAGES_DIR,
        insecure_argv=(sys.executable, "-I", "-S", "-B"),
        insecure_packages_dir=host_site or str(purelib),
    )
