"""Hidden checks' inputs never reach a student before the due date (issue #14, finding 5).

Whatever the submission does (walk the sandbox's file system, the harness's memory and frames,
its feed, at import or inside a visible check's function; print a hidden check's arguments or
raise them), what a student sees of the result before the due date (``visible_results`` of the
results.json) holds nothing of a hidden or after-due check's inputs: only whether the hidden
checks passed. After the due date the hidden checks open, with what was printed while they ran.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import numpy as np
import pytest

from convlab.grading import Assignment, Case, Check, Function, GradingResult, grade, to_gradescope
from convlab.grading.engine import _Feeder
from convlab.sandbox import Limits
from convlab.selectors import visible_results

pytestmark = pytest.mark.usefixtures("sandboxed")

HIDDEN_SCALE = 271828183
HIDDEN_VALUE = 0.8675309
AFTER_DUE_OFFSET = 314159265
SECRETS = ("271828183", "0.8675309", "314159265", "8.675309")


def _visible_cases(rng: np.random.Generator) -> list[Case]:
    return [Case((rng.standard_normal((2, 3)),), {}, "x=(2, 3)") for _ in range(2)]


def _hidden_cases(rng: np.random.Generator) -> list[Case]:
    return [Case((np.full((2, 3), HIDDEN_VALUE),), {"scale": HIDDEN_SCALE}, "a hidden case")]


def _after_due_cases(rng: np.random.Generator) -> list[Case]:
    return [Case((np.zeros(2),), {"offset": AFTER_DUE_OFFSET}, "an after-due case")]


SECRET = Assignment(
    slug="secret",
    title="Secret",
    functions=(
        Function("f", "f(x)", "2x"),
        Function("h", "h(x, scale)", "x * scale"),
        Function("a", "a(x, offset)", "x + offset"),
    ),
    checks=(
        Check("f doubles", "f", 1, _visible_cases, lambda x: 2 * x),
        Check("h scales", "h", 1, _hidden_cases, lambda x, scale: x * scale, visibility="hidden"),
        Check("a offsets", "a", 1, _after_due_cases, lambda x, offset: x + offset,
              visibility="after_due"),
    ),
    handout="",
    limits=Limits(cpu_seconds=2, wall_seconds=6, memory_bytes=512 << 20, processes=32),
)  # fmt: skip

CORRECT = """
def f(x):
    return 2 * x

def h(x, scale):
    return x * scale

def a(x, offset):
    return x + offset
"""

# Everything a submission can reach of the grader's inputs from inside its process: every file
# it can see outside the system's trees (and those its argv names), the objects and frames of
# the process, and the feed the cases arrive on.
SNOOP = """
import gc, os, sys
import numpy as np

def snoop(where):
    found = [where, repr(sys.argv)]
    for arg in sys.argv[1:]:
        if os.path.isfile(arg) and not arg.endswith(".py"):
            with open(arg, errors="replace") as handle:
                found.append(handle.read(2000))
    frame = sys._getframe()
    while frame is not None:
        if frame.f_code.co_filename == sys.argv[0]:
            found += [k + "=" + repr(v)[:2000] for k, v in frame.f_locals.items()
                      if not k.startswith("__")
                      and isinstance(v, (dict, list, tuple, np.ndarray, str, int, float))]
        frame = frame.f_back
    for obj in gc.get_objects():
        if (isinstance(obj, dict) and "__module__" not in obj
                and ("cases" in obj or {"args", "kwargs"} <= set(obj))):
            found.append(repr(obj)[:2000])
    feed = os.environ.get("CONVLAB_FEED_FD")
    if feed is not None:
        os.set_blocking(int(feed), False)
        try:
            found.append("feed: " + repr(os.read(int(feed), 1 << 16)))
        except OSError as error:
            found.append("feed: " + repr(error))
        finally:
            os.set_blocking(int(feed), True)
    for root, dirs, files in os.walk("/"):
        dirs[:] = [d for d in dirs if os.path.join(root, d) not in
                   ("/proc", "/sys", "/usr", "/opt", "/dev")]
        for name in files:
            path = os.path.join(root, name)
            if path.endswith(".py"):
                found.append(path)
                continue
            try:
                if path.endswith(".npz"):
                    with np.load(path) as loaded:
                        found.append(repr({k: loaded[k] for k in loaded.files})[:2000])
                else:
                    with open(path, errors="replace") as handle:
                        found.append(path + ": " + handle.read(2000))
            except Exception as error:
                found.append(path + ": " + repr(error))
    text = "\\n".join(found)
    print(text)
    print(text[-3000:], file=sys.stderr)
    return text
"""


def _seen_before_due(result: GradingResult) -> str:
    """Everything a student is shown of the result before the due date, as text."""
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    shown = visible_results(
        results=to_gradescope(result), due_at=now + dt.timedelta(days=1), now=now, full=False
    )
    return json.dumps(shown)


def _seen_after_due(result: GradingResult) -> dict[str, Any]:
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    return visible_results(
        results=to_gradescope(result), due_at=now - dt.timedelta(days=1), now=now, full=False
    )


def _assert_no_secret(seen: str) -> None:
    leaked = [secret for secret in SECRETS if secret in seen]
    assert leaked == [], f"hidden inputs {leaked} shown before the due date"


def test_the_correct_submission_passes_every_check() -> None:
    result = grade(SECRET, CORRECT)
    assert result.score == SECRET.max_score == 3


def test_a_submission_snooping_at_import_sees_no_hidden_input() -> None:
    result = grade(SECRET, SNOOP + "snoop('import')\n" + CORRECT)
    assert result.score == 3  # the snooping costs nothing, and the hidden checks still run
    seen = _seen_before_due(result)
    assert result.stdout.startswith("import\n")  # it printed what it found, for the student
    assert "/grader/submission.py" in result.stdout
    _assert_no_secret(seen)
    assert '"hidden_checks": {"passed": 1, "total": 1}' in seen


def test_a_visible_checks_function_snooping_sees_no_hidden_input() -> None:
    source = SNOOP + CORRECT.replace("    return 2 * x", "    snoop('f')\n    return 2 * x")
    result = grade(SECRET, source)
    assert result.score == 3
    assert "\nf\n" in result.stdout  # the visible check did snoop and print
    _assert_no_secret(_seen_before_due(result))


def test_what_a_hidden_check_prints_or_raises_is_shown_only_after_the_due_date() -> None:
    source = """
