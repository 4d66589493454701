"""Run one untrusted command in a fresh bubblewrap sandbox, with limits, and say how it ended.

Isolation (bubblewrap, run by root): new pid, network, ipc, uts and cgroup namespaces; an empty
root with only the system's /usr (read-only), the binds the caller names (read-only unless
marked writable), a minimal /proc and /dev, and a private size-capped tmpfs at /tmp; no
inherited environment. Inside, ``setpriv`` drops to a random unprivileged uid (one per run, so
runs share no process count and cannot signal each other) with no
capabilities and ``no_new_privs``, and ``prlimit`` sets the rlimits (CPU, address space,
processes, file size, open files, no core dumps) before the command runs. Memory and process
counts are also capped by per-run cgroups when the machine offers them. The wall timer kills the
outer bwrap; ``--die-with-parent`` and the pid namespace then take every process of the run
with it.

When bubblewrap is missing, ``run`` raises ``SandboxUnavailable`` unless the caller passes
``insecure=True`` (a development setting): the command then runs as a plain child process with
the rlimits only, and the result says so.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import resource
import secrets
import selectors
import shutil
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from convlab.sandbox import _cgroups

__all__ = [
    "CHANNEL_ENV",
    "Bind",
    "Limits",
    "Outcome",
    "RunResult",
    "SandboxUnavailable",
    "bwrap_path",
    "run",
]

MiB = 1 << 20

# Names the fd of the optional result channel (a pipe back to the grader) in the command's env.
CHANNEL_ENV = "CONVLAB_CHANNEL_FD"


class SandboxUnavailable(RuntimeError):
    """The sandbox cannot run here (no bubblewrap, or not allowed to set it up)."""


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
class Limits:
    """Resource limits of one run. The wall limit is at least twice the CPU limit."""

    cpu_seconds: float = 10.0
    wall_seconds: float = 0.0  # 0: twice the CPU limit plus one second
    memory_bytes: int = 1024 * MiB
    processes: int = 64
    file_bytes: int = 16 * MiB
    open_files: int = 64
    tmp_bytes: int = 64 * MiB
    kept_output_bytes: int = 32 * 1024  # of each of stdout and stderr, half head, half tail
    max_output_bytes: int = 8 * MiB  # more than this on stdout + stderr stops the run
    max_channel_bytes: int = 64 * MiB

    @property
    def wall(self) -> float:
        """The wall-clock limit in seconds."""
        return max(self.wall_seconds, 2 * self.cpu_seconds + 1.0)


@dataclass(frozen=True)
class Bind:
    """A host path made visible inside the sandbox at ``target`` (read-only unless writable)."""

    source: Path
    target: str
    writable: bool = False


@dataclass(frozen=True)
class RunResult:
    """What one run did. ``message`` explains a non-OK outcome in words a student can act on."""

    outcome: Outcome
    message: str
    exit_code: int | None
    signal: int | None
    stdout: str
    stderr: str
    output_truncated: bool
    wall_seconds: float
    cpu_seconds: float
    peak_memory_bytes: int | None
    channel: bytes = b""
    sandboxed: bool = True
    setup_seconds: float = 0.0
    notes: tuple[str, ...] = field(default_factory=tuple)


class _HeadTail:
    """Keeps the first and last ``keep/2`` bytes of a stream and counts the rest."""

    def __init__(self, keep: int) -> None:
        self.half = max(keep // 2, 1)
        self.head = bytearray()
        self.tail = bytearray()
        self.total = 0

    def add(self, data: bytes) -> None:
        self.total += len(data)
        room = self.half - len(self.head)
        if room > 0:
            self.head += data[:room]
            data = data[room:]
        if data:
            self.tail += data
            if len(self.tail) > self.half:
                del self.tail[: len(self.tail) - self.half]

    @property
    def truncated(self) -> bool:
        return self.total > len(self.head) + len(self.tail)

    def text(self) -> str:
        head = self.head.decode("utf-8", "replace")
        if not self.truncated:
            return head + self.tail.decode("utf-8", "replace")
        dropped = self.total - len(self.head) - len(self.tail)
        tail = self.tail.decode("utf-8", "replace")
        return f"{head}\n[... {dropped} bytes of output not kept ...]\n{tail}"


def bwrap_path() -> str | None:
    """The bubblewrap executable, or None when it is not installed."""
    return shutil.which("bwrap")


def _prlimit_args(limits: Limits, cgroup_memory: bool) -> list[str]:
    cpu = max(1, int(limits.cpu_seconds + 0.999))
    # With a memory cgroup the address-space limit only stops absurd single allocations early;
    # without one it is the memory limit.
    address_space = limits.memory_bytes * 4 if cgroup_memory else limits.memory_bytes
    return [
        "/usr/bin/prlimit",
        f"--cpu={cpu}:{cpu + 1}",
        f"--as={address_space}",
        f"--nproc={limits.processes}",
        f"--fsize={limits.file_bytes}",
        f"--nofile={limits.open_files}",
        "--core=0",
        "--",
    ]


# The sandbox's own private tmpfs, never the host's /tmp.
TMP = "/tmp"  # noqa: S108

_ENV = {
    "PATH": "/usr/bin:/bin",
    "HOME": TMP,
    "TMPDIR": TMP,
    "LANG": "C.UTF-8",
    "PYTHONDONTWRITEBYTECODE": "1",
    "PYTHONUNBUFFERED": "1",
    # One BLAS thread: predictable CPU time, and no thread pool counted against the process cap.
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}


def _bwrap_argv(
    bwrap: str,
    argv: Sequence[str],
    binds: Sequence[Bind],
    hidden: Sequence[str],
    env: Mapping[str, str],
    limits: Limits,
    cgroup_memory: bool,
    uid: int,
) -> list[str]:
    command = [
        bwrap,
        "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
        "--unshare-cgroup-try", "--die-with-parent", "--new-session", "--clearenv",
        "--ro-bind", "/usr", "/usr",
        "--symlink", "usr/bin", "/bin", "--symlink", "usr/lib", "/lib",
        "--symlink", "usr/lib64", "/lib64", "--symlink", "usr/sbin", "/sbin",
        "--proc", "/proc", "--dev", "/dev",
        "--size", str(limits.tmp_bytes), "--perms", "1777", "--tmpfs", TMP,
    ]  # fmt: skip
    for path in hidden:
        command += ["--tmpfs", path, "--remount-ro", path]
    made: set[str] = {"/", "/usr", TMP, "/proc", "/dev"}
    for bind in binds:
        # bwrap creates missing parents as 0700 root directories: make them traversable.
        parents = list(Path(bind.target).parents)[::-1][1:]
        for parent in map(str, parents):
            if parent not in made:
                command += ["--perms", "0755", "--dir", parent]
                made.add(parent)
        command += ["--bind" if bind.writable else "--ro-bind", str(bind.source), bind.target]
    for key, value in {**_ENV, **env}.items():
        command += ["--setenv", key, value]
    command += ["--chdir", TMP]
    if os.geteuid() == 0:
        command += [
            "/usr/bin/setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
            "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--",
        ]  # fmt: skip
    else:
        # Not root: bwrap itself runs as the (unprivileged) grader user, inside a user namespace.
        command[1:1] = ["--unshare-user", "--uid", "65534", "--gid", "65534"]
    command += _prlimit_args(limits, cgroup_memory)
    return command + list(argv)


def _translate(argv: Sequence[str], binds: Sequence[Bind]) -> list[str]:
    """Inside paths -> host paths, for the insecure mode that has no mount namespace."""
    out = []
    for arg in argv:
        for bind in binds:
            if arg == bind.target or arg.startswith(bind.target + "/"):
                arg = str(bind.source) + arg[len(bind.target) :]
                break
        out.append(arg)
    return out


def _kill(pid: int, reaped: bool) -> None:
    """SIGKILL the run's session (its pgid is the leader's pid) and, if not reaped, the leader.

    Popen's own kill() would poll and reap the child, losing the rusage that wait4 returns.
    """
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)
    if not reaped:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def _describe(outcome: Outcome, limits: Limits, code: int | None, sig: int | None) -> str:
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
    return ""


_SIGNALS = {s.value for s in signal.Signals}


def _last_exception(stderr: str) -> str:
    """The exception class name on a traceback's last line ("" when there is none)."""
    lines = stderr.strip().splitlines()
    return lines[-1].split(":", 1)[0].strip() if lines else ""


