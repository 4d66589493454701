"""Grade one submission: prepare cases, run them all in one sandboxed process, judge outside.

Phases (each timed): ``prepare`` draws the seeded cases and computes the reference outputs;
``run`` runs ``harness.py`` with the student's file in the sandbox and feeds it the cases one at
a time over a pipe, each only once the previous one has returned (``_Feeder``); the harness sends
each output back as a .npy payload; ``check`` loads those payloads with ``allow_pickle=False``
(after checking their header against their size) and compares them with the references. The
student's process never sees a reference output or a seed, and never writes the results. No
case is ever written to a file: the sandbox's file system holds the harness and the submission
only. A check with a time budget runs in a process of its own, timed by the grader (see
``_too_slow``), never by a clock inside the student's process.

Hidden checks stay hidden until the due date: the visible checks run first, in processes that
are never sent a case of any other check; then each hidden or after-due check runs in a process
of its own, whose output (what the code printed, its errors, the shapes and values of the
feedback) goes only into that check's own result, which students do not see before the due
date (``convlab.selectors.visible_results``). ``GradingResult.stdout`` and ``outcomes`` hold
what the visible checks' processes printed and how they ended, nothing of a hidden check's.

Partial credit always: a case that crashes, times out or runs out of memory fails alone; the
remaining cases of that function are skipped (so an infinite loop costs one timeout, not one
per case), and the other functions' cases run in a fresh sandbox. A failure of the grader
itself (no sandbox, a broken suite) gives a result that is not gradable, never a zero.
"""

from __future__ import annotations

import bisect
import concurrent.futures
import io
import itertools
import json
import math
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from convlab import sandbox
from convlab.grading.feedback import (
    Verdict,
    as_outputs,
    compare,
    explain_error,
    explanations,
    named_diagnoses,
)
from convlab.grading.results import CheckResult, GradingResult
from convlab.grading.suite import Arg, Assignment, Case, Check, Result, SuiteError

__all__ = ["MAX_SOURCE_BYTES", "error_location", "grade", "suite_error_text"]

MAX_SOURCE_BYTES = 256 * 1024
HARNESS = Path(__file__).with_name("harness.py")
_SHOWN_FAILURES = 3


@dataclass
class _Planned:
    id: str
    check: Check
    case: Case
    expected: tuple[np.ndarray[Any, Any], ...]
    reference_seconds: float


@dataclass
class _Returned:
    """What the sandbox said about one case: outputs, or an error message for the student."""

    outputs: list[np.ndarray[Any, Any]] | None = None
    since_ready: float = math.inf  # from the ready frame to the last frame of this result
    error: str | None = None


class _Feeder:
    """Answers the harness's channel with the feed: the batch's cases, one at a time.

    Held (``cases`` None) until ``release`` gives it its cases: the harness, once warm, waits
    for the go frame, sent when it is both warm and released (``release`` from another thread,
    then the run's ``Wakeup``, which calls the feeder with no data). Sends the first case when
    the harness reports the submission imported, each next one when it reports the previous
    case's result, and the end once every case is out. Reads the channel's frames as they
    arrive (payload frames after a result are skipped); a frame it cannot read ends the feed.
    The student's code can forge these reports, and so get the cases of its own process a
    little earlier: never those of another process.
    """

    def __init__(self, cases: Sequence[bytes] | None = None) -> None:
        self._cases = list(cases) if cases is not None else None
        self._sent = 0
        self._buffer = bytearray()
        self._skip = 0
        self._ended = False
        self._warm = False
        self._gone = False
        self.warmed = threading.Event()

    def release(self, cases: Sequence[bytes]) -> None:
        self._cases = list(cases)

    def _go(self) -> bytes:
        if self._gone or not self._warm or self._cases is None or self._ended:
            return b""
        self._gone = True
        return _framed(json.dumps({"go": True}).encode())

    def _next(self) -> bytes:
        if self._cases is None:  # only the student's code could report this: it cannot run yet
            return self._end()
        if self._sent < len(self._cases):
            self._sent += 1
            return self._cases[self._sent - 1]
        return self._end()

    def _end(self) -> bytes:
        if self._ended:
            return b""
        self._ended = True
        return _framed(json.dumps({"end": True}).encode())

    def __call__(self, data: bytes) -> bytes:
        self._buffer += data
        out = bytearray(self._go())
        while len(self._buffer) >= 4 and not self._ended:
            size = int.from_bytes(self._buffer[:4], "big")
            if len(self._buffer) < 4 + size:
                break
            frame = bytes(self._buffer[4 : 4 + size])
            del self._buffer[: 4 + size]
            if self._skip:
                self._skip -= 1
                continue
            try:
                event = json.loads(frame)
            except (ValueError, UnicodeDecodeError):
                event = None
            if not isinstance(event, dict):
                out += self._end()
                break
            kind = event.get("event")
            if kind == "warm":
                self._warm = True
                self.warmed.set()
                out += self._go()
            if kind == "result":
                count = event.get("outputs", 0)
                self._skip = count if isinstance(count, int) and 0 < count <= 16 else 0
            if kind in ("imported", "result"):
                out += self._next()
        return bytes(out)