import sys

def f(x):
    return 2 * x

def h(x, scale):
    print("h got", repr(x), scale)
    print("h got", scale, file=sys.stderr)
    if scale > 1000:
        raise ValueError(f"scale={scale}, x={x!r}")
    return x * scale

def a(x, offset):
    print("a got", offset)
    return x[:1] + offset
"""
    result = grade(SECRET, source)
    assert result.score == 1  # f only: h raises, a has the wrong shape
    _assert_no_secret(_seen_before_due(result))
    assert "h got" not in result.stdout
    after = {t["name"]: t["output"] for t in _seen_after_due(result)["tests"]}
    assert f"scale={HIDDEN_SCALE}" in after["h scales"]  # its error, after the due date
    assert f"h got array([[{HIDDEN_VALUE}" in after["h scales"]  # and what it printed
    assert f"a got {AFTER_DUE_OFFSET}" in after["a offsets"]
    assert "(2,)" in after["a offsets"]  # the expected shape, after the due date only


def test_a_hidden_check_that_crashes_its_process_leaks_nothing_and_costs_only_itself() -> None:
    source = CORRECT.replace(
        "def h(x, scale):\n    return x * scale",
        "def h(x, scale):\n    import os\n    os.write(2, repr(scale).encode())\n    os._exit(3)",
    )
    result = grade(SECRET, source)
    assert result.gradable
    assert result.score == 2  # f and a: h alone fails
    _assert_no_secret(_seen_before_due(result))
    assert "ok" in result.outcomes
    assert "runtime_error" not in result.outcomes  # the hidden check's process is not listed


def _frame(header: dict[str, Any], *payloads: bytes) -> bytes:
    parts = [json.dumps(header).encode(), *payloads]
    return b"".join(len(part).to_bytes(4, "big") + part for part in parts)


def test_the_feeder_sends_each_case_only_after_the_import_or_the_previous_result() -> None:
    feeder = _Feeder([b"CASE1", b"CASE2"])
    assert feeder(_frame({"event": "ready"})) == b""
    assert feeder(_frame({"event": "imported"})) == b"CASE1"
    assert feeder(_frame({"event": "start", "case": "k0c0"})) == b""
    # A result's output frames are skipped, whatever they hold; half a frame waits for the rest.
    result = _frame({"event": "result", "status": "ok", "outputs": 1}, b'{"event": "imported"}')
    assert feeder(result[:7]) == b""
    assert feeder(result[7:]) == b"CASE2"
    ended = feeder(_frame({"event": "result", "status": "error"}))
    assert json.loads(ended[4:]) == {"end": True}
    assert feeder(_frame({"event": "result", "status": "error"})) == b""


def test_a_held_feeder_lets_the_harness_go_only_once_it_is_warm_and_released() -> None:
    feeder = _Feeder()  # a process started ahead of its turn: no cases yet
    assert feeder(_frame({"event": "warm"})) == b""
    assert feeder(b"") == b""  # woken before its release: still nothing
    feeder.release([b"CASE1"])
    go = feeder(b"")
    assert json.loads(go[4:]) == {"go": True}
    assert feeder(b"") == b""  # the go frame is sent once
    assert feeder(_frame({"event": "ready"})) == b""
    assert feeder(_frame({"event": "imported"})) == b"CASE1"
    released_first = _Feeder()
    released_first.release([b"CASE1"])
    assert released_first(b"") == b""  # not warm yet
    assert json.loads(released_first(_frame({"event": "warm"}))[4:]) == {"go": True}


def test_the_feeder_ends_the_feed_on_a_frame_it_cannot_read() -> None:
    feeder = _Feeder([b"CASE1"])
    ended = feeder((5).to_bytes(4, "big") + b"\xff\xfe{{{")
    assert json.loads(ended[4:]) == {"end": True}
    assert feeder(_frame({"event": "imported"})) == b""


def test_an_interrupted_grading_stops_every_process_it_started_ahead(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A Celery time limit raised while one process runs: the processes started ahead of their
    turn are stopped, none is left running, and grade() raises at once."""
    from convlab.grading import engine

    started: list[Any] = []
    new = engine._Processes._new

    def recorded(self: Any) -> Any:
        process = new(self)
        started.append(process)
        return process

    def interrupted(self: Any, cases: Any) -> Any:
        raise TimeoutError("the task's soft time limit")

    monkeypatch.setattr(engine._Processes, "_new", recorded)
    monkeypatch.setattr(engine._Started, "go", interrupted)
    with pytest.raises(TimeoutError):
        grade(SECRET, CORRECT)
    assert len(started) == 3  # the listed checks' process and two ahead (hidden, after due)
    results = [process.future.result() for process in started]
    assert all(process.future.done() for process in started)
    assert all(result.stopped for result in results)
    assert all(result.wall_seconds < SECRET.limits.wall for result in results)
