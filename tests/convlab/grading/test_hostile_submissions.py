"""Hostile submissions end with the right outcome, the other function still gets credit, and
the next run is unaffected. Network tests aim only at this machine's loopback."""

from __future__ import annotations

import dataclasses
import glob
import os
import secrets
import site
import sys
from pathlib import Path

import pytest

from convlab import sandbox
from convlab.grading import CheckResult, GradingResult, grade
from tests.convlab.grading.conftest import GOOD_G, TINY

pytestmark = pytest.mark.usefixtures("sandboxed")


def _leftovers(marker: str) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker.encode() in (entry / "cmdline").read_bytes():
                    found.append(entry.name)
            except OSError:
                continue
    return found


def _grade_f(body: str) -> tuple[GradingResult, CheckResult]:
    """Grade a submission whose f does ``body`` and whose g is right."""
    source = "import os, sys, numpy as np\n\ndef f(x):\n" + body + "\n" + GOOD_G
    result = grade(TINY, source)
    f, g = result.tests
    assert result.gradable
    assert g.status == "passed", g.output  # partial credit survives the hostile function
    assert f.status == "failed"
    after = sandbox.run(["/usr/bin/true"])
    assert after.outcome is sandbox.Outcome.OK  # the next run is unaffected
    return result, f


def test_it_stops_an_infinite_loop_as_a_timeout() -> None:
    result, f = _grade_f("    while True:\n        pass")
    assert "timeout" in result.outcomes
    assert "ran out of time" in f.output