class _Started:
    """One harness process, started in a thread before its cases are known (held)."""

    def __init__(
        self,
        pool: concurrent.futures.ThreadPoolExecutor,
        start: Callable[[_Feeder, sandbox.Wakeup], sandbox.RunResult],
    ) -> None:
        self.feeder = _Feeder()
        self.wakeup = sandbox.Wakeup()
        self.began = time.perf_counter()
        self.future = pool.submit(start, self.feeder, self.wakeup)

    def go(self, cases: Sequence[bytes]) -> sandbox.RunResult:
        self.feeder.release(cases)
        self.wakeup.release()
        return self.future.result()

    def settled(self) -> bool:
        """Whether it is waiting (warm) or over: no longer starting up."""
        return self.feeder.warmed.is_set() or self.future.done()


class _Processes:
    """The grading's sandboxed processes, started ahead of their turn.

    Starting a process (bubblewrap, Python, numpy) costs more than running a correct
    submission's cases, so while one process runs its cases the next ones start: each imports
    numpy, reports ``warm`` and waits, holding no case and having imported nothing of the
    student's, until ``run`` releases it with its cases (its wall limit counts from then, see
    ``sandbox.Wakeup``). One that has waited longer than a wall limit is stopped and a new one
    started. A timed run is released only once no other process is starting up beside it.
    ``close`` stops whatever still runs.
    """

    def __init__(
        self, start: Callable[[_Feeder, sandbox.Wakeup], sandbox.RunResult], wall: float
    ) -> None:
        self._start = start
        self._wall = wall
        self._pool = concurrent.futures.ThreadPoolExecutor(
            max_workers=1 + _AHEAD, thread_name_prefix="convlab-run"
        )
        self._all: list[_Started] = []
        self._ahead: list[_Started] = []

    def _new(self) -> _Started:
        started = _Started(self._pool, self._start)
        self._all.append(started)
        return started

    def run(self, cases: Sequence[bytes], *, ahead: int, timed: bool) -> sandbox.RunResult:
        """Run ``cases`` in the first process started ahead, if it is still usable, else in a
        new one; first start more, up to ``ahead`` waiting beside it."""
        current = self._ahead.pop(0) if self._ahead else None
        if current is not None and (
            current.future.done() or time.perf_counter() - current.began > self._wall
        ):
            current.wakeup.stop()
            current = None
        if current is None:
            current = self._new()
        while len(self._ahead) < ahead:
            self._ahead.append(self._new())
        if timed:
            for other in self._ahead:
                while not other.settled():
                    other.feeder.warmed.wait(0.05)
        return current.go(cases)

    def close(self) -> None:
        for started in self._all:
            if not started.future.done():
                started.wakeup.stop()
        concurrent.futures.wait([started.future for started in self._all])
        self._pool.shutdown(wait=True)
        for started in self._all:
            started.wakeup.close()