def run(
    argv: Sequence[str],
    *,
    binds: Sequence[Bind] = (),
    hidden: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    limits: Limits | None = None,
    channel: bool = False,
    insecure: bool = False,
) -> RunResult:
    """Run ``argv`` (paths as seen inside) in a fresh sandbox and wait for it to end.

    ``binds`` are the only host paths visible besides /usr; ``hidden`` are paths under /usr to
    cover with empty read-only tmpfs (other interpreters' site-packages). ``env`` adds variables
    to a minimal environment. With ``channel`` the command gets a pipe (its fd number in
    ``$CONVLAB_CHANNEL_FD``) whose bytes (up to ``limits.max_channel_bytes``) come back in
    ``RunResult.channel``. Never raises for anything the command does; raises
    ``SandboxUnavailable`` when bubblewrap is missing and ``insecure`` is false, or when the
    sandbox cannot be started at all.
    """
    limits = limits or Limits()
    env = dict(env or {})
    bwrap = bwrap_path()
    if bwrap is None and not insecure:
        raise SandboxUnavailable(
            "bubblewrap (bwrap) is not installed, so student code cannot be isolated and the "
            "grader refuses to run it. Install the Debian package 'bubblewrap', or, on a "
            "development machine only, turn on the insecure no-sandbox setting."
        )
    sandboxed = bwrap is not None
    started = time.monotonic()
    read_end = write_end = -1
    if channel:
        read_end, write_end = os.pipe()
        env[CHANNEL_ENV] = str(write_end)
    groups = _cgroups.create(limits.memory_bytes, limits.processes) if sandboxed else None
    cgroup_memory = groups is not None and groups.memory is not None
    if bwrap is not None:
        uid = 200_000 + secrets.randbelow(100_000)
        command = _bwrap_argv(bwrap, argv, binds, hidden, env, limits, cgroup_memory, uid)
    else:
        command = _prlimit_args(limits, False) + _translate(argv, binds)
    if groups is not None and groups.procs_files:
        # Join the run's cgroups before bwrap starts, so every process it forks is inside.
        joins = " && ".join(f'echo $$ > "{p}"' for p in groups.procs_files)
        command = ["/bin/sh", "-c", f'{joins} && exec "$@"', "sh", *command]
    try:
        result = _supervise(
            command, limits, groups, read_end, write_end, env if not sandboxed else {}, started
        )
    finally:
        if groups is not None:
            groups.remove()
    notes = () if sandboxed else ("ran WITHOUT a sandbox (insecure development setting)",)
    return dataclasses.replace(result, sandboxed=sandboxed, notes=notes)