def _named(name: str) -> list[str]:
    """The processes on this machine whose name (``/proc/PID/comm``) is ``name``."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == name:
                    found.append(entry.name)
            except OSError:
                continue
    return found


def test_it_contains_a_fork_bomb() -> None:
    # The bomb names its process (and so every copy of it) with a name of this run's own, so that
    # the leftover check sees this run's processes only, never another sandbox's running
    # alongside. The name must take, or f raises and the run ends "ok", failing the test.
    name = f"bomb{secrets.token_hex(5)}"  # 14 characters: a name keeps 15
    result, _ = _grade_f(f"    import ctypes\n"
                         f"    assert ctypes.CDLL(None).prctl(15, b'{name}', 0, 0, 0) == 0\n"
                         f"    assert open('/proc/self/comm').read().strip() == '{name}'\n"
                         "    while True:\n        try:\n            os.fork()\n"
                         "        except OSError:\n            pass")  # fmt: skip
    assert result.outcomes[0] in {"timeout", "killed_by_signal", "runtime_error"}
    assert _named(name) == []


def test_it_stops_a_memory_bomb_as_memory_exceeded() -> None:
    result, f = _grade_f("    hog = []\n    while True:\n        hog.append(bytearray(1 << 24))")
    assert "memory_exceeded" in result.outcomes
    assert "more memory than allowed" in f.output


def test_it_stops_a_submission_filling_the_disk() -> None:
    body = "    with open('/tmp/fill', 'wb') as out:\n        while True:\n" \
           "            out.write(b'x' * (1 << 20))"  # fmt: skip
    _, f = _grade_f(body)
    # Python ignores SIGXFSZ, so the file-size rlimit surfaces as an OSError in the student's code.
    assert any(s in f.output for s in ("File too large", "No space left", "file larger than"))


def test_it_stops_100_mb_of_output() -> None:
    result, f = _grade_f("    for _ in range(100):\n        print('x' * (1 << 20))")
    assert "output_too_large" in result.outcomes
    assert "printed more than" in f.output


def test_it_leaves_no_background_process_behind() -> None:
    marker = "convlab-leftover-marker"
    body = (f"    if os.fork() == 0:\n        os.setsid()\n        os.execv('/bin/sleep', "
            f"['/bin/sleep', '60', '{marker}'])\n    return 2 * x")  # fmt: skip
    result = grade(TINY, "import os\n\ndef f(x):\n" + body + "\n" + GOOD_G)
    assert result.score == 2
    assert _leftovers(marker) == []


@pytest.mark.parametrize("exit_call", ["os._exit(0)", "sys.exit(0)"])
def test_it_reports_an_exit_at_import_as_the_students_error(exit_call: str) -> None:
    result = grade(TINY, f"import os, sys\n{exit_call}\n" + GOOD_G)
    assert result.gradable
    assert result.score == 0
    assert all("import" in t.output for t in result.tests)


@pytest.mark.parametrize(
    "forgery",
    [
        "os._exit(126)",
        "os.write(2, b'bwrap: setting up uid map: Permission denied\\n'); os._exit(1)",
        "os.write(2, b'setpriv: setresuid failed: Operation not permitted\\n'); os._exit(126)",
    ],
)
def test_it_grades_a_file_that_fakes_a_sandbox_failure_as_the_students_error(
    forgery: str,
) -> None:
    result = grade(TINY, f"import os, sys\n{forgery}\n" + GOOD_G)
    assert result.gradable  # counted as an attempt, never retried or mailed to staff
    assert result.score == 0
    assert all("did not finish importing" in t.output for t in result.tests)


def test_it_scores_a_file_that_hangs_in_every_function_as_its_timeout() -> None:
    hangs = "import time\n\ndef f(x):\n    time.sleep(3600)\n\ndef g(x):\n    time.sleep(3600)\n"
    # One run's wall limit (3 s) fits in the deadline, a second does not.
    result = grade(TINY, hangs, deadline_seconds=TINY.limits.wall + 1)
    f, g = result.tests
    assert result.gradable
    assert result.score == 0
    assert result.outcomes == ("timeout",)
    assert "ran out of time" in f.output
    assert "used up the whole grading's time" in g.output


# f's two cases may take 100x the reference's time (at least 1 ms each): 200 ms together.
TIMED = dataclasses.replace(
    TINY, checks=(dataclasses.replace(TINY.checks[0], time_budget=100.0), TINY.checks[1])
)


@pytest.mark.parametrize(
    "clock_trick",
    ["", "time.perf_counter = time.monotonic = time.time = lambda: 0.0"],
)
def test_it_times_a_budgeted_check_by_the_graders_clock(clock_trick: str) -> None:
    slow = (
        f"import time\n{clock_trick}\n\ndef f(x):\n    began = time.process_time()\n"
        "    while time.process_time() - began < 0.5:\n        pass\n    return 2 * x\n"
    )
    result = grade(TIMED, slow + GOOD_G)
    f, g = result.tests
    assert "correct, but too slow" in f.output
    assert f.score == 0
    assert g.status == "passed"


def test_it_passes_a_fast_correct_solution_within_its_time_budget() -> None:
    result = grade(TIMED, "def f(x):\n    return 2 * x\n" + GOOD_G)
    assert result.score == 2, result.tests[0].output


@pytest.mark.parametrize(
    ("returned", "explained"),
    [
        ("np.full_like(x, np.nan)", "NaN"),
        ("(2 * x).astype(np.float32)", "dtype float32"),
        ("(2 * x)[:, :2]", "has shape (2, 2), expected (2, 3)"),
        ("np.array([object()] * 6).reshape(2, 3)", "not a numeric array"),
        ("__import__('pickle').dumps(2 * x)", "returned a bytes"),
    ],
)
def test_it_rejects_bad_return_values(returned: str, explained: str) -> None:
    result = grade(TINY, f"import numpy as np\n\ndef f(x):\n    return {returned}\n" + GOOD_G)
    f, g = result.tests
    assert f.score == 0
    assert explained in f.output
    assert g.status == "passed"


def test_it_refuses_a_pickled_array_written_to_the_result_channel() -> None:
    forged = """
import io, os, json, pickle, numpy as np
def f(x):
    fd = int(os.environ["CONVLAB_CHANNEL_FD"])
    buffer = io.BytesIO()
    np.save(buffer, np.array([pickle], dtype=object), allow_pickle=True)
    for frame in (json.dumps({"event": "result", "case": "k0c1", "status": "ok",
                              "outputs": 1}).encode(), buffer.getvalue()):
        os.write(fd, len(frame).to_bytes(4, "big") + frame)
    return 2 * x
"""
    result = grade(TINY, forged + GOOD_G)
    assert result.tests[0].score < 1


def test_it_compares_outside_the_sandbox_despite_a_monkeypatched_numpy() -> None:
    source = """import numpy as np
np.allclose = lambda *a, **k: True
np.array_equal = lambda *a, **k: True
np.ndarray.__eq__ = lambda *a: True
def f(x):
    return x * 3