# How many processes a grading starts ahead of the one running (each one numpy's import).
_AHEAD = 2


def _framed(data: bytes) -> bytes:
    return len(data).to_bytes(4, "big") + data


_JSON_SCALARS = (type(None), bool, int, float, str)


def _encode_value(value: Any, arrays: list[bytes], where: str) -> dict[str, Any]:
    """One argument as the harness reads it: arrays (anywhere in tuples, lists and dicts) go
    into .npy frames; tuples, lists and dicts keep their kind; numbers, strings and None go as
    JSON. Raises SuiteError for anything else."""
    if isinstance(value, np.ndarray):
        buffer = io.BytesIO()
        try:
            np.save(buffer, value, allow_pickle=False)
        except ValueError as error:
            raise SuiteError(f"{where} is an array of dtype {value.dtype}: {error}") from None
        arrays.append(buffer.getvalue())
        return {"array": len(arrays) - 1}
    if isinstance(value, np.generic):
        number = value.item() if value.dtype.kind in "biuf" else np.asarray(value)
        return _encode_value(number, arrays, where)
    if isinstance(value, tuple | list):
        kind = "tuple" if isinstance(value, tuple) else "list"
        return {kind: [_encode_value(v, arrays, f"{where}[{i}]") for i, v in enumerate(value)]}
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise SuiteError(f"{where} is a dict with keys that are not strings")
        return {"dict": {k: _encode_value(v, arrays, f"{where}[{k!r}]") for k, v in value.items()}}
    if not isinstance(value, _JSON_SCALARS):
        raise SuiteError(
            f"{where} is a {type(value).__name__}, which cannot be sent to the sandbox (use "
            "numpy arrays, numbers, strings, None, and tuples, lists or dicts of them)"
        )
    return {"value": value}


def _encode_ref(ref: Any, case: Case, step: int, where: str) -> dict[str, Any]:
    """A ``calls``/``returns`` reference as the harness reads it, checked against the case."""
    if isinstance(ref, Arg):
        if isinstance(ref.key, int):
            if not 0 <= ref.key < len(case.args):
                raise SuiteError(
                    f"{where}: Arg({ref.key}) but the case has {len(case.args)} positional "
                    "argument(s)"
                )
            return {"arg": ref.key}
        if ref.key not in case.kwargs:
            raise SuiteError(f"{where}: Arg({ref.key!r}) but the case has no such keyword")
        return {"kwarg": ref.key}
    if isinstance(ref, Result):
        if not 0 <= ref.call < step:
            raise SuiteError(f"{where}: Result({ref.call}) refers to no earlier call")
        return {"result": ref.call, "index": list(ref.index)}
    raise SuiteError(f"{where}: {ref!r} is neither an Arg nor a Result")


def _encode_case(item: _Planned) -> bytes:
    """One case as the harness reads it from the feed: a JSON header, then its arrays."""
    arrays: list[bytes] = []
    check, case = item.check, item.case
    where = f"check {check.name!r}, case {case.label!r}"
    header: dict[str, Any] = {
        "id": item.id,
        "function": check.function,
        "args": [
            _encode_value(v, arrays, f"{where}: argument {i}") for i, v in enumerate(case.args)
        ],
        "kwargs": {
            k: _encode_value(v, arrays, f"{where}: argument {k!r}") for k, v in case.kwargs.items()
        },
    }
    if check.calls:
        header["calls"] = [
            {
                "function": call.function,
                "args": [_encode_ref(r, case, step, f"{where}, call {step}") for r in call.args],
                "kwargs": {
                    k: _encode_ref(r, case, step, f"{where}, call {step}")
                    for k, r in call.kwargs.items()
                },
            }
            for step, call in enumerate(check.calls)
        ]
    if check.returns:
        steps = len(check.calls) or 1
        header["returns"] = [
            _encode_ref(r, case, steps, f"{where}, returns") for r in check.returns
        ]
    header["arrays"] = len(arrays)
    try:
        encoded = json.dumps(header).encode()
    except (TypeError, ValueError) as error:
        raise SuiteError(f"{where}: {error}") from None
    return b"".join(_framed(part) for part in [encoded, *arrays])


