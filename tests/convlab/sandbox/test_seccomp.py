"""The sandbox's seccomp filter (issue #14, finding 5): what numpy never needs fails with EPERM
inside a real bubblewrap sandbox; threads, fork and a real grading still work; without
libseccomp the grader refuses to run and the grading is the grader's failure."""

from __future__ import annotations

import errno
import json
import platform
import struct
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from convlab import sandbox
from convlab.grading import grade, load_assignment
from convlab.sandbox import seccomp
from tests.conftest import require
from tests.convlab.grading.conftest import GOOD_G, TINY

pyseccomp = pytest.importorskip("pyseccomp")

# Runs inside the sandbox: calls each (name, number, args) of argv[1] (JSON) with ctypes and
# prints {name: errno name or "ok"}, after the Seccomp lines of /proc/self/status.
_PROBE = """
import ctypes, errno, json, os, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
found = {}
for name, number, args in json.loads(sys.argv[1]):
    ctypes.set_errno(0)
    result = libc.syscall(ctypes.c_long(number), *(ctypes.c_long(a) for a in args))
    if result >= 0 and name == "clone":
        if result == 0:
            os._exit(0)  # a child in a new namespace: only without the filter
        os.waitpid(result, 0)
    found[name] = "ok" if result >= 0 else errno.errorcode.get(ctypes.get_errno(), "?")
status = [l.split(":")[1].strip() for l in open("/proc/self/status") if l.startswith("Seccomp")]
print(json.dumps({"status": status, "found": found}))
"""

CLONE_NEWUSER = 0x1000_0000
SIGCHLD = 17


@pytest.fixture(autouse=True)
def sandboxed() -> None:
    require(sandbox.bwrap_path() is not None, "bubblewrap is not installed")


def _number(name: str) -> int:
    return int(pyseccomp.resolve_syscall(pyseccomp.Arch.NATIVE, name))


def _probe(calls: list[tuple[str, tuple[int, ...]]]) -> dict[str, object]:
    view = sandbox.python_view(())
    spec = json.dumps([(name, _number(name), list(args)) for name, args in calls])
    result = sandbox.run([*view.argv, "-c", _PROBE, spec], binds=view.binds, hidden=view.hidden,
                         env=dict(view.env))  # fmt: skip
    assert result.outcome is sandbox.Outcome.OK, result.stderr
    probed: dict[str, object] = json.loads(result.stdout)
    return probed


def test_it_runs_the_command_under_a_seccomp_filter() -> None:
    assert _probe([])["status"][:2] == ["2", "1"]  # type: ignore[index]  # filter mode, 1 filter


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("unshare", (CLONE_NEWUSER,)),  # os.unshare(os.CLONE_NEWUSER) in Python 3.12
        ("io_uring_setup", (1, 0)),
        ("ptrace", (0, 0, 0, 0)),  # PTRACE_TRACEME
        ("bpf", (0, 0, 0)),
        ("keyctl", (0, -3, 0)),  # KEYCTL_GET_KEYRING_ID of the session keyring
        ("perf_event_open", (0, 0, -1, -1, 0)),
        ("mount", (0, 0, 0, 0, 0)),
        ("clone", (CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0)),
    ],
)
def test_it_denies_what_numpy_never_needs_with_eperm(name: str, args: tuple[int, ...]) -> None:
    assert _probe([(name, args)])["found"] == {name: "EPERM"}


def test_it_denies_every_listed_call_and_makes_clone3_unimplemented() -> None:
    names = [n for n in seccomp.DENIED if _number(n) >= 0]  # those of this architecture
    found = _probe([(name, (0, 0, 0, 0, 0, 0)) for name in [*names, "clone3"]])["found"]
    assert found == {**dict.fromkeys(names, "EPERM"), "clone3": "ENOSYS"}


def test_it_denies_a_clone_into_each_new_namespace_but_not_a_plain_fork() -> None:
    calls = [("clone", (flag | SIGCHLD, 0, 0, 0, 0)) for flag in seccomp.CLONE_NEW_FLAGS.values()]
    for name, args in calls:
        assert _probe([(name, args)])["found"] == {"clone": "EPERM"}
    assert _probe([("clone", (SIGCHLD, 0, 0, 0, 0))])["found"] == {"clone": "ok"}


