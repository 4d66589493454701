"""The program that runs inside the sandbox: import the submission, call it on each case.

Standalone on purpose (standard library and numpy only; it must not import convlab, which is
not visible in the sandbox). Usage::

    python -I -S harness.py PACKAGES_DIR SUBMISSION

Events go to the pipe whose fd number is in ``$CONVLAB_CHANNEL_FD`` as frames: 4-byte
big-endian length, then bytes. A JSON header frame per event (``ready``, ``imported``,
``import_error``, ``start``, ``result``, ``done``); ``ready`` is always the first, written just
before the submission is imported, so its presence proves the grader's own setup worked and its
absence that the student's code never ran; a ``result`` with ``"outputs": n`` is followed by n
frames, each one array in .npy format.

The cases arrive on the pipe whose fd number is in ``$CONVLAB_FEED_FD``, in frames of the same
kind, one case at a time: the grader sends the first once the harness reports ``imported`` and
each next one once it reports the previous case's ``result``, so no case is in this process (or
its file system) while the submission is imported, and a case is here only from the moment it
is due to run. A case is a JSON header ``{"id", "function", "args", "kwargs", "arrays": n}``,
each argument ``{"array": index}`` (one of the n .npy frames that follow, loaded with
``allow_pickle=False``) or ``{"value": json_value}`` (lists become tuples); ``{"end": true}``
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
    value = spec["value"]
    return tuple(value) if isinstance(value, list) else value


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
        function = getattr(module, case["function"], None)
        if not callable(function):
            _event(channel, event="result", case=case_id, status="missing")
            continue
        args = [_value(a, arrays) for a in case["args"]]
        kwargs = {k: _value(v, arrays) for k, v in case["kwargs"].items()}
        try:
            result = function(*args, **kwargs)
            payloads = _outputs(result, np)
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