@dataclass
class _Channel:
    ready: bool = False  # the harness's first frame: it got as far as importing the submission
    imported: bool = False
    import_error: str | None = None
    done: bool = False
    started: list[str] = field(default_factory=list)
    results: dict[str, _Returned] = field(default_factory=dict)
    corrupted: bool = False


def _load_npy(payload: bytes) -> np.ndarray[Any, Any] | str:
    """A .npy payload as an array, refusing pickles and headers that promise more than sent."""
    buffer = io.BytesIO(payload)
    try:
        version = np.lib.format.read_magic(buffer)
        if version == (1, 0):
            shape, _, dtype = np.lib.format.read_array_header_1_0(buffer)
        else:
            shape, _, dtype = np.lib.format.read_array_header_2_0(buffer)
    except (ValueError, SyntaxError, TypeError):
        return "returned something that is not a numpy array"
    if dtype.hasobject or dtype.kind not in "biuf":
        return f"returned an array of dtype {dtype}, not a numeric array"
    if math.prod(shape) * dtype.itemsize != len(payload) - buffer.tell():
        return "returned a corrupted array"
    try:
        loaded: np.ndarray[Any, Any] = np.load(io.BytesIO(payload), allow_pickle=False)
    except ValueError as error:
        return f"returned an array that cannot be read safely ({error})"
    return loaded


def _parse(data: bytes, arrivals: Sequence[tuple[int, float]] = ()) -> _Channel:
    """Read the harness's frames; anything malformed marks the rest as unreadable.

    ``arrivals`` are the runner's (bytes received, seconds) pairs: each result is timed from
    the arrival of the ready frame to that of the result's last frame, by the grader's clock.
    """
    channel = _Channel()
    position = 0
    received = [count for count, _ in arrivals]
    ready_at = math.inf

    def arrived(end: int) -> float:
        """When the first ``end`` bytes had all arrived (never, when unrecorded)."""
        index = bisect.bisect_left(received, end)
        return arrivals[index][1] if index < len(arrivals) else math.inf

    def frame() -> bytes | None:
        nonlocal position
        if position + 4 > len(data):
            return None
        size = int.from_bytes(data[position : position + 4], "big")
        if position + 4 + size > len(data):
            return None
        payload = data[position + 4 : position + 4 + size]
        position += 4 + size
        return payload

    start = 0
    opening = frame()
    try:
        warm = opening is not None and json.loads(opening) == {"event": "warm"}
    except (ValueError, UnicodeDecodeError):
        warm = False
    if warm:
        start = position  # the harness's warm frame comes before the ready one (harness.py)
    else:
        position = 0
    while position < len(data):
        first = position == start
        header = frame()
        try:
            event = json.loads(header) if header is not None else None
        except (ValueError, UnicodeDecodeError):
            event = None
        if not isinstance(event, dict):
            channel.corrupted = True
            return channel
        kind, case = event.get("event"), str(event.get("case", ""))
        if kind == "ready" and first:
            channel.ready = True
            ready_at = arrived(position)
        elif kind == "imported":
            channel.imported = True
        elif kind == "import_error":
            channel.import_error = str(event.get("error", ""))
        elif kind == "start":
            channel.started.append(case)
        elif kind == "done":
            channel.done = True
        elif kind == "result" and event.get("status") == "ok":
            outputs: list[np.ndarray[Any, Any]] = []
            count = event.get("outputs", 0)
            for _ in range(count if isinstance(count, int) and 0 <= count <= 16 else 0):
                payload = frame()
                if payload is None:
                    channel.corrupted = True
                    return channel
                loaded = _load_npy(payload)
                if isinstance(loaded, str):
                    channel.results[case] = _Returned(error=f"Your function {loaded}.")
                    break
                outputs.append(loaded)
            else:
                since_ready = arrived(position) - ready_at
                channel.results[case] = _Returned(outputs=outputs, since_ready=since_ready)
        elif kind == "result" and event.get("status") == "missing":
            name = event.get("name")
            channel.results[case] = _Returned(
                error=f"Your file does not define the function {name}."
                if isinstance(name, str) and name.isidentifier()
                else "Your file does not define this function."
            )
        elif kind == "result":
            error = str(event.get("error", ""))
            channel.results[case] = _Returned(
                error=f"Your function {error}" if event.get("status") == "invalid" else error
            )
        else:
            channel.corrupted = True
            return channel
    return channel


