"""The sandbox runner: refusal without bubblewrap, outcomes, capture and the result channel."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from convlab import sandbox
from convlab.grading import grade, to_gradescope
from convlab.sandbox import runner
from tests.conftest import require
from tests.convlab.grading.conftest import GOOD_G, TINY


@pytest.fixture
def no_bwrap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)


@pytest.fixture
def sandboxed() -> None:
    require(sandbox.bwrap_path() is not None, "bubblewrap is not installed")


@pytest.mark.usefixtures("no_bwrap")
def test_it_refuses_to_run_without_bubblewrap_and_says_why() -> None:
    with pytest.raises(sandbox.SandboxUnavailable, match=r"bubblewrap.*insecure"):
        sandbox.run(["/usr/bin/true"])


@pytest.mark.usefixtures("no_bwrap")
def test_it_runs_unsandboxed_only_with_the_insecure_setting_and_says_so() -> None:
    result = sandbox.run(["/usr/bin/echo", "hi"], insecure=True)
    assert result.outcome is sandbox.Outcome.OK
    assert result.stdout == "hi\n"
    assert not result.sandboxed
    assert "WITHOUT a sandbox" in result.notes[0]


@pytest.mark.usefixtures("no_bwrap")
def test_it_marks_a_grading_without_sandbox_not_gradable_never_zero() -> None:
    result = grade(TINY, "def f(x):\n    return 2 * x\n" + GOOD_G)
    assert not result.gradable
    assert result.score is None
    assert to_gradescope(result)["gradable"] is False
    assert "does not count" in result.output


@pytest.mark.usefixtures("sandboxed")
def test_it_marks_a_grading_whose_harness_cannot_start_not_gradable_never_zero() -> None:
    # Too little memory to load numpy: the harness fails before the submission is imported.
    starved = dataclasses.replace(TINY.limits, memory_bytes=4 << 20)
    assignment = dataclasses.replace(TINY, limits=starved)
    result = grade(assignment, "def f(x):\n    return 2 * x\n" + GOOD_G)
    assert not result.gradable
    assert result.score is None
    assert "the harness did not start" in result.output


def test_it_keeps_the_head_and_tail_of_long_output() -> None:
    kept = runner._HeadTail(10)
    kept.add(b"HEAD-" + b"x" * 1000 + b"-TAIL")
    assert kept.truncated
    assert kept.text().startswith("HEAD-")
    assert kept.text().endswith("-TAIL")
    assert "not kept" in kept.text()


@pytest.mark.usefixtures("sandboxed")
def test_it_returns_the_channel_bytes_and_exit_codes() -> None:
    view = sandbox.python_view(())
    code = "import os, sys; os.write(int(os.environ['CONVLAB_CHANNEL_FD']), b'data'); sys.exit(3)"
    result = sandbox.run([*view.argv, "-c", code], binds=view.binds, env=dict(view.env),
                         channel=True)  # fmt: skip
    assert result.channel == b"data"
    assert result.outcome is sandbox.Outcome.RUNTIME_ERROR
    assert result.exit_code == 3


@pytest.mark.usefixtures("sandboxed")
def test_it_names_a_crash_by_its_signal() -> None:
    view = sandbox.python_view(())
    code = "import os, signal; os.kill(os.getpid(), signal.SIGSEGV)"
    result = sandbox.run([*view.argv, "-c", code], binds=view.binds, env=dict(view.env))
    assert result.outcome is sandbox.Outcome.KILLED_BY_SIGNAL
    assert "SIGSEGV" in result.message


def test_it_keeps_the_wall_limit_at_least_twice_the_cpu_limit() -> None:
    assert sandbox.Limits(cpu_seconds=5, wall_seconds=3).wall >= 10


@pytest.mark.usefixtures("sandboxed")
def test_it_reports_a_sandbox_that_could_not_be_set_up_as_not_started() -> None:
    missing = sandbox.Bind(Path("/nonexistent-convlab-source"), "/grader")
    result = sandbox.run(["/usr/bin/true"], binds=[missing])
    assert result.outcome is sandbox.Outcome.INTERNAL_ERROR
    assert "bwrap: Can't find source path" in result.message
    assert not result.started


@pytest.mark.usefixtures("sandboxed")
@pytest.mark.parametrize(
    "script",
    ["exit 126", "echo 'bwrap: setting up uid map: Permission denied' >&2; exit 1"],
)
def test_it_blames_a_started_command_for_what_it_prints_and_how_it_exits(script: str) -> None:
    result = sandbox.run(["/bin/sh", "-c", script])
    assert result.outcome is sandbox.Outcome.RUNTIME_ERROR
    assert result.started


_ECHO_FEED = """
import os
channel, feed = int(os.environ['CONVLAB_CHANNEL_FD']), int(os.environ['CONVLAB_FEED_FD'])
os.write(channel, b'go')
received = b''
while len(received) < int(os.environ['WANT']):
    chunk = os.read(feed, 1 << 16)
    if not chunk:
        break
    received += chunk
