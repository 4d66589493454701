"""Compare a student's outputs with the reference's and explain what is wrong.

Shapes and dtypes first (with expected and actual), then NaN and infinity, then values. When
values are wrong, the outputs of the check's known-wrong variants are computed on the same case;
the first that matches the student's output names the misconception. 2-D outputs get a heatmap
(PNG) of where and by how much the output is wrong.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image

from convlab.grading.suite import Case, Check, Outputs

__all__ = ["Verdict", "as_outputs", "compare", "heatmap_png"]


@dataclass(frozen=True)
class Verdict:
    """The judgement of one case: ``message`` is empty when it passed."""

    passed: bool
    message: str = ""
    diagnosis: str | None = None
    heatmap: bytes | None = None


def as_outputs(value: Any) -> Outputs:
    """A reference's or variant's return value as a tuple of numpy arrays."""
    items = value if isinstance(value, tuple | list) else (value,)
    return tuple(np.asarray(item) for item in items)


def _matches(actual: np.ndarray[Any, Any], candidate: np.ndarray[Any, Any], check: Check) -> bool:
    if actual.shape != candidate.shape or not np.all(np.isfinite(actual)):
        return False
    return bool(np.allclose(actual, candidate, rtol=check.rtol * 10, atol=check.atol * 10))


def _diagnose(
    check: Check, case: Case, index: int, actual: np.ndarray[Any, Any]
) -> tuple[str, str] | None:
    for variant in check.variants:
        try:
            wrong = variant.compute(case)
        except (ValueError, IndexError):
            continue
        if wrong is None:
            continue
        outputs = as_outputs(wrong)
        if index < len(outputs) and _matches(actual, outputs[index], check):
            return variant.name, variant.explanation
    return None


def heatmap_png(error: np.ndarray[Any, Any], cell: int = 0) -> bytes:
    """A PNG of a 2-D map of absolute errors: white where right, deeper red where more wrong."""
    error = np.abs(np.asarray(error, dtype=np.float64))
    error = np.where(np.isfinite(error), error, np.nanmax(np.where(np.isfinite(error), error, 0)))
    top = float(error.max())
    scale = error / top if top > 0 else error
    height, width = scale.shape
    cell = cell or max(4, min(32, 320 // max(height, width)))
    rgb = np.empty((height, width, 3), dtype=np.uint8)
    rgb[..., 0] = 255
    rgb[..., 1] = np.round(255 * (1 - scale)).astype(np.uint8)
    rgb[..., 2] = np.round(255 * (1 - scale)).astype(np.uint8)
    rgb[error > 0, 1:] = np.minimum(rgb[error > 0, 1:], 230)  # any error is visibly tinted
    image = Image.fromarray(np.kron(rgb, np.ones((cell, cell, 1), dtype=np.uint8)), "RGB")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _spatial_error(diff: np.ndarray[Any, Any]) -> np.ndarray[Any, Any] | None:
    """Collapse batch and channel axes of a 2-D output's error to one (H, W) map."""
    if diff.ndim == 2:
        return diff
    if diff.ndim == 4:
        collapsed: np.ndarray[Any, Any] = np.abs(diff).reshape(-1, *diff.shape[-2:]).sum(axis=0)
        return collapsed
    return None


def _describe_values(
    actual: np.ndarray[Any, Any], expected: np.ndarray[Any, Any], check: Check
) -> str:
    diff = np.abs(actual.astype(np.float64) - expected.astype(np.float64))
    tolerance = check.atol + check.rtol * np.abs(expected)
    wrong = diff > tolerance
    worst = np.unravel_index(int(np.argmax(diff)), diff.shape)
    return (
        f"{int(wrong.sum())} of {wrong.size} values are wrong; the largest error is "
        f"{float(diff[worst]):.3g} at index {tuple(int(i) for i in worst)} "
        f"(expected {float(expected[worst]):.6g}, got {float(actual[worst]):.6g})."
    )


def compare(
    check: Check, case: Case, expected: Outputs, actual: Sequence[np.ndarray[Any, Any]]
) -> Verdict:
    """Judge the student's outputs of one case against the reference's."""
    names = check.output_names or tuple(f"output {i}" for i in range(len(expected)))
    if len(actual) != len(expected):
        what = ", ".join(names) if check.output_names else f"{len(expected)} array(s)"
        return Verdict(False, f"expected {len(expected)} output(s) ({what}), got {len(actual)}.")
    for index, (want, got) in enumerate(zip(expected, actual, strict=True)):
        label = names[index] if len(expected) > 1 else "the output"
        if want.dtype.kind == "f" and got.dtype != want.dtype:
            return Verdict(
                False,
                f"{label} has dtype {got.dtype}, expected {want.dtype} (the inputs' dtype: do "
                "not round or cast the result).",
            )
        if want.dtype.kind in "iu" and got.dtype.kind not in "iu":
            return Verdict(False, f"{label} has dtype {got.dtype}, expected integer counts.")
        if got.shape != want.shape:
            found = _diagnose(check, case, index, got)
            message = f"{label} has shape {got.shape}, expected {want.shape}."
            if found is not None:
                return Verdict(False, f"{message} {found[0]}: {found[1]}", found[0])
            return Verdict(False, message + " Check the output-size formula for this case.")
        if not np.all(np.isfinite(got)):
            count = int(np.sum(~np.isfinite(got)))
            return Verdict(False, f"{label} contains {count} NaN or infinite value(s).")
        if np.allclose(got, want, rtol=check.rtol, atol=check.atol):
            continue
        found = _diagnose(check, case, index, got)
        error_map = _spatial_error(got.astype(np.float64) - want.astype(np.float64))
        picture = heatmap_png(error_map) if error_map is not None else None
        values = _describe_values(got, want, check)
        if found is not None:
            return Verdict(False, f"{label}: {found[0]}: {found[1]} {values}", found[0], picture)
        return Verdict(False, f"{label}: {values}", None, picture)
    return Verdict(True)
