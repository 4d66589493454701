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
with it. bwrap loads the seccomp filter of ``convlab.sandbox.seccomp`` (no new namespaces, no
io_uring, ptrace, bpf, keyring, mounts, kernel modules, perf or reboot) just before it executes
the command, so everything the command starts runs under it.

When bubblewrap is missing, ``run`` raises ``SandboxUnavailable`` unless the caller passes
``insecure=True`` (a development setting): the command then runs as a plain child process with
the rlimits only, and the result says so. When bubblewrap is there but libseccomp is not, ``run``
raises ``SandboxUnavailable`` whatever the setting: the sandbox never runs without its filter.

Here is the I/O: building the command, then ``_pump``, which runs it, collects its output within
the limits and always leaves it killed and reaped. Whether the sandbox started the command is
learnt from bwrap's ``--json-status-fd`` (an fd the command never sees), never from what the
command prints or how it exits: those are the student's to forge. ``outcome.classify_outcome``
then decides, with no I/O, how the run ended from the facts the pump gathered.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import secrets
import selectors
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from convlab.sandbox import _cgroups, seccomp
from convlab.sandbox.limits import Limits
from convlab.sandbox.outcome import Outcome, classify_outcome

__all__ = [
    "CHANNEL_ENV",
    "FEED_ENV",
    "Bind",
    "RunResult",
    "SandboxUnavailable",
    "Wakeup",
    "bwrap_path",
    "run",
]

# Names the fd of the optional result channel (a pipe back to the grader) in the command's env.
CHANNEL_ENV = "CONVLAB_CHANNEL_FD"
# Names the fd of the optional feed (a pipe from the grader, answering the channel) in the env.
FEED_ENV = "CONVLAB_FEED_FD"


class SandboxUnavailable(RuntimeError):
    """The sandbox cannot run here (no bubblewrap, or not allowed to set it up)."""


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
    # (bytes of the channel received so far, seconds) after each read: when each part arrived,
    # measured by the grader where the command cannot touch it: the run's CPU time so far by its
    # cgroup where the machine has one (sleeping costs nothing, a busy machine adds nothing),
    # else the wall time since the run began.
    channel_arrivals: tuple[tuple[int, float], ...] = ()
    sandboxed: bool = True
    setup_seconds: float = 0.0
    notes: tuple[str, ...] = field(default_factory=tuple)
    started: bool = True
    stopped: bool = False  # killed by ``Wakeup.stop``, not by anything the command did