"""
    result = grade(TINY, source + GOOD_G)
    assert result.tests[0].score == 0


@pytest.mark.parametrize("library", ["torch", "scipy"])
def test_it_cannot_import_torch_or_scipy(library: str) -> None:
    result = grade(TINY, f"import {library}\n" + GOOD_G)
    assert result.score == 0
    assert f"No module named '{library}'" in result.tests[0].output


def _host_package_dirs() -> list[str]:
    """Each entry of the grader's sys.path and every site directory of its interpreter and of
    the system, as the host names them."""
    found = [p for p in sys.path if p and Path(p).is_dir()]
    found += site.getsitepackages([sys.base_prefix]) + site.getsitepackages()
    for root in (sys.base_prefix, "/usr", "/usr/local"):
        found += glob.glob(f"{root}/lib*/python*/*-packages")
    return sorted({str(Path(p).resolve()) for p in found if Path(p).is_dir()})


@pytest.mark.parametrize("host_dir", _host_package_dirs())
def test_it_imports_no_package_outside_the_allowed_list_whatever_sys_path_says(
    host_dir: str,
) -> None:
    # The same directory as seen inside the sandbox, where the interpreter's tree is bound.
    base = Path(sys.base_prefix).resolve()
    inside = [host_dir]
    if Path(host_dir).is_relative_to(base):
        inside.append(f"/opt/python/{Path(host_dir).relative_to(base)}")
    # A package the directory really holds, so that importing it proves the directory hidden.
    outside = ("scipy", "torch", "yaml", "IPython", "convlab")
    held = [m for m in outside if (Path(host_dir) / m).is_dir()]
    module = held[0] if held else "scipy"
    source = f"import sys\nsys.path += {inside!r}\nimport numpy\nimport {module}\n"
    result = grade(TINY, source + GOOD_G)
    assert result.gradable
    assert result.score == 0
    assert f"No module named '{module}'" in result.tests[0].output


def _python(code: str) -> sandbox.RunResult:
    view = sandbox.python_view(())
    return sandbox.run(
        [*view.argv, "-c", code], binds=view.binds, hidden=view.hidden, env=dict(view.env)
    )


@pytest.mark.parametrize("port", [5432, 6379])
def test_it_has_no_network_not_even_to_loopback_services(port: int) -> None:
    code = (
        f"import socket\ntry:\n    socket.create_connection(('127.0.0.1', {port}), 2)\n"
        "    print('CONNECTED')\nexcept OSError as e:\n    print('refused', e.errno)"
    )
    run = _python(code)
    assert run.outcome is sandbox.Outcome.OK
    assert "CONNECTED" not in run.stdout
    assert "refused" in run.stdout


def test_it_hides_the_project_the_environment_and_etc_shadow(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CONVLAB_TEST_SECRET", "s3cret")
    settings = Path(__file__).resolve().parents[3] / "courseportal" / "settings.py"
    code = f"""import os
for path in ({str(settings)!r}, '/etc/shadow', '/root', '/home', '/work'):
    try:
        open(path).read(); print('LEAKED', path)
    except OSError as e:
        print('hidden', path, type(e).__name__)
print('SECRET' if 's3cret' in repr(os.environ) else 'clean', sorted(os.environ))
"""
    run = _python(code)
    assert "LEAKED" not in run.stdout
    assert run.stdout.count("hidden") == 5
    assert "clean" in run.stdout
    assert "CONVLAB_TEST_SECRET" in os.environ  # it was there to leak


def test_it_lets_only_tmp_be_written() -> None:
    code = """import os
for path in ('/usr/x', '/opt/python/x', '/x', '/grader/x', '/tmp/x'):
    try:
        open(path, 'w').write('x'); print('WROTE', path)
    except OSError as e:
        print('denied', path)
"""
    run = _python(code)
    assert run.stdout.count("WROTE") == 1
    assert "WROTE /tmp/x" in run.stdout


def test_it_cannot_signal_or_ptrace_its_parent() -> None:
    code = """import ctypes, os, signal
try:
    os.kill(os.getppid(), signal.SIGKILL); print('KILLED')
except OSError as e:
    print('kill denied', e.errno)
libc = ctypes.CDLL(None, use_errno=True)
print('ptrace', libc.ptrace(16, os.getppid(), 0, 0), ctypes.get_errno())
print('uid', os.getuid())
"""
    run = _python(code)
    assert "kill denied" in run.stdout
    assert "ptrace -1" in run.stdout
    assert "uid 0" not in run.stdout