def _plan(assignment: Assignment, seed: int) -> list[_Planned]:
    planned = []
    for number, check in enumerate(assignment.checks):
        for index, case in enumerate(assignment.cases(check, seed)):
            began = time.perf_counter()
            expected = as_outputs(check.expected(case))
            elapsed = time.perf_counter() - began
            planned.append(_Planned(f"k{number}c{index}", check, case, expected, elapsed))
    return planned


def _crash_message(run: sandbox.RunResult) -> str:
    if run.outcome is sandbox.Outcome.OK or (
        run.outcome is sandbox.Outcome.RUNTIME_ERROR and run.exit_code == 0
    ):
        return (
            "Your code ended the grading process early (sys.exit() or os._exit()): the "
            "grader calls your functions and needs them to return."
        )
    if run.outcome is sandbox.Outcome.RUNTIME_ERROR:
        tail = run.stderr.strip().splitlines()[-3:]
        return "Your code stopped the process. " + " ".join(tail)
    return run.message


def _too_slow(check: Check, items: Sequence[_Planned], returned: dict[str, _Returned]) -> str:
    """Why the check's cases, together, took longer than its time budget allows ("" if not).

    The check's cases ran alone in their process: the time from its ready frame to their last
    result, by the runner's clock (CPU time where it can), is the submission's whole, import
    included, and the student cannot shorten it.
    """
    budget = check.time_budget
    results = [returned[item.id] for item in items if item.id in returned]
    took = max((r.since_ready for r in results if r.outputs is not None), default=0.0)
    allowed = (budget or 0.0) * sum(max(item.reference_seconds, 1e-3) for item in items)
    if budget is None or took <= allowed:
        return ""
    return (
        f"correct, but too slow: the {len(items)} cases took {took * 1e3:.1f} ms together "
        f"where {allowed * 1e3:.1f} ms is allowed ({budget:g}x the reference). Replace Python "
        "loops over elements with array operations."
    )


def _judge(
    item: _Planned, returned: _Returned, too_slow: str, packages: Sequence[str] = ("numpy",)
) -> Verdict:
    if returned.error is not None or returned.outputs is None:
        return Verdict(False, explain_error(returned.error or "no result.", packages))
    actual = tuple(returned.outputs)
    if item.check.transform is not None:
        try:
            actual = item.check.transform(item.case, actual)
        except (ValueError, IndexError, TypeError) as error:
            return Verdict(False, f"the output cannot be used as specified: {error}")
    verdict = compare(item.check, item.case, item.expected, actual)
    if verdict.passed and too_slow:
        return Verdict(False, too_slow)
    return verdict


def suite_error_text(assignment: Assignment, error: BaseException) -> str:
    """A suite's failure as staff should read it: "suite error in <file>, line N: ..."."""
    where = error_location(error)
    detail = str(error) if isinstance(error, SuiteError) else f"{type(error).__name__}: {error}"
    return f"suite error in “{assignment.slug}”" + (f" at {where}" if where else "") + f": {detail}"


def error_location(error: BaseException) -> str:
    """The innermost "file, line N" of ``error``'s traceback outside convlab's grading code,
    numpy and the standard library: the suite's own line, where there is one."""
    import traceback

    if isinstance(error, SyntaxError) and error.filename:
        return f"{error.filename}, line {error.lineno}"
    grading = str(Path(__file__).parent)
    frames = [
        f
        for f in traceback.extract_tb(error.__traceback__)
        if not f.filename.startswith(grading)
        and "site-packages" not in f.filename
        and "/lib/python3" not in f.filename
        and not f.filename.startswith("<")
    ]
    return f"{frames[-1].filename}, line {frames[-1].lineno}" if frames else ""