def _supervise(
    command: list[str],
    limits: Limits,
    groups: _cgroups.RunCgroups | None,
    read_end: int,
    write_end: int,
    plain_env: Mapping[str, str],
    started: float,
) -> RunResult:
    try:
        process = subprocess.Popen(  # noqa: S603 - the sandbox's own argv, never a shell string
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            pass_fds=(write_end,) if write_end >= 0 else (),
            start_new_session=True,
            env={**_ENV, **plain_env},
        )
    except OSError as error:
        for fd in (read_end, write_end):
            if fd >= 0:
                os.close(fd)
        raise SandboxUnavailable(f"could not start the sandbox: {error}") from error
    if write_end >= 0:
        os.close(write_end)
    setup = time.monotonic() - started
    assert process.stdout is not None
    assert process.stderr is not None
    out = _HeadTail(limits.kept_output_bytes)
    err = _HeadTail(limits.kept_output_bytes)
    streams = {process.stdout.fileno(): out, process.stderr.fileno(): err}
    channel_data = bytearray()
    selector = selectors.DefaultSelector()
    for fd in streams:
        selector.register(fd, selectors.EVENT_READ)
    if read_end >= 0:
        selector.register(read_end, selectors.EVENT_READ)
    deadline = started + limits.wall
    timed_out = too_much = False
    waited: tuple[int, resource.struct_rusage] | None = None
    exited_at: float | None = None
    while selector.get_map() and not too_much:
        now = time.monotonic()
        if now >= deadline:
            timed_out = True
            break
        if waited is None:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                waited, exited_at = (status, usage), now
        if exited_at is not None and now - exited_at > 1.0:
            break  # only possible without a pid namespace: a leftover process holds the pipes
        for key, _ in selector.select(min(deadline - now, 0.05 if waited is None else 0.2)):
            fd = int(key.fd)
            try:
                data = os.read(fd, 1 << 16)
            except OSError:
                data = b""
            if not data:
                selector.unregister(fd)
            elif fd == read_end:
                channel_data += data
                too_much = len(channel_data) > limits.max_channel_bytes
            else:
                streams[fd].add(data)
                too_much = out.total + err.total > limits.max_output_bytes
    if waited is None and not (timed_out or too_much):
        # Every pipe is closed but the command has not been reaped yet: it is exiting. Give it
        # until the deadline to finish by itself; killing it now would report a clean exit as
        # "killed by SIGKILL".
        while waited is None and time.monotonic() < deadline:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                waited = (status, usage)
            else:
                time.sleep(0.002)
        timed_out = waited is None
    _kill(
        process.pid, waited is not None
    )  # the whole session: bwrap's pid 1 then takes the pid namespace with it
    if waited is None:
        _, status, usage = os.wait4(process.pid, 0)
        waited = (status, usage)
    process.returncode = os.waitstatus_to_exitcode(waited[0])
    wall = time.monotonic() - started
    selector.close()
    process.stdout.close()
    process.stderr.close()
    if read_end >= 0:
        os.close(read_end)
    cpu = waited[1].ru_utime + waited[1].ru_stime
    measured = groups.cpu_seconds() if groups is not None else None
    if measured is not None:
        cpu = max(cpu, measured)
    code: int | None = process.returncode
    sig: int | None = None
    if code is not None and code < 0:
        sig, code = -code, None
    elif code is not None and code > 128 and code - 128 in _SIGNALS:
        # bwrap's pid 1 reports a child killed by signal N as exit status 128 + N.
        sig, code = code - 128, None
    oom = groups.oom_killed() if groups is not None else False
    peak = groups.peak_memory() if groups is not None else None
    stderr = err.text()
    if too_much:
        outcome = Outcome.OUTPUT_TOO_LARGE
    elif oom and code != 0:
        outcome = Outcome.MEMORY_EXCEEDED
    elif (
        timed_out or sig == signal.SIGXCPU or (sig == signal.SIGKILL and cpu >= limits.cpu_seconds)
    ):
        outcome = Outcome.TIMEOUT
    elif sig is not None:
        outcome = Outcome.KILLED_BY_SIGNAL
    elif code == 0:
        outcome = Outcome.OK
    elif stderr.startswith("bwrap:") or stderr.startswith("setpriv:") or code == 126:
        outcome = Outcome.INTERNAL_ERROR
    elif _last_exception(stderr).endswith("MemoryError"):
        outcome = Outcome.MEMORY_EXCEEDED
    else:
        outcome = Outcome.RUNTIME_ERROR
    message = _describe(outcome, limits, code, sig)
    if outcome is Outcome.INTERNAL_ERROR:
        message = "The sandbox could not start (the grader's fault): " + stderr.strip()[:500]
    return RunResult(
        outcome=outcome,
        message=message,
        exit_code=code,
        signal=sig,
        stdout=out.text(),
        stderr=stderr,
        output_truncated=out.truncated or err.truncated,
        wall_seconds=wall,
        cpu_seconds=cpu,
        peak_memory_bytes=peak,
        channel=bytes(channel_data[: limits.max_channel_bytes]),
        setup_seconds=setup,
    )
