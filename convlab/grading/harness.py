"""The program that runs inside the sandbox: import the submission, call it on each case.

Standalone on purpose (standard library and numpy only; it must not import convlab, which is
not visible in the sandbox). Usage::

    python -I -S harness.py PACKAGES_DIR SUBMISSION MANIFEST INPUTS_NPZ

MANIFEST (JSON) lists the cases to run: ``{"cases": [{"id", "function", "args", "kwargs"}]}``
where each argument is ``{"array": key}`` (a key of INPUTS_NPZ, loaded with
``allow_pickle=False``) or ``{"value": json_value}`` (lists become tuples). Events go to the
pipe whose fd number is in ``$CONVLAB_CHANNEL_FD`` as frames: 4-byte big-endian length, then
bytes. A JSON header frame per event (``ready``, ``imported``, ``import_error``, ``start``,
``result``, ``done``); ``ready`` is always the first, written just before the submission is
imported, so its presence proves the grader's own setup worked and its absence that the
student's code never ran; a ``result`` with ``"outputs": n`` is followed by n frames, each one
array in .npy format. Everything here runs in the same process as the student's code, so the
grader treats every frame as a claim to be checked, never as a trusted verdict.
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


def _value(spec: dict[str, Any], arrays: dict[str, Any]) -> Any:
    if "array" in spec:
        return arrays[spec["array"]].copy()
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
    packages, submission, manifest_path, inputs_path = argv[1:5]
    channel = int(os.environ["CONVLAB_CHANNEL_FD"])
    sys.path.insert(0, packages)
    import numpy as np

    with open(manifest_path) as handle:
        manifest = json.load(handle)
    with np.load(inputs_path, allow_pickle=False) as loaded:
        arrays = {key: loaded[key] for key in loaded.files}
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
    for case in manifest["cases"]:
        _event(channel, event="start", case=case["id"])
        function = getattr(module, case["function"], None)
        if not callable(function):
            _event(channel, event="result", case=case["id"], status="missing")
            continue
        args = [_value(a, arrays) for a in case["args"]]
        kwargs = {k: _value(v, arrays) for k, v in case["kwargs"].items()}
        try:
            result = function(*args, **kwargs)
            payloads = _outputs(result, np)
        except BaseException as error:
            trimmed = _student_traceback(error, submission)
            _event(channel, event="result", case=case["id"], status="error", error=trimmed)
            continue
        if isinstance(payloads, str):
            _event(channel, event="result", case=case["id"], status="invalid", error=payloads)
            continue
        _event(
            channel,
            event="result",
            case=case["id"],
            status="ok",
            outputs=len(payloads),
        )
        for payload in payloads:
            _frame(channel, payload)
    _event(channel, event="done")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