class Wakeup:
    """Lets another thread act on a ``run`` in progress: ``wake`` makes it call its feed (with
    ``b""``) and write what that returns; ``release`` does so and starts the run's wall clock
    (a run with a wakeup is held until then: its wall limit counts from its release, and while
    held it is bounded by ``HELD_WALLS`` times the limit); ``stop`` kills the run now (its
    result then says ``stopped``). Used once, by one run; closed by its owner (``close``) after
    the run ended.
    """

    HELD_WALLS = 4

    def __init__(self) -> None:
        self._read, self._write = os.pipe()
        os.set_blocking(self._read, False)
        os.set_blocking(self._write, False)
        self.stopped = False
        self.released_at: float | None = None

    def release(self) -> None:
        self.released_at = time.monotonic()
        self.wake()

    def deadline(self, started: float, wall: float) -> float:
        if self.released_at is None:
            return started + self.HELD_WALLS * wall
        return max(started, self.released_at) + wall

    @property
    def fd(self) -> int:
        return self._read

    def wake(self) -> None:
        with contextlib.suppress(BlockingIOError, OSError):  # a full pipe is awake already
            os.write(self._write, b"w")

    def stop(self) -> None:
        self.stopped = True
        self.wake()

    def drain(self) -> None:
        with contextlib.suppress(BlockingIOError, OSError):
            while os.read(self._read, 4096):
                pass

    def close(self) -> None:
        for end in (self._read, self._write):
            with contextlib.suppress(OSError):
                os.close(end)


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
    status_fd: int,
    seccomp_fd: int,
) -> list[str]:
    command = [
        bwrap, "--json-status-fd", str(status_fd), "--seccomp", str(seccomp_fd),
        "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
        "--unshare-cgroup-try", "--die-with-parent", "--new-session", "--clearenv",
        "--ro-bind", "/usr", "/usr",
        "--symlink", "usr/bin", "/bin", "--symlink", "usr/lib", "/lib",
        "--symlink", "usr/lib64", "/lib64", "--symlink", "usr/sbin", "/sbin",
        "--proc", "/proc", "--dev", "/dev",
        "--size", str(limits.tmp_bytes), "--perms", "1777", "--tmpfs", TMP,
    ]  # fmt: skip
    made: set[str] = {"/", "/usr", TMP, "/proc", "/dev"}
    for bind in binds:
        # bwrap creates missing parents as 0700 root directories: make them traversable.
        parents = list(Path(bind.target).parents)[::-1][1:]
        for parent in map(str, parents):
            if parent not in made:
                command += ["--perms", "0755", "--dir", parent]
                made.add(parent)
        command += ["--bind" if bind.writable else "--ro-bind", str(bind.source), bind.target]
    # bwrap mounts in order and a later mount covers an earlier one: the empty tmpfs over a
    # site-packages must come after the bind it lies in (the interpreter's at /opt/python), or
    # that bind uncovers it again.
    for path in hidden:
        command += ["--tmpfs", path, "--remount-ro", path]
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


