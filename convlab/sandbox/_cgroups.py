"""Per-run cgroups (v1 memory, pids and cpuacct controllers) where the machine lets us create them.

The runner puts each sandboxed run into a fresh child of the grader's own cgroup, so a memory
limit covers every process the run starts, and an out-of-memory kill can be told apart from
other SIGKILLs afterwards. Everything here degrades to "no cgroup": the caller then relies on
rlimits alone.
"""

from __future__ import annotations

import contextlib
import errno
import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

ROOT = Path("/sys/fs/cgroup")

# Teardown of a killed run takes milliseconds; this bounds a stuck one.
REMOVE_WAIT_SECONDS = 2.0


def _own_path(controller: str) -> str | None:
    """This process's cgroup path for a v1 controller, from /proc/self/cgroup."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        parts = line.split(":", 2)
        if len(parts) == 3 and controller in parts[1].split(","):
            return parts[2]
    return None


@dataclass
class RunCgroups:
    """The cgroup directories of one run (either may be None when unavailable)."""

    memory: Path | None
    pids: Path | None
    cpuacct: Path | None = None

    @property
    def directories(self) -> list[Path]:
        return [d for d in (self.memory, self.pids, self.cpuacct) if d is not None]

    @property
    def procs_files(self) -> list[Path]:
        """The ``cgroup.procs`` files a process writes its pid into to join this run's groups."""
        return [d / "cgroup.procs" for d in self.directories]

    def cpu_seconds(self) -> float | None:
        """CPU time used by every process of the run (rusage misses those bwrap's pid 1 reaps)."""
        if self.cpuacct is None:
            return None
        try:
            return int((self.cpuacct / "cpuacct.usage").read_text()) / 1e9
        except (OSError, ValueError):
            return None

    def oom_killed(self) -> bool:
        """Whether the memory limit was hit (the kernel then kills or denies allocations)."""
        if self.memory is None:
            return False
        try:
            control = (self.memory / "memory.oom_control").read_text()
            for line in control.splitlines():
                key, _, value = line.partition(" ")
                if key == "oom_kill" and int(value) > 0:
                    return True
            return int((self.memory / "memory.failcnt").read_text()) > 0
        except (OSError, ValueError):
            return False

    def peak_memory(self) -> int | None:
        """The highest memory use of the run in bytes, when measured."""
        if self.memory is None:
            return None
        try:
            return int((self.memory / "memory.max_usage_in_bytes").read_text())
        except (OSError, ValueError):
            return None

    def remove(self) -> None:
        """Delete the groups once the run's last processes have left them.

        Call after the run's leader is reaped. Its other processes may still be exiting (the pid
        namespace is torn down after bwrap's pid 1 dies), and a group with a process in it
        cannot be removed yet: this retries for up to ``REMOVE_WAIT_SECONDS``, then leaves
        whatever is still busy.
        """
        deadline = time.monotonic() + REMOVE_WAIT_SECONDS
        busy = [d for d in self.directories if not _removed_or_failed(d)]
        while busy and time.monotonic() < deadline:
            time.sleep(0.001)
            busy = [d for d in busy if not _removed_or_failed(d)]


def _removed_or_failed(directory: Path) -> bool:
    """Try to remove a group: False only while a process in it keeps it busy."""
    try:
        directory.rmdir()
    except OSError as error:
        return error.errno != errno.EBUSY
    return True


def _make(controller: str, settings: dict[str, int]) -> Path | None:
    own = _own_path(controller)
    base = ROOT / controller
    if own is None or not base.is_dir():
        return None
    directory = base / own.lstrip("/") / f"convlab-{os.getpid()}-{uuid.uuid4().hex[:12]}"
    try:
        directory.mkdir()
    except OSError:
        return None
    try:
        for name, value in settings.items():
            (directory / name).write_text(str(value))
    except OSError:
        with contextlib.suppress(OSError):
            directory.rmdir()
        return None
    return directory


def create(memory_bytes: int, processes: int) -> RunCgroups:
    """Fresh memory and pids groups for one run, each None where it cannot be created."""
    memory = _make("memory", {"memory.limit_in_bytes": memory_bytes})
    if memory is not None:
        # Without swap accounting the file is absent; the RAM limit alone then applies.
        with contextlib.suppress(OSError):
            (memory / "memory.memsw.limit_in_bytes").write_text(str(memory_bytes))
    pids = _make("pids", {"pids.max": processes})
    return RunCgroups(memory=memory, pids=pids, cpuacct=_make("cpuacct", {}))


def remove_orphaned() -> int:
    """Remove the per-run groups that grading processes now gone left behind; how many.

    A grading process killed with SIGKILL never reaches the cleanup of its run: its worker's
    main process died (Celery's pool children follow it by the parent-death signal), the task's
    hard time limit, the OOM killer. Its sandbox dies with it (bubblewrap's --die-with-parent),
    leaving the run's groups empty. Each group is named after the process that made it; a group
    whose process still lives, or that still holds a process, is left alone.
    """
    removed = 0
    for controller in ("memory", "pids", "cpuacct"):
        own = _own_path(controller)
        base = ROOT / controller
        if own is None or not base.is_dir():
            continue
        for directory in (base / own.lstrip("/")).glob("convlab-*-*"):
            pid = directory.name.split("-")[1]
            if not pid.isdigit() or Path(f"/proc/{pid}").exists():
                continue
            try:
                directory.rmdir()
            except OSError:
                continue
            removed += 1
    return removed
