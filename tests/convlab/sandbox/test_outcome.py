"""How a run ended: every rule of the pure classifier, and a pump that never leaves a command
running when supervising it raises."""

from __future__ import annotations

import os
import shutil
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from convlab import sandbox
from convlab.sandbox import _cgroups, runner
from convlab.sandbox.outcome import Outcome, classify_outcome
from tests.conftest import require

LIMITS = sandbox.Limits(cpu_seconds=2)  # 5 s of wall time


def _facts(**changes: Any) -> dict[str, Any]:
    """The facts of a run the sandbox started and that exited cleanly, with ``changes``."""
    facts: dict[str, Any] = {
        "started": True,
        "returncode": 0,
        "timed_out": False,
        "output_capped": False,
        "oom_killed": False,
        "cpu_seconds": 0.1,
        "stderr": "",
        "limits": LIMITS,
    }
    return {**facts, **changes}


TRACEBACK = 'Traceback (most recent call last):\n  File "<string>", line 1, in <module>\n'
BWRAP_FAILED = "bwrap: Can't mount proc on /newroot/proc: Operation not permitted\n"

# facts, outcome, exit code, signal, a part of the message: one row per rule, in rule order.
ROWS = [
    pytest.param(
        _facts(output_capped=True, timed_out=True, oom_killed=True, returncode=-9),
        Outcome.OUTPUT_TOO_LARGE, None, 9, "printed more than 8 MiB",
        id="output over its cap is too large whatever else happened",
    ),
    pytest.param(
        _facts(oom_killed=True, returncode=-9, cpu_seconds=2.0),
        Outcome.MEMORY_EXCEEDED, None, 9, "more memory than allowed (1024 MiB)",
        id="a kill after the memory cgroup hit its limit is memory exceeded, not a timeout",
    ),
    pytest.param(
        _facts(oom_killed=True, returncode=1),
        Outcome.MEMORY_EXCEEDED, 1, None, "more memory than allowed",
        id="a failed exit after the memory cgroup hit its limit is memory exceeded",
    ),
    pytest.param(
        _facts(oom_killed=True, returncode=0),
        Outcome.OK, 0, None, "",
        id="a clean exit after the memory cgroup hit its limit is ok",
    ),
    pytest.param(
        _facts(timed_out=True, returncode=-9),
        Outcome.TIMEOUT, None, 9, "ran out of time (limit: 2 s of CPU, 5 s in all)",
        id="the wall timer firing is a timeout",
    ),
    pytest.param(
        _facts(returncode=-24),
        Outcome.TIMEOUT, None, 24, "ran out of time",
        id="SIGXCPU from the cpu rlimit is a timeout",
    ),
    pytest.param(
        _facts(returncode=128 + 24),
        Outcome.TIMEOUT, None, 24, "ran out of time",
        id="a signal bwrap reports as exit status 128 plus its number is that signal",
    ),
    pytest.param(
        _facts(returncode=-9, cpu_seconds=2.0),
        Outcome.TIMEOUT, None, 9, "ran out of time",
        id="SIGKILL once the cpu limit is used up is a timeout",
    ),
    pytest.param(
        _facts(returncode=-9, cpu_seconds=1.9),
        Outcome.KILLED_BY_SIGNAL, None, 9, "killed by signal SIGKILL",
        id="SIGKILL before the cpu limit is used up is a kill by a signal",
    ),
    pytest.param(
        _facts(returncode=-25),
        Outcome.KILLED_BY_SIGNAL, None, 25, "wrote a file larger than 16 MiB",
        id="SIGXFSZ says a file grew too large",
    ),
    pytest.param(
        _facts(returncode=-11),
        Outcome.KILLED_BY_SIGNAL, None, 11, "killed by signal SIGSEGV",
        id="a crash is named by its signal",
    ),
    pytest.param(
        _facts(returncode=-40),
        Outcome.KILLED_BY_SIGNAL, None, 40, "killed by signal 40.",
        id="a signal without a name is given by its number",
    ),
    pytest.param(
        _facts(returncode=0),
        Outcome.OK, 0, None, "",
        id="a clean exit is ok and says nothing",
    ),
    pytest.param(
        _facts(started=False, returncode=1, stderr=BWRAP_FAILED),
        Outcome.INTERNAL_ERROR, 1, None, "could not start (the grader's fault): bwrap: Can't mount",
        id="a failed exit of a sandbox that never started is an internal error quoting stderr",
    ),
    pytest.param(
        _facts(started=False, returncode=1, stderr=TRACEBACK + "MemoryError\n"),
        Outcome.INTERNAL_ERROR, 1, None, "(the grader's fault)",
        id="whatever a sandbox that never started printed, it is an internal error",
    ),
    pytest.param(
        _facts(returncode=1, stderr=BWRAP_FAILED),
        Outcome.RUNTIME_ERROR, 1, None, "stopped with exit code 1.",
        id="a started command that prints what bwrap prints is the command's runtime error",
    ),
    pytest.param(
        _facts(returncode=126, stderr="prlimit: failed to execute /opt/python/bin/python3\n"),
        Outcome.RUNTIME_ERROR, 126, None, "stopped with exit code 126.",
        id="a started command that exits 126 is the command's runtime error",
    ),
    pytest.param(
        _facts(returncode=1, stderr=TRACEBACK + "MemoryError\n"),
        Outcome.MEMORY_EXCEEDED, 1, None, "more memory than allowed",
        id="a traceback ending in MemoryError is memory exceeded",
    ),
    pytest.param(
        _facts(returncode=1, stderr=TRACEBACK + "numpy.core._exceptions._ArrayMemoryError: "
               "Unable to allocate 8.00 GiB for an array\n"),
        Outcome.MEMORY_EXCEEDED, 1, None, "more memory than allowed",
        id="numpy's subclass of MemoryError is memory exceeded too",
    ),
    pytest.param(
        _facts(returncode=3, stderr=TRACEBACK + "ValueError: bad shape\n"),
        Outcome.RUNTIME_ERROR, 3, None, "stopped with exit code 3.",
        id="any other failed exit is a runtime error giving its code",
    ),
    pytest.param(
        _facts(returncode=128 + 40),
        Outcome.RUNTIME_ERROR, 168, None, "exit code 168.",
        id="an exit status above 128 that names no signal is an exit code",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("facts", "outcome", "exit_code", "signal", "says"), ROWS)
def test_it_classifies_how_a_run_ended(
    facts: dict[str, Any], outcome: Outcome, exit_code: int | None, signal: int | None, says: str
) -> None:
    verdict = classify_outcome(**facts)
    assert verdict.outcome is outcome
    assert (verdict.exit_code, verdict.signal) == (exit_code, signal)
    assert says in verdict.message
    assert (verdict.message == "") == (says == "")


@given(
    started=st.booleans(),
    returncode=st.integers(-64, 255),
    timed_out=st.booleans(),
    output_capped=st.booleans(),
    oom_killed=st.booleans(),
    cpu_seconds=st.floats(0, 10),
    stderr=st.one_of(
        st.sampled_from(["", "bwrap: x", "setpriv: x", TRACEBACK + "MemoryError"]), st.text()
    ),
)
def test_it_explains_every_outcome_but_ok_and_sets_one_of_exit_code_and_signal(
    started: bool,
    returncode: int,
    timed_out: bool,
    output_capped: bool,
    oom_killed: bool,
    cpu_seconds: float,
    stderr: str,
) -> None:
    verdict = classify_outcome(
        started=started,
        returncode=returncode,
        timed_out=timed_out,
        output_capped=output_capped,
        oom_killed=oom_killed,
        cpu_seconds=cpu_seconds,
        stderr=stderr,
        limits=LIMITS,
    )
    assert (verdict.message == "") == (verdict.outcome is Outcome.OK)
    assert (verdict.exit_code is None) != (verdict.signal is None)


class Interrupted(Exception):
    """Stands in for Celery's SoftTimeLimitExceeded, raised while a run is supervised."""


@pytest.fixture
def interrupt_at_first_output(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """Makes the pump raise ``Interrupted`` when the first output arrives; collects that output."""
    seen: list[bytes] = []

    def add(self: runner._HeadTail, data: bytes) -> None:
        seen.append(data)
        raise Interrupted

    monkeypatch.setattr(runner._HeadTail, "add", add)
    return seen


@pytest.fixture
def made_cgroups(monkeypatch: pytest.MonkeyPatch) -> list[_cgroups.RunCgroups]:
    """Records the per-run cgroups that runs create."""
    made: list[_cgroups.RunCgroups] = []
    create = _cgroups.create

    def recording_create(memory_bytes: int, processes: int) -> _cgroups.RunCgroups:
        made.append(create(memory_bytes, processes))
        return made[-1]

    monkeypatch.setattr(_cgroups, "create", recording_create)
    return made


def test_it_kills_and_reaps_the_command_when_supervising_it_raises(
    monkeypatch: pytest.MonkeyPatch, interrupt_at_first_output: list[bytes]
) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(Interrupted):
        sandbox.run(["/bin/sh", "-c", "echo $$; exec /usr/bin/sleep 60"], insecure=True)
    pid = int(b"".join(interrupt_at_first_output))
    with pytest.raises(ProcessLookupError):  # not running, and not a zombie either
        os.kill(pid, 0)


def test_it_leaves_no_process_or_cgroup_of_a_sandboxed_run_when_supervising_it_raises(
    interrupt_at_first_output: list[bytes], made_cgroups: list[_cgroups.RunCgroups]
) -> None:
    require(sandbox.bwrap_path() is not None, "bubblewrap is not installed")
    marker = f"60.{uuid.uuid4().int % 10**9:09d}"  # sleep's argument, to find it in /proc
    with pytest.raises(Interrupted):
        sandbox.run(["/bin/sh", "-c", f"echo started; exec /usr/bin/sleep {marker}"])
    assert interrupt_at_first_output == [b"started\n"]
    assert _gone(marker, within=5.0)
    assert [d for groups in made_cgroups for d in groups.directories if d.exists()] == []


def _gone(marker: str, within: float) -> bool:
    """Whether no process has ``marker`` in its command line, waiting up to ``within`` seconds.

    Without cgroups to wait on, the sandbox's pid namespace is torn down just after the run.
    """
    deadline = time.monotonic() + within
    while any(_cmdlines_with(marker)):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def _cmdlines_with(marker: str) -> list[bytes]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if marker.encode() in cmdline:
                found.append(cmdline)
    return found