print(len(received), received[:3].decode(), received[-3:].decode())
"""


@pytest.mark.usefixtures("sandboxed")
def test_it_feeds_the_command_only_what_the_feed_answers_however_large() -> None:
    view = sandbox.python_view(())
    heard: list[bytes] = []
    payload = b"abc" + b"x" * (3 << 20) + b"xyz"  # far more than a pipe holds at once

    def answer(data: bytes) -> bytes:
        heard.append(data)
        return payload

    result = sandbox.run([*view.argv, "-c", _ECHO_FEED], binds=view.binds,
                         env={**dict(view.env), "WANT": str(len(payload))}, channel=True,
                         feed=answer)  # fmt: skip
    assert result.outcome is sandbox.Outcome.OK, result.stderr
    assert result.stdout.split() == [str(len(payload)), "abc", "xyz"]
    assert heard == [b"go"]


@pytest.mark.usefixtures("sandboxed")
def test_a_command_that_never_reads_its_feed_ends_normally() -> None:
    view = sandbox.python_view(())
    code = "import os; os.write(int(os.environ['CONVLAB_CHANNEL_FD']), b'go'); print('bye')"
    result = sandbox.run([*view.argv, "-c", code], binds=view.binds, env=dict(view.env),
                         channel=True, feed=lambda data: b"y" * (1 << 20))  # fmt: skip
    assert result.outcome is sandbox.Outcome.OK
    assert result.stdout == "bye\n"


_WAIT_FOR_GO = """
import os
channel, feed = int(os.environ['CONVLAB_CHANNEL_FD']), int(os.environ['CONVLAB_FEED_FD'])
os.write(channel, b'warm')
print(os.read(feed, 2).decode())
"""


def _held_run(wakeup: sandbox.Wakeup, limits: sandbox.Limits) -> sandbox.RunResult:
    """A command that says it is warm, then waits for the feed's word: "go" once released."""
    view = sandbox.python_view(())
    released: list[bool] = []

    def answer(data: bytes) -> bytes:
        if wakeup.released_at is None or released:
            return b""
        released.append(True)
        return b"go"

    return sandbox.run([*view.argv, "-c", _WAIT_FOR_GO], binds=view.binds, env=dict(view.env),
                       limits=limits, channel=True, feed=answer, wakeup=wakeup)  # fmt: skip


@pytest.mark.usefixtures("sandboxed")
def test_a_held_run_s_wall_limit_counts_from_its_release() -> None:
    import threading
    import time

    wakeup = sandbox.Wakeup()
    limits = sandbox.Limits(cpu_seconds=0.2)  # a wall limit of 1.4 s
    results: list[sandbox.RunResult] = []
    thread = threading.Thread(target=lambda: results.append(_held_run(wakeup, limits)))
    thread.start()
    time.sleep(limits.wall + 0.6)  # held longer than a wall limit: not the command's time
    wakeup.release()
    thread.join(timeout=30)
    wakeup.close()
    (result,) = results
    assert result.outcome is sandbox.Outcome.OK, result.message
    assert result.stdout == "go\n"
    assert not result.stopped
    assert result.wall_seconds > limits.wall


@pytest.mark.usefixtures("sandboxed")
def test_a_stopped_run_ends_at_once_and_says_it_was_stopped() -> None:
    import threading
    import time

    wakeup = sandbox.Wakeup()
    results: list[sandbox.RunResult] = []
    thread = threading.Thread(
        target=lambda: results.append(_held_run(wakeup, sandbox.Limits(cpu_seconds=5)))
    )
    thread.start()
    time.sleep(0.5)
    wakeup.stop()
    thread.join(timeout=30)
    wakeup.close()
    (result,) = results
    assert result.stopped
    assert result.stdout == ""  # never released: the command never heard "go"
    assert result.wall_seconds < 5
