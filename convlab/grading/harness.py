"""The program that runs inside the sandbox: import the submission, call it on each case.

Standalone on purpose (standard library and numpy only; it must not import convlab, which is
not visible in the sandbox). Usage::

    python -I -S harness.py PACKAGES_DIR SUBMISSION

Events go to the pipe whose fd number is in ``$CONVLAB_CHANNEL_FD`` as frames: 4-byte
big-endian length, then bytes. A JSON header frame per event (``warm``, ``ready``,
``imported``, ``import_error``, ``start``, ``result``, ``done``). ``warm`` is always the first:
numpy is imported, and the harness waits for a ``{"go": true}`` frame on the feed (anything
else, or the feed's end, ends it), so that the grader can start a process ahead of its turn.
``ready`` comes next, written just before the submission is imported, so its presence proves
the grader's own setup worked and its absence that the student's code never ran; a ``result``
with ``"outputs": n`` is followed by n frames, each one array in .npy format.

The cases arrive on the pipe whose fd number is in ``$CONVLAB_FEED_FD``, in frames of the same
kind, one case at a time: the grader sends the first once the harness reports ``imported`` and
each next one once it reports the previous case's ``result``, so no case is in this process (or
its file system) while the submission is imported, and a case is here only from the moment it
is due to run. A case is a JSON header ``{"id", "function", "args", "kwargs", "arrays": n}``,
each argument ``{"array": index}`` (one of the n .npy frames that follow, loaded with
``allow_pickle=False``), ``{"value": json_value}`` (lists become tuples), or ``{"tuple": [...]}``,
``{"list": [...]}``, ``{"dict": {...}}`` of arguments (containers holding arrays). A case may
add ``"calls"`` (student calls made in turn, each ``{"function", "args", "kwargs"}`` whose
entries are ``{"arg": i}``, ``{"kwarg": name}`` or ``{"result": step, "index": [...]}``: a
case's argument or an earlier call's result, indexed) and ``"returns"`` (such entries: the
outputs to send back); without them the case is one call of ``function``. ``{"end": true}``
(or the feed's end) means there is no case left. Everything here runs in the same process as
the student's code, so the grader treats every frame as a claim to be checked, never as a
trusted verdict.
"""

from __future__ import annotations

import importlib.util
import io
import json
import os
import sys
import time
import traceback
from typing import Any


def _frame(fd: int, data: bytes) -> None:
    payload = len(data).to_bytes(4, "big") + data
    while payload:
        written = os.write(fd, payload)
        payload = payload[written:]


def _event(fd: int, **fields: Any) -> None:
    _frame(fd, json.dumps(fields).encode())


def _student_traceback(error: BaseException, submission: str) -> str:
    """The traceback trimmed to the frames in the student's own file, plus the error line."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == submission]
    name = os.path.basename(submission)
    lines = []
    for frame in frames:
        lines.append(f'  File "{name}", line {frame.lineno}, in {frame.name}')
        if frame.line:
            lines.append(f"    {frame.line}")
    last = traceback.extract_tb(error.__traceback__)
    if last and last[-1].filename != submission and frames:
        lines.append("  (the error was raised inside a library your code called)")
    detail = "".join(traceback.format_exception_only(type(error), error)).strip()
    head = "Traceback (your file only):" if lines else "Error:"
    return "\n".join([head, *lines, detail])[:4000]


def _read_exactly(fd: int, size: int) -> bytes | None:
    data = bytearray()
    while len(data) < size:
        chunk = os.read(fd, min(size - len(data), 1 << 20))
        if not chunk:
            return None
        data += chunk
    return bytes(data)


def _read_frame(fd: int) -> bytes | None:
    """The next frame of the feed, or None at its end."""
    head = _read_exactly(fd, 4)
    return None if head is None else _read_exactly(fd, int.from_bytes(head, "big"))


def _next_case(fd: int, np: Any) -> tuple[dict[str, Any], list[Any]] | None:
    """The next case from the grader and its arrays, or None when there is none left."""
    header = _read_frame(fd)
    if header is None:
        return None
    case = json.loads(header)
    if case.get("end"):
        return None
    arrays = []
    for _ in range(case["arrays"]):
        payload = _read_frame(fd)
        if payload is None:
            return None
        arrays.append(np.load(io.BytesIO(payload), allow_pickle=False))
    return case, arrays


def _value(spec: dict[str, Any], arrays: list[Any]) -> Any:
    if "array" in spec:
        return arrays[spec["array"]]
    if "tuple" in spec:
        return tuple(_value(item, arrays) for item in spec["tuple"])
    if "list" in spec:
        return [_value(item, arrays) for item in spec["list"]]
    if "dict" in spec:
        return {key: _value(item, arrays) for key, item in spec["dict"].items()}
    value = spec["value"]
    return tuple(value) if isinstance(value, list) else value


class _Unusable(Exception):
    """A student's return value that a later call or the grader cannot index as declared."""


