"""Isolated execution of untrusted code: one fresh bubblewrap sandbox per run, with limits.

Pure (no Django): ``run`` takes an argv and plain values and returns a ``RunResult``.
``python_view`` describes the interpreter and the allowed packages as binds for ``run``.
"""

from __future__ import annotations

from convlab.sandbox._cgroups import remove_orphaned as remove_orphaned_cgroups
from convlab.sandbox.limits import Limits
from convlab.sandbox.outcome import Outcome
from convlab.sandbox.python import PythonView, python_view
from convlab.sandbox.runner import (
    CHANNEL_ENV,
    Bind,
    RunResult,
    SandboxUnavailable,
    Wakeup,
    bwrap_path,
    run,
)

__all__ = [
    "CHANNEL_ENV",
    "Bind",
    "Limits",
    "Outcome",
    "PythonView",
    "RunResult",
    "SandboxUnavailable",
    "Wakeup",
    "bwrap_path",
    "python_view",
    "remove_orphaned_cgroups",
    "run",
]
