"""How a sandboxed run ended, decided from plain facts, and what to tell the student about it.

Pure: no I/O, no side effects. The runner gathers the facts (whether the sandbox started the
command, the leader's return code, whether the wall timer fired or a cap on output was passed,
what the memory cgroup recorded, the CPU time, the kept stderr) and ``classify_outcome`` turns
them into a ``Verdict``.
"""

from __future__ import annotations

import signal
from dataclasses import dataclass
from enum import StrEnum

from convlab.sandbox.limits import Limits, MiB

__all__ = ["Outcome", "Verdict", "classify_outcome"]


class Outcome(StrEnum):
    """How a run ended. Every value but OK and INTERNAL_ERROR is the submission's doing."""

    OK = "ok"
    RUNTIME_ERROR = "runtime_error"
    TIMEOUT = "timeout"
    MEMORY_EXCEEDED = "memory_exceeded"
    OUTPUT_TOO_LARGE = "output_too_large"
    KILLED_BY_SIGNAL = "killed_by_signal"
    INTERNAL_ERROR = "internal_error"


@dataclass(frozen=True)
class Verdict:
    """A run's outcome, and how its command ended: exactly one of exit_code and signal is set.

    ``message`` explains a non-OK outcome in words a student can act on; it is empty for OK.
    """

    outcome: Outcome
    message: str
    exit_code: int | None
    signal: int | None


_SIGNALS = frozenset(s.value for s in signal.Signals)


def classify_outcome(
    *,
    started: bool,
    returncode: int,
    timed_out: bool,
    output_capped: bool,
    oom_killed: bool,
    cpu_seconds: float,
    stderr: str,
    limits: Limits,
) -> Verdict:
    """Decide how a run ended; the first rule that matches wins.

    ``started``: the sandbox was set up and ran the command, as the sandbox itself reports it,
    never as the command's output or exit code say (the command is the student's: it can print
    "bwrap: ..." or exit 126 as well as bwrap can). A failed run that never started is the
    grader's fault; once started, every failure is the command's. ``returncode`` is the
    leader's, as ``os.waitstatus_to_exitcode`` gives it. ``timed_out``: the wall timer fired, or
    the command had not finished exiting by the deadline.
    ``output_capped``: stdout and stderr together, or the result channel, passed their cap and
    the run was stopped. ``oom_killed``: the run's memory cgroup recorded hitting its limit.
    ``cpu_seconds``: the CPU time of the whole run. ``stderr``: the kept text of stderr.
    """
    code, sig = _exit_code_and_signal(returncode)
    if output_capped:
        outcome = Outcome.OUTPUT_TOO_LARGE
    elif oom_killed and code != 0:
        # Only the cgroup tells an out-of-memory kill from any other SIGKILL. A run that hit the
        # limit and still exited 0 recovered from a failed allocation: that is a success.
        outcome = Outcome.MEMORY_EXCEEDED
    elif (
        timed_out
        or sig == signal.SIGXCPU
        # The CPU rlimit's hard limit, one second past the soft one, kills with SIGKILL.
        or (sig == signal.SIGKILL and cpu_seconds >= limits.cpu_seconds)
    ):
        outcome = Outcome.TIMEOUT
    elif sig is not None:
        outcome = Outcome.KILLED_BY_SIGNAL
    elif code == 0:
        outcome = Outcome.OK
    elif not started:
        outcome = Outcome.INTERNAL_ERROR
    elif _last_exception(stderr).endswith("MemoryError"):
        # An allocation the address-space rlimit refuses raises MemoryError (numpy's is
        # _ArrayMemoryError), and the memory cgroup never sees it.
        outcome = Outcome.MEMORY_EXCEEDED
    else:
        outcome = Outcome.RUNTIME_ERROR
    return Verdict(
        outcome=outcome,
        message=_describe(outcome, limits, code, sig, stderr),
        exit_code=code,
        signal=sig,
    )


def _exit_code_and_signal(returncode: int) -> tuple[int | None, int | None]:
    """(exit code, None) for a command that exited, (None, signal) for one a signal killed."""
    if returncode < 0:
        return None, -returncode
    if returncode > 128 and returncode - 128 in _SIGNALS:
        # bwrap's pid 1 reports a child killed by signal N as exit status 128 + N.
        return None, returncode - 128
    return returncode, None


def _last_exception(stderr: str) -> str:
    """The exception class name on a traceback's last line ("" when there is none)."""
    lines = stderr.strip().splitlines()
    return lines[-1].split(":", 1)[0].strip() if lines else ""


def _describe(
    outcome: Outcome, limits: Limits, code: int | None, sig: int | None, stderr: str
) -> str:
    if outcome is Outcome.TIMEOUT:
        return (
            f"Your code ran out of time (limit: {limits.cpu_seconds:g} s of CPU, "
            f"{limits.wall:g} s in all). Look for an infinite loop, or a loop in Python over "
            "every element where a vectorised numpy operation would do."
        )
    if outcome is Outcome.MEMORY_EXCEEDED:
        return (
            f"Your code used more memory than allowed ({limits.memory_bytes // MiB} MiB) and was "
            "stopped. Look for an array much larger than the output (for example a dense matrix "
            "built for a large input) or a list that grows without end."
        )
    if outcome is Outcome.OUTPUT_TOO_LARGE:
        return (
            f"Your code printed more than {limits.max_output_bytes // MiB} MiB and was stopped. "
            "Remove debugging prints inside loops."
        )
    if outcome is Outcome.KILLED_BY_SIGNAL and sig == signal.SIGXFSZ:
        return (
            f"Your code wrote a file larger than {limits.file_bytes // MiB} MiB and was stopped. "
            "Results are returned by your functions, not written to files."
        )
    if outcome is Outcome.KILLED_BY_SIGNAL:
        name = signal.Signals(sig).name if sig is not None and sig in _SIGNALS else str(sig)
        return (
            f"Your code was killed by signal {name}. A crash in native code (for example an "
            "out-of-bounds write through numpy's low-level APIs) or an attempt to start too "
            "many processes does this."
        )
    if outcome is Outcome.RUNTIME_ERROR:
        return f"Your code stopped with exit code {code}."
    if outcome is Outcome.INTERNAL_ERROR:
        return "The sandbox could not start (the grader's fault): " + stderr.strip()[:500]
    return ""