def _not_gradable(assignment: Assignment, why: str, timings: dict[str, float]) -> GradingResult:
    return GradingResult(
        assignment=assignment.slug,
        gradable=False,
        score=None,
        max_score=assignment.max_score,
        output=f"Not graded: the grader failed ({why}). This attempt does not count.",
        tests=(),
        execution_time=sum(timings.values()),
        timings=timings,
    )


def grade(
    assignment: Assignment,
    source: str,
    *,
    seed: int = 0,
    insecure: bool = False,
    deadline_seconds: float | None = None,
) -> GradingResult:
    """Grade the student's ``source`` (the text of their .py file) on ``assignment``.

    ``seed`` varies the cases between gradings (the cases of a given seed are fixed). With
    ``insecure`` the code runs without a sandbox when bubblewrap is missing (development only).
    ``deadline_seconds`` bounds the whole grading from its start: no sandboxed run is started
    after the first unless it can use its full wall limit within it, and the cases left then
    fail as the submission's timeout (None: no bound but each run's). The first run always
    starts, so give it at least one run's wall limit; the caller's own time limit must leave
    room beyond it for checking the outputs.
    Never raises for anything the submission does.
    """
    timings: dict[str, float] = {}
    began = graded_from = time.perf_counter()
    if len(source.encode()) > MAX_SOURCE_BYTES:
        return _finish(assignment, [], {}, [], timings, "Your file is larger than 256 KiB.", "")
    try:
        planned = _plan(assignment, seed)
        encoded = {item.id: _encode_case(item) for item in planned}
    except Exception as error:  # a broken suite is never the student's fault
        timings["prepare"] = time.perf_counter() - began
        return _not_gradable(assignment, suite_error_text(assignment, error), timings)
    try:
        view = sandbox.python_view(assignment.packages)
    except Exception as error:  # nor is a broken grader setup
        timings["prepare"] = time.perf_counter() - began
        return _not_gradable(assignment, f"{type(error).__name__}: {error}", timings)
    timings["prepare"] = time.perf_counter() - began

    began = time.perf_counter()
    workdir = Path(tempfile.mkdtemp(prefix="convlab-"))
    returned: dict[str, _Returned] = {}
    outcomes: list[str] = []
    stdout_parts: list[str] = []
    printed: dict[int, list[str]] = {}  # a hidden check's index: what its processes printed
    sandboxed = True
    processes: _Processes | None = None
    try:
        # The sandbox's uid must read these; nothing here is secret (no case is ever here).
        workdir.chmod(0o755)
        (workdir / "submission.py").write_text(source)
        shutil.copy(HARNESS, workdir / "harness.py")
        for path in workdir.iterdir():
            path.chmod(0o644)
        function_of = {item.id: item.check.function for item in planned}
        check_of = {item.id: item.check for item in planned}
        batches = _batches(assignment, planned)
        bwrap = sandbox.bwrap_path()
        argv = [
            *(view.insecure_argv if insecure and not bwrap else view.argv),
            "/grader/harness.py",
            view.packages_dir if bwrap or not insecure else view.insecure_packages_dir,
            "/grader/submission.py",
        ]

        def start(feeder: _Feeder, wakeup: sandbox.Wakeup) -> sandbox.RunResult:
            return sandbox.run(
                argv,
                binds=[*view.binds, sandbox.Bind(workdir, "/grader")],
                hidden=view.hidden,
                env=dict(view.env),
                limits=assignment.limits,
                channel=True,
                feed=feeder,
                wakeup=wakeup,
                insecure=insecure,
            )

        processes = _Processes(start, assignment.limits.wall)
        stopped: set[str] = set()  # functions that stopped a process: not run again
        unimportable: str | None = None
        runs = 0
        out_of_time = False
        for number, (shown_as, batch) in enumerate(batches):
            for case_id in batch:
                if unimportable is not None:
                    returned[case_id] = _Returned(error=unimportable)
                elif function_of[case_id] in stopped:
                    returned[case_id] = _Returned(
                        error="Not run: an earlier case of this function stopped the process "
                        "(see above)."
                    )
            pending = [i for i in batch if i not in returned]
            for _ in range(len({function_of[i] for i in pending}) + 1):
                if not pending or out_of_time:
                    break
                if (
                    runs
                    and deadline_seconds is not None
                    and time.perf_counter() - graded_from + assignment.limits.wall
                    > deadline_seconds
                ):
                    # Submissions that hang in one function after another would otherwise
                    # outlast the task's time limit and be marked not gradable: their time is
                    # their own.
                    out_of_time = True
                    break
                runs += 1
                # The next processes start (and import numpy) while this one runs, unless this
                # one is timed: then nothing else starts beside it.
                timed = any(check_of[i].time_budget is not None for i in pending)
                run = processes.run(
                    [encoded[i] for i in pending],
                    ahead=0 if timed else min(_AHEAD, len(batches) - 1 - number),
                    timed=timed,
                )
                sandboxed = run.sandboxed
                if shown_as is None:
                    outcomes.append(run.outcome.value)
                    stdout_parts.append(run.stdout)
                elif run.stdout.strip():
                    printed.setdefault(shown_as, []).append(run.stdout)
                channel = _parse(run.channel, run.channel_arrivals)
                # Only the harness's ready frame, written before the submission is imported, says
                # the student's code ran at all: without it nothing that happened is theirs.
                if run.outcome is sandbox.Outcome.INTERNAL_ERROR or not channel.ready:
                    timings["run"] = time.perf_counter() - began
                    why = run.message
                    if run.outcome is not sandbox.Outcome.INTERNAL_ERROR:
                        detail = run.stderr.strip()[-500:] or run.outcome.value
                        why = "the harness did not start: " + detail
                    return _not_gradable(assignment, why, timings)
                returned.update(channel.results)
                pending = [i for i in pending if i not in channel.results]
                if channel.import_error is not None or not channel.imported:
                    why = (
                        "Your file could not be imported:\n" + channel.import_error
                        if channel.import_error is not None
                        else "Your file did not finish importing: " + _crash_message(run)
                    )
                    unimportable = why
                    for case_id in pending:
                        returned[case_id] = _Returned(error=why)
                    pending = []
                    break
                if channel.corrupted:
                    for case_id in pending:
                        returned[case_id] = _Returned(
                            error="Your code wrote to the grader's result channel, so no result "
                            "after that point could be read."
                        )
                    pending = []
                    break
                if channel.done or not pending:
                    break
                crashed = [i for i in channel.started if i not in channel.results]
                if crashed:
                    culprit = crashed[-1]
                    stopped.add(function_of[culprit])
                    returned[culprit] = _Returned(error=_crash_message(run))
                    for case_id in pending:
                        if case_id != culprit and function_of[case_id] == function_of[culprit]:
                            returned[case_id] = _Returned(
                                error="Not run: an earlier case of this function stopped the "
                                "process (see above)."
                            )
                    pending = [i for i in pending if i not in returned]
            for case_id in pending:
                returned[case_id] = _Returned(
                    error=f"Not run: your code used up the whole grading's time "
                    f"({deadline_seconds:g} s) in the functions run before this one. Look for an "
                    "infinite loop or a wait that never ends."
                    if out_of_time
                    else "Not run: the grading process kept failing."
                )
    except sandbox.SandboxUnavailable as error:
        timings["run"] = time.perf_counter() - began
        return _not_gradable(assignment, str(error), timings)
    finally:
        if processes is not None:
            processes.close()
        shutil.rmtree(workdir, ignore_errors=True)
    timings["run"] = time.perf_counter() - began
    return _finish(
        assignment,
        planned,
        returned,
        outcomes,
        timings,
        "",
        "".join(stdout_parts),
        sandboxed,
        {index: "".join(parts) for index, parts in printed.items()},
    )