def _resolve(
    ref: dict[str, Any],
    args: list[Any],
    kwargs: dict[str, Any],
    results: list[Any],
    names: list[str],
) -> Any:
    if "arg" in ref:
        return args[ref["arg"]]
    if "kwarg" in ref:
        return kwargs[ref["kwarg"]]
    value = results[ref["result"]]
    path = ""
    for key in ref.get("index", []):
        if not isinstance(value, tuple | list | dict):
            kind = type(value).__name__
            kind = "a numpy array" if kind == "ndarray" else f"a {kind}"
            what = f"returned {kind}" if not path else f"returned a value whose {path} is {kind}"
            raise _Unusable(
                f"{names[ref['result']]} {what} where the grader expects a tuple to take "
                f"[{key!r}] of; check what the handout says it returns."
            )
        try:
            value = value[key]
        except (IndexError, KeyError, TypeError) as error:
            raise _Unusable(
                f"{names[ref['result']]} returned a value whose {path}[{key!r}] the grader "
                f"needs, but it has none ({type(error).__name__}: {error}); check what the "
                "handout says it returns."
            ) from None
        path += f"[{key!r}]"
    return value


def _run_calls(
    module: Any, case: dict[str, Any], args: list[Any], kwargs: dict[str, Any]
) -> tuple[str, Any]:
    """Run the case's declared calls in turn: ("missing", name) for a function the file lacks,
    else ("ok", outputs), where outputs are the declared returns (or the last call's value)."""
    results: list[Any] = []
    names: list[str] = []
    for call in case["calls"]:
        function = getattr(module, call["function"], None)
        if not callable(function):
            return "missing", call["function"]
        names.append(call["function"])
        call_args = [_resolve(r, args, kwargs, results, names) for r in call["args"]]
        call_kwargs = {
            k: _resolve(r, args, kwargs, results, names) for k, r in call["kwargs"].items()
        }
        results.append(function(*call_args, **call_kwargs))
    if "returns" in case:
        return "ok", tuple(_resolve(r, args, kwargs, results, names) for r in case["returns"])
    return "ok", results[-1]


def _outputs(result: Any, np: Any) -> list[bytes] | str:
    """The returned value as .npy payloads, or why it cannot be one."""
    items = list(result) if isinstance(result, tuple | list) else [result]
    payloads = []
    for item in items:
        if not isinstance(item, np.ndarray | np.generic | int | float):
            return f"returned a {type(item).__name__}, not a numpy array"
        array = np.array(item)  # a plain ndarray copy, whatever subclass came back
        if array.dtype.hasobject or array.dtype.kind not in "biuf":
            return f"returned an array of dtype {array.dtype}, not a numeric array"
        buffer = io.BytesIO()
        np.save(buffer, array, allow_pickle=False)
        payloads.append(buffer.getvalue())
    return payloads


def main(argv: list[str]) -> int:
    packages, submission = argv[1:3]
    channel = int(os.environ["CONVLAB_CHANNEL_FD"])
    feed = int(os.environ["CONVLAB_FEED_FD"])
    sys.path.insert(0, packages)
    import numpy as np

    os.close(0)
    # Started ahead of its turn (while another process of the grading runs), the harness waits
    # here, numpy imported, until the grader lets it go on: nothing of the student's has run.
    _event(channel, event="warm")
    go = _read_frame(feed)
    if go is None or not json.loads(go).get("go"):
        return 0
    _event(channel, event="ready")
    started = time.perf_counter()
    try:
        spec = importlib.util.spec_from_file_location("submission", submission)
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot load {submission}")
        module = importlib.util.module_from_spec(spec)
        sys.modules["submission"] = module
        spec.loader.exec_module(module)
    except BaseException as error:  # SystemExit and KeyboardInterrupt are the student's too
        _event(channel, event="import_error", error=_student_traceback(error, submission))
        return 0
    _event(channel, event="imported", seconds=time.perf_counter() - started)
    while (received := _next_case(feed, np)) is not None:
        case, arrays = received
        case_id = case["id"]
        _event(channel, event="start", case=case_id)
        args = [_value(a, arrays) for a in case["args"]]
        kwargs = {k: _value(v, arrays) for k, v in case["kwargs"].items()}
        if "calls" not in case:
            case["calls"] = [
                {
                    "function": case["function"],
                    "args": [{"arg": i} for i in range(len(args))],
                    "kwargs": {k: {"kwarg": k} for k in kwargs},
                }
            ]
        try:
            status, result = _run_calls(module, case, args, kwargs)
            if status == "missing":
                _event(channel, event="result", case=case_id, status="missing", name=result)
                continue
            payloads = _outputs(result, np)
        except _Unusable as error:
            _event(channel, event="result", case=case_id, status="invalid", error=str(error))
            continue
        except BaseException as error:
            trimmed = _student_traceback(error, submission)
            _event(channel, event="result", case=case_id, status="error", error=trimmed)
            continue
        if isinstance(payloads, str):
            _event(channel, event="result", case=case_id, status="invalid", error=payloads)
            continue
        _event(channel, event="result", case=case_id, status="ok", outputs=len(payloads))
        for payload in payloads:
            _frame(channel, payload)
    _event(channel, event="done")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