def run(
    argv: Sequence[str],
    *,
    binds: Sequence[Bind] = (),
    hidden: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    limits: Limits | None = None,
    channel: bool = False,
    feed: Callable[[bytes], bytes] | None = None,
    wakeup: Wakeup | None = None,
    insecure: bool = False,
) -> RunResult:
    """Run ``argv`` (paths as seen inside) in a fresh sandbox and wait for it to end.

    ``binds`` are the only host paths visible besides /usr; ``hidden`` are existing directories
    inside (under /usr or a bind) to cover with an empty read-only tmpfs (site-packages).
    ``env`` adds variables to a minimal environment. With ``channel`` the command gets a pipe
    (its fd number in ``$CONVLAB_CHANNEL_FD``) whose bytes (up to ``limits.max_channel_bytes``)
    come back in ``RunResult.channel``. ``feed`` (with ``channel``) answers it: it is called with
    each part of the channel as it arrives and returns bytes for the grader to write to a second
    pipe, whose fd the command finds in ``$CONVLAB_FEED_FD``; so the command gets its input only
    once it asks. ``wakeup`` (with ``feed``) lets another thread make the run call its feed
    unprompted, or stop the run (a stopped run says so in ``RunResult.stopped``). Never raises
    for anything the command does; raises
    ``SandboxUnavailable`` when bubblewrap is missing and ``insecure`` is false, or when the
    sandbox cannot be started at all, or when libseccomp is missing for bubblewrap's filter.
    Whatever it raises, the command is not left running.
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
    program = b""
    if sandboxed:
        try:
            program = seccomp.filter_bpf()
        except seccomp.SeccompUnavailable as error:
            raise SandboxUnavailable(str(error)) from error
    started = time.monotonic()
    # bwrap's status goes to a file, not a pipe: it writes its last line as the run ends, and a
    # pipe whose reader is gone (a killed worker) would kill it there, leaving its sandbox's
    # pid 1 behind.
    with tempfile.TemporaryFile() as status_file:
        read_end = write_end = status_write = seccomp_fd = feed_read = feed_write = -1
        if channel:
            read_end, write_end = os.pipe()
            env[CHANNEL_ENV] = str(write_end)
            if feed is not None:
                feed_read, feed_write = os.pipe()
                os.set_blocking(feed_write, False)
                env[FEED_ENV] = str(feed_read)
        if bwrap is None:
            # No cgroups without the sandbox: an empty set measures nothing and removes nothing.
            groups = _cgroups.RunCgroups(memory=None, pids=None)
            command = _prlimit_args(limits, False) + _translate(argv, binds)
            popen_env = {**_ENV, **env}
        else:
            groups = _cgroups.create(limits.memory_bytes, limits.processes)
            uid = 200_000 + secrets.randbelow(100_000)
            cgroup_memory = groups.memory is not None
            status_write = os.dup(status_file.fileno())
            seccomp_fd = _memfd(program)
            command = _bwrap_argv(
                bwrap, argv, binds, hidden, env, limits, cgroup_memory, uid, status_write,
                seccomp_fd,
            )  # fmt: skip
            popen_env = dict(_ENV)  # bwrap clears it and sets the command's own
        if groups.procs_files:
            # Join the run's cgroups before bwrap starts, so every process it forks is inside.
            joins = " && ".join(f'echo $$ > "{p}"' for p in groups.procs_files)
            command = ["/bin/sh", "-c", f'{joins} && exec "$@"', "sh", *command]
        ended = _pump(
            command,
            limits,
            groups,
            read_end=read_end,
            passed=(write_end, status_write, seccomp_fd, feed_read),
            feed=(feed_write, feed) if feed is not None and feed_write >= 0 else None,
            wakeup=wakeup,
            env=popen_env,
            started=started,
        )
        status_file.seek(0)
        status = status_file.read(_STATUS_BYTES)
    # Without bwrap nothing stands between Popen and the command: it started if Popen did.
    command_started = _exit_reported(status) if sandboxed else True
    verdict = classify_outcome(
        started=command_started,
        returncode=ended.returncode,
        timed_out=ended.timed_out,
        output_capped=ended.output_capped,
        oom_killed=ended.oom_killed,
        cpu_seconds=ended.cpu_seconds,
        stderr=ended.stderr,
        limits=limits,
    )
    return RunResult(
        outcome=verdict.outcome,
        message=verdict.message,
        exit_code=verdict.exit_code,
        signal=verdict.signal,
        stdout=ended.stdout,
        stderr=ended.stderr,
        output_truncated=ended.output_truncated,
        wall_seconds=ended.wall_seconds,
        cpu_seconds=ended.cpu_seconds,
        peak_memory_bytes=ended.peak_memory_bytes,
        channel=ended.channel,
        channel_arrivals=ended.channel_arrivals,
        sandboxed=sandboxed,
        setup_seconds=ended.setup_seconds,
        notes=() if sandboxed else ("ran WITHOUT a sandbox (insecure development setting)",),
        started=command_started,
        stopped=ended.stopped,
    )


def _memfd(data: bytes) -> int:
    """An fd (inheritable, at offset 0) of an anonymous in-memory file holding ``data``."""
    fd = os.memfd_create("convlab-seccomp", 0)  # no MFD_CLOEXEC: bwrap reads it
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.lseek(fd, 0, os.SEEK_SET)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _exit_reported(status: bytes) -> bool:
    """Whether bwrap's JSON status says its command ran and exited.

    bwrap writes ``{"child-pid": ...}`` as soon as it has cloned, before it sets anything up
    (so that line proves nothing), and ``{"exit-code": N}`` only once the command it set up and
    executed has exited: a mount or exec that fails on the way writes none.
    """
    decoder = json.JSONDecoder()
    text = status.decode("utf-8", "replace")
    position = 0
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        if position >= len(text):
            return False
        try:
            document, position = decoder.raw_decode(text, position)
        except ValueError:
            return False
        if isinstance(document, dict) and "exit-code" in document:
            return True


@dataclass(frozen=True)
class _Ended:
    """What the pump saw of a run that ended: the facts its outcome is decided from."""

    returncode: int  # the leader's, as os.waitstatus_to_exitcode gives it
    timed_out: bool
    output_capped: bool
    oom_killed: bool
    cpu_seconds: float
    peak_memory_bytes: int | None
    stdout: str
    stderr: str
    output_truncated: bool
    channel: bytes
    channel_arrivals: tuple[tuple[int, float], ...]
    setup_seconds: float
    wall_seconds: float
    stopped: bool = False


def _pump(
    command: list[str],
    limits: Limits,
    groups: _cgroups.RunCgroups,
    *,
    read_end: int,
    passed: tuple[int, ...],
    feed: tuple[int, Callable[[bytes], bytes]] | None,
    env: Mapping[str, str],
    started: float,
    wakeup: Wakeup | None = None,
) -> _Ended:
    """Start ``command`` in a new session, collect its output within the limits, and reap it.

    Takes ownership of the channel's read end, of the ``passed`` fds the command inherits (the
    channel's write end, bwrap's status and seccomp fds, the feed's read end; -1: none), of the
    feed's write end and of ``groups``. When it returns or raises, an exception raised into the
    loop included (Celery's soft time limit), the command's session has been SIGKILLed and its
    leader reaped, then the pipes closed and the groups removed. Raises ``SandboxUnavailable``
    when the command cannot start.
    """
    with contextlib.ExitStack() as cleanup:
        cleanup.callback(groups.remove)
        if read_end >= 0:
            cleanup.callback(os.close, read_end)
        if feed is not None:
            cleanup.callback(os.close, feed[0])
        process = cleanup.enter_context(_start(command, passed, env))
        leader = _Leader(process)
        try:
            setup = time.monotonic() - started
            assert process.stdout is not None
            assert process.stderr is not None
            capture = _Capture(
                limits,
                process.stdout.fileno(),
                process.stderr.fileno(),
                read_end,
                _arrival_clock(groups, started),
                feed,
                wakeup,
            )
            if wakeup is not None and feed is not None:
                held = wakeup

                def deadline() -> float:
                    return held.deadline(started, limits.wall)

            else:

                def deadline() -> float:
                    return started + limits.wall

            timed_out = _collect(capture, leader, deadline)
        finally:
            returncode, usage = leader.kill()
        wall = time.monotonic() - started
        cpu = usage.ru_utime + usage.ru_stime
        # rusage misses the processes that bwrap's pid 1 reaps; the cgroup counts every one.
        measured = groups.cpu_seconds()
        return _Ended(
            returncode=returncode,
            timed_out=timed_out,
            output_capped=capture.over_cap,
            oom_killed=groups.oom_killed(),
            cpu_seconds=cpu if measured is None else max(cpu, measured),
            peak_memory_bytes=groups.peak_memory(),
            stdout=capture.stdout.text(),
            stderr=capture.stderr.text(),
            output_truncated=capture.stdout.truncated or capture.stderr.truncated,
            channel=bytes(capture.channel[: limits.max_channel_bytes]),
            channel_arrivals=tuple(capture.arrivals),
            setup_seconds=setup,
            wall_seconds=wall,
            stopped=capture.stopped,
        )


def _start(
    command: list[str], fds: tuple[int, ...], env: Mapping[str, str]
) -> subprocess.Popen[bytes]:
    """Start ``command`` as the leader of a new session, its output piped back.

    Passes ``fds`` (-1: none) to it and closes our copies either way, so that each pipe reads
    as ended once the command's processes are gone. Raises ``SandboxUnavailable`` when it
    cannot start.
    """
    passed = tuple(end for end in fds if end >= 0)
    try:
        return subprocess.Popen(  # noqa: S603 - the sandbox's own argv, never a shell string
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            pass_fds=passed,
            start_new_session=True,
            env=dict(env),
        )
    except OSError as error:
        raise SandboxUnavailable(f"could not start the sandbox: {error}") from error
    finally:
        for end in passed:
            os.close(end)


class _Leader:
    """The run's first process, the leader of its session.

    Reaped with ``wait4``: Popen's own poll, wait and kill reap it too, and lose the rusage.
    """

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self._process = process
        self._waited: tuple[int, resource.struct_rusage] | None = None
        self.reaped_at: float | None = None

    def poll(self, now: float) -> float | None:
        """Reap the leader if it has exited: when it was first seen gone, None while it runs."""
        if self._waited is None:
            pid, status, usage = os.wait4(self._process.pid, os.WNOHANG)
            if pid:
                self._reaped(status, usage)
                self.reaped_at = now
        return self.reaped_at

    def wait_until(self, deadline: float) -> bool:
        """Poll until the leader is reaped or the deadline passes; whether it was reaped."""
        while time.monotonic() < deadline:
            if self.poll(time.monotonic()) is not None:
                return True
            time.sleep(0.002)
        return False

    def kill(self) -> tuple[int, resource.struct_rusage]:
        """SIGKILL the session (its pgid is the leader's pid), reap the leader if not yet done.

        With bwrap, the sandbox's pid 1 dies with the leader (``--die-with-parent``) and takes
        the pid namespace along. Returns the leader's return code (as Popen gives it) and rusage.
        """
        pid = self._process.pid
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGKILL)
        waited = self._waited
        if waited is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            _, status, usage = os.wait4(pid, 0)
            waited = self._reaped(status, usage)
        return waited

    def _reaped(
        self, status: int, usage: resource.struct_rusage
    ) -> tuple[int, resource.struct_rusage]:
        # Popen must know, or it would try to reap the pid again (maybe another process's by
        # then) and warn that the command is still running.
        self._process.returncode = os.waitstatus_to_exitcode(status)
        self._waited = (self._process.returncode, usage)
        return self._waited


_STATUS_BYTES = 64 * 1024
_ARRIVALS_KEPT = 100_000


def _arrival_clock(groups: _cgroups.RunCgroups, started: float) -> Callable[[], float]:
    """The clock channel arrivals are read from: the run's CPU time by its cgroup, else the
    wall time since ``started``; one or the other for the whole run."""
    if groups.cpuacct is None:
        return lambda: time.monotonic() - started
    last = 0.0

    def cpu() -> float:
        nonlocal last
        # A failed read repeats the last value: the clock never goes back.
        last = max(last, groups.cpu_seconds() or 0.0)
        return last

    return cpu


class _Capture:
    """The run's stdout and stderr (head and tail of each) and the bytes of its channel, with
    when each part of the channel arrived; and what the feed, answering the channel, has still
    to write."""

    def __init__(
        self,
        limits: Limits,
        stdout: int,
        stderr: int,
        channel: int,
        clock: Callable[[], float],
        feed: tuple[int, Callable[[bytes], bytes]] | None = None,
        wakeup: Wakeup | None = None,
    ) -> None:
        self._limits = limits
        self.wakeup = wakeup if feed is not None else None
        self.stopped = False
        self._clock = clock
        self.arrivals: list[tuple[int, float]] = []
        self.stdout = _HeadTail(limits.kept_output_bytes)
        self.stderr = _HeadTail(limits.kept_output_bytes)
        self.channel = bytearray()
        self._sinks: dict[int, Callable[[bytes], None]] = {
            stdout: self.stdout.add,
            stderr: self.stderr.add,
        }
        if channel >= 0:
            self._sinks[channel] = self._add_channel
        self.feed_fd = feed[0] if feed is not None else -1
        self._answer = feed[1] if feed is not None else None
        self.outbox = bytearray()

    def _add_channel(self, data: bytes) -> None:
        self.channel += data
        arrival = (len(self.channel), self._clock())
        if len(self.arrivals) < _ARRIVALS_KEPT:
            self.arrivals.append(arrival)
        else:
            # A command writing byte by byte must not grow this without end; merging into the
            # last entry only makes the bytes in it seem to arrive later, never earlier.
            self.arrivals[-1] = arrival
        if self._answer is not None and self.feed_fd >= 0:
            self.outbox += self._answer(data)

    def woken(self) -> None:
        """The wakeup's fd was readable: stop, or let the feed say what it has to say."""
        assert self.wakeup is not None
        self.wakeup.drain()
        if self.wakeup.stopped:
            self.stopped = True
        elif self._answer is not None and self.feed_fd >= 0:
            self.outbox += self._answer(b"")

    @property
    def fds(self) -> list[int]:
        return list(self._sinks)

    def add(self, fd: int, data: bytes) -> None:
        self._sinks[fd](data)

    def write_feed(self) -> None:
        """Write what the feed can take now; a feed the command closed takes nothing more."""
        if self.feed_fd < 0:
            return
        try:
            written = os.write(self.feed_fd, self.outbox)
        except BlockingIOError:
            return
        except OSError:  # EPIPE: nobody reads it any more
            self.feed_fd = -1
            self.outbox.clear()
            return
        del self.outbox[:written]

    @property
    def over_cap(self) -> bool:
        """Whether the run sent more than it may: the run is then stopped."""
        return (
            self.stdout.total + self.stderr.total > self._limits.max_output_bytes
            or len(self.channel) > self._limits.max_channel_bytes
        )


def _collect(capture: _Capture, leader: _Leader, deadline_of: Callable[[], float]) -> bool:
    """Read the run's pipes into ``capture`` (and write its feed) until they close, a cap is
    passed or time is up.

    Returns whether the run timed out: the deadline came first, or every pipe closed but the
    leader had still not finished exiting by then. Leaves the leader to the caller to kill.
    """
    with selectors.DefaultSelector() as selector:
        reading = set(capture.fds)
        feeding = -1  # the feed's fd while it is in the selector
        for fd in reading:
            selector.register(fd, selectors.EVENT_READ)
        if capture.wakeup is not None:
            selector.register(capture.wakeup.fd, selectors.EVENT_READ)
        while reading and not capture.over_cap and not capture.stopped:
            now = time.monotonic()
            deadline = deadline_of()
            if now >= deadline:
                return True
            reaped_at = leader.poll(now)
            if reaped_at is not None and now - reaped_at > 1.0:
                # Only possible without a pid namespace: a leftover process holds the pipes.
                return False
            writing = capture.feed_fd >= 0 and bool(capture.outbox)
            if writing and feeding < 0:
                feeding = capture.feed_fd
                selector.register(feeding, selectors.EVENT_WRITE)
            elif not writing and feeding >= 0:
                selector.unregister(feeding)
                feeding = -1
            timeout = min(deadline - now, 0.05 if reaped_at is None else 0.2)
            _serve_ready(selector, capture, reading, timeout)
    if leader.reaped_at is not None or capture.over_cap or capture.stopped:
        return False
    # Every pipe is closed but the command has not been reaped yet: it is exiting. Give it
    # until the deadline to finish by itself; killing it now would report a clean exit as
    # "killed by SIGKILL".
    return not leader.wait_until(deadline_of())


def _serve_ready(
    selector: selectors.BaseSelector, capture: _Capture, reading: set[int], timeout: float
) -> None:
    """Read what the ready pipes hold into ``capture`` (a pipe at its end leaves ``reading``
    and the selector) and write the feed when it is ready."""
    for key, _ in selector.select(timeout):
        if capture.wakeup is not None and key.fd == capture.wakeup.fd:
            capture.woken()
            continue
        if key.fd not in reading:  # the feed: given up on EPIPE, it leaves the selector next
            capture.write_feed()
            continue
        try:
            data = os.read(key.fd, 1 << 16)
        except OSError:
            data = b""
        if data:
            capture.add(key.fd, data)
        else:
            selector.unregister(key.fd)
            reading.discard(key.fd)