def test_threads_numpy_and_fork_still_work() -> None:
    view = sandbox.python_view(("numpy",))
    code = (
        "import os, sys, threading\nsys.path.insert(0, '/opt/packages')\nimport numpy as np\n"
        "a = np.random.default_rng(0).standard_normal((400, 400))\nsums = []\n"
        "threads = [threading.Thread(target=lambda: sums.append(float((a @ a).sum())))"
        " for _ in range(4)]\n"
        "[t.start() for t in threads]\n[t.join() for t in threads]\n"
        "pid = os.fork()\nif pid == 0:\n    os._exit(7)\n"
        "print(len(set(sums)), len(sums), os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))\n"
    )
    # OpenBLAS starts its own thread pool too when allowed more than one thread.
    env = {**dict(view.env), "OPENBLAS_NUM_THREADS": "4", "OMP_NUM_THREADS": "4"}
    result = sandbox.run([*view.argv, "-c", code], binds=view.binds, hidden=view.hidden, env=env)
    assert result.outcome is sandbox.Outcome.OK, result.stderr
    assert result.stdout.split() == ["1", "4", "7"]


def test_a_correct_submission_still_gets_full_marks() -> None:
    result = grade(TINY, "def f(x):\n    return 2 * x\n" + GOOD_G)
    assert result.gradable
    assert result.score == TINY.max_score


def test_the_course_suite_grades_the_reference_solution_in_full() -> None:
    reference = Path(__file__).parents[3] / "demo" / "solutions" / "transposed_convolutions.py"
    assignment = load_assignment("transposed-convolutions")
    result = grade(assignment, reference.read_text())
    assert result.gradable
    assert result.score == assignment.max_score, [t.output for t in result.tests]


def _jeq_constants(program: bytes) -> set[int]:
    """The constants a BPF program compares with (``BPF_JMP | BPF_JEQ | BPF_K``)."""
    order = "<" if sys.byteorder == "little" else ">"
    found = set()
    for offset in range(0, len(program), 8):
        code, _, _, k = struct.unpack(order + "HBBI", program[offset : offset + 8])
        if code == 0x15:
            found.add(k)
    return found


def test_the_filter_is_built_for_the_native_architecture() -> None:
    compared = _jeq_constants(seccomp.filter_bpf())
    assert pyseccomp.system_arch() in compared
    if platform.machine() == "x86_64":
        assert pyseccomp.Arch.X86_64 in compared
        assert pyseccomp.Arch.X86 not in compared  # 32-bit calls: bad architecture, killed


@pytest.fixture
def no_libseccomp(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    seccomp.filter_bpf.cache_clear()
    monkeypatch.setitem(sys.modules, "pyseccomp", None)  # importing it raises ImportError
    yield
    seccomp.filter_bpf.cache_clear()


@pytest.mark.usefixtures("no_libseccomp")
def test_without_libseccomp_the_sandbox_refuses_to_run() -> None:
    with pytest.raises(sandbox.SandboxUnavailable, match="libseccomp"):
        sandbox.run(["/usr/bin/true"])
    with pytest.raises(sandbox.SandboxUnavailable, match="libseccomp"):
        sandbox.run(["/usr/bin/true"], insecure=True)


@pytest.mark.usefixtures("no_libseccomp")
def test_without_libseccomp_a_grading_is_the_graders_failure_never_a_zero() -> None:
    result = grade(TINY, "def f(x):\n    return 2 * x\n" + GOOD_G)
    assert not result.gradable
    assert result.score is None
    assert "libseccomp" in result.output
    assert "does not count" in result.output


def test_a_denied_call_fails_with_eperm_in_python_too() -> None:
    view = sandbox.python_view(())
    code = (
        "import ctypes\nlibc = ctypes.CDLL(None, use_errno=True)\n"
        "print(libc.unshare(0x10000000), ctypes.get_errno())"
    )
    result = sandbox.run([*view.argv, "-c", code], binds=view.binds, env=dict(view.env))
    assert result.stdout.split() == ["-1", str(errno.EPERM)]