def _batches(
    assignment: Assignment, planned: Sequence[_Planned]
) -> list[tuple[int | None, list[str]]]:
    """The cases each process runs, in order, with the index of the hidden check they belong
    to (None: visible checks).

    The visible checks without a time budget share a process; a check with a time budget runs
    alone in its own, timed from the harness's ready frame to its last result by the grader's
    clock (inside that process the student's code can rewrite any clock or frame the harness
    would time it with). Every hidden or after-due check runs alone, after all the visible ones,
    so that a visible check's process never holds a hidden check's case and a hidden check's
    process prints only into that check's result.
    """
    checks = list(enumerate(assignment.checks))
    visible = [c for c in checks if c[1].visibility == "visible"]
    batches: list[tuple[int | None, list[str]]] = [
        (None, [i.id for _, c in visible if c.time_budget is None for i in planned if i.check is c])
    ]
    batches += [
        (None, [i.id for i in planned if i.check is check])
        for _, check in visible
        if check.time_budget is not None
    ]
    batches += [
        (index, [i.id for i in planned if i.check is check])
        for index, check in checks
        if check.visibility != "visible"
    ]
    return batches


def _finish(
    assignment: Assignment,
    planned: Sequence[_Planned],
    returned: dict[str, _Returned],
    outcomes: Sequence[str],
    timings: dict[str, float],
    refusal: str,
    stdout: str,
    sandboxed: bool = True,
    printed: dict[int, str] | None = None,
) -> GradingResult:
    began = time.perf_counter()
    tests = []
    for index, check in enumerate(assignment.checks):
        items = [item for item in planned if item.check is check]
        too_slow = _too_slow(check, items, returned)
        missing = _Returned(error=refusal or "no result.")
        verdicts = [
            (item, _judge(item, returned.get(item.id, missing), too_slow, assignment.packages))
            for item in items
        ]
        passed = sum(1 for _, v in verdicts if v.passed)
        total = len(verdicts) or 1
        failures = [(item, v) for item, v in verdicts if not v.passed]
        if refusal:
            lines = [refusal]
        elif not failures:
            lines = [f"All {total} cases passed."]
        else:
            lines = [f"{passed} of {total} cases passed."]
            for item, verdict in failures[:_SHOWN_FAILURES]:
                lines.append(f"- case {item.case.label}: {verdict.message}")
            if len(failures) > _SHOWN_FAILURES:
                lines.append(f"- ... and {len(failures) - _SHOWN_FAILURES} more failing cases.")
        diagnoses = named_diagnoses(check, [(item.case, v) for item, v in verdicts])
        if diagnoses and not refusal:
            lines += explanations(check, diagnoses)
        own = (printed or {}).get(index, "").rstrip()
        if own:
            lines += ["", "Your code printed while this check ran:", own]
        # The first failure's heatmap that there is: only it is drawn.
        heatmaps = tuple(itertools.islice((v.heatmap for _, v in failures if v.heatmap), 1))
        tests.append(
            CheckResult(
                name=check.name,
                score=round(check.points * passed / total, 2) if not refusal else 0.0,
                max_score=float(check.points),
                output="\n".join(lines),
                visibility=check.visibility,
                passed_cases=passed if not refusal else 0,
                total_cases=total,
                diagnoses=diagnoses,
                heatmaps=heatmaps,
            )
        )
    timings["check"] = time.perf_counter() - began
    score = round(sum(t.score for t in tests), 2)
    passed_checks = sum(1 for t in tests if t.status == "passed")
    summary = refusal or f"{passed_checks} of {len(tests)} checks passed."
    return GradingResult(
        assignment=assignment.slug,
        gradable=True,
        score=score,
        max_score=assignment.max_score,
        output=summary,
        tests=tuple(tests),
        stdout=stdout,
        execution_time=sum(timings.values()),
        timings=dict(timings),
        outcomes=tuple(outcomes),
        sandboxed=sandboxed,
    )
