"""Compare a student's outputs with the reference's and explain what is wrong.

Shapes and dtypes first (with expected and actual), then NaN and infinity, then values. When
values are wrong, the outputs of the check's known-wrong variants are computed on the same case:
``compare`` records which variants would show on the case (``Verdict.claimed``: their output
differs from the reference's) and which of those the student's output matches within the
check's tolerance (``Verdict.matched``). ``named_diagnoses`` then names a misconception for the
whole check only when its variant matches the student's output on *every* failing case it
claims (or, for a variant that says a student holding it crashes, when exactly the cases it
claims crashed and some other case passed); ``explanations`` gives each named one's paragraph
once. 2-D outputs get a heatmap (PNG) marking only the values outside the check's tolerance,
with the case's label and shape, a legend and a scale.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from convlab.grading.suite import Case, Check, Outputs

__all__ = [
    "CRASHES",
    "Alternatives",
    "Verdict",
    "as_outputs",
    "compare",
    "explain_error",
    "explanations",
    "heatmap_png",
    "named_diagnoses",
]


class _Crashes:
    """What a variant's ``compute`` returns for a case on which its misconception raises."""

    def __repr__(self) -> str:
        return "CRASHES"


CRASHES = _Crashes()


@dataclass(frozen=True)
class Alternatives:
    """What a variant's ``compute`` returns when a misconception has several spellings (each
    one output, or a tuple of outputs): the student's output may match any of them."""

    options: tuple[Any, ...]


@dataclass(frozen=True)
class Verdict:
    """The judgement of one case: ``message`` is empty when it passed.

    ``compared`` says the student's outputs reached the comparison (they did not crash);
    ``claimed`` are the variants whose output differs from the reference's on the case, and
    ``matched`` those of them that the student's output matches. ``diagnosis`` is the first
    matched one (a single case's guess; the check names only what ``named_diagnoses`` says).
    ``heatmap`` is drawn when first read (a check shows one: the others are never drawn).
    """

    passed: bool
    message: str = ""
    diagnosis: str | None = None
    compared: bool = False
    claimed: tuple[str, ...] = ()
    matched: tuple[str, ...] = ()
    draw: Callable[[], bytes | None] | None = field(default=None, repr=False, compare=False)

    @functools.cached_property
    def heatmap(self) -> bytes | None:
        return self.draw() if self.draw is not None else None


def as_outputs(value: Any) -> Outputs:
    """A reference's or variant's return value as a tuple of numpy arrays."""
    items = value if isinstance(value, tuple | list) else (value,)
    return tuple(np.asarray(item) for item in items)


def _close(a: np.ndarray[Any, Any], b: np.ndarray[Any, Any], check: Check) -> bool:
    if a.shape != b.shape or not np.all(np.isfinite(a)) or not np.all(np.isfinite(b)):
        return False
    return bool(np.allclose(a, b, rtol=check.rtol, atol=check.atol))


def _candidates(check: Check, case: Case, index: int) -> list[tuple[str, list[Any]]]:
    """Each variant's name and its output(s) at ``index`` on the case (none: cannot show)."""
    found = []
    for variant in check.variants:
        try:
            wrong = variant.compute(case)
        except (ValueError, IndexError, TypeError):
            continue
        if wrong is None or wrong is CRASHES:
            continue
        options = wrong.options if isinstance(wrong, Alternatives) else (wrong,)
        outputs = []
        for option in options:
            if option is None:
                continue
            items = as_outputs(option)
            if index < len(items):
                outputs.append(items[index])
        found.append((variant.name, outputs))
    return found


def _diagnose(
    check: Check,
    case: Case,
    index: int,
    actual: np.ndarray[Any, Any],
    expected: np.ndarray[Any, Any],
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The variants that show on the case, and those of them the student's output matches."""
    claimed: dict[str, None] = {}
    matched: dict[str, None] = {}
    for name, outputs in _candidates(check, case, index):
        differing = [o for o in outputs if not _close(o, expected, check)]
        if not differing:
            continue
        claimed[name] = None
        if any(_close(actual, o, check) for o in differing):
            matched[name] = None
    return tuple(claimed), tuple(matched)


def _crash_claims(check: Check, case: Case) -> set[str]:
    names = set()
    for variant in check.variants:
        try:
            if variant.compute(case) is CRASHES:
                names.add(variant.name)
        except (ValueError, IndexError, TypeError):
            continue
    return names


def named_diagnoses(check: Check, judged: Sequence[tuple[Case, Verdict]]) -> tuple[str, ...]:
    """The misconceptions the check names, in the suite's order.

    A variant is named when the student's output matches it on every failing case it claims
    (at least one). A variant that returns ``CRASHES`` on some cases is also named when the
    student's code failed without an output on exactly the cases it claims so, and only there,
    while some case passed.
    """
    failing = [(case, v) for case, v in judged if not v.passed]
    if not failing:
        return ()
    names = list(dict.fromkeys(variant.name for variant in check.variants))
    compared = [v for _, v in failing if v.compared]
    crashed = [
        case
        for case, v in failing
        if not v.compared and "does not define this function" not in v.message
    ]
    crash_claims = [_crash_claims(check, case) for case, _ in judged] if crashed else []
    named = []
    for name in names:
        claims = [v for v in compared if name in v.claimed]
        if claims and all(name in v.matched for v in claims):
            named.append(name)
            continue
        if not crashed or any(name in v.claimed and name not in v.matched for v in compared):
            continue
        crash_claimed = [
            case for (case, _), names in zip(judged, crash_claims, strict=True) if name in names
        ]
        passed_any = any(v.passed for _, v in judged)
        crashed_ids = {id(case) for case in crashed}
        claimed_ids = {id(case) for case in crash_claimed}
        if passed_any and crashed_ids == claimed_ids:
            named.append(name)
    return tuple(named)


def explanations(check: Check, names: Sequence[str]) -> list[str]:
    """One line per named misconception, its explanation given once."""
    lines = []
    for name in names:
        variant = next(v for v in check.variants if v.name == name)
        lines.append(f"Likely mistake: {name}. {variant.explanation}")
    return lines


# Names numpy removed, with what to write instead (numpy 1.20 deprecated them, 1.24 and 2.0
# removed them).
_REMOVED = {
    "int": ("1.24", "int or np.int64"),
    "float": ("1.24", "float or np.float64"),
    "bool": ("1.24", "bool or np.bool_"),
    "object": ("1.24", "object or np.object_"),
    "complex": ("1.24", "complex or np.complex128"),
    "str": ("1.24", "str or np.str_"),
    "long": ("1.24", "int or np.int64"),
    "unicode": ("1.24", "str or np.str_"),
    "float_": ("2.0", "np.float64"),
    "complex_": ("2.0", "np.complex128"),
    "Inf": ("2.0", "np.inf"),
    "Infinity": ("2.0", "np.inf"),
    "NaN": ("2.0", "np.nan"),
    "NINF": ("2.0", "-np.inf"),
    "PINF": ("2.0", "np.inf"),
    "product": ("2.0", "np.prod"),
    "cumproduct": ("2.0", "np.cumprod"),
    "alltrue": ("2.0", "np.all"),
    "sometrue": ("2.0", "np.any"),
    "asfarray": ("2.0", "np.asarray(x, dtype=np.float64)"),
    "row_stack": ("2.0", "np.vstack"),
    "trapz": ("2.0", "np.trapezoid"),
    "in1d": ("2.0", "np.isin"),
    "mat": ("2.0", "np.asmatrix"),
    "string_": ("2.0", "np.bytes_"),
    "unicode_": ("2.0", "np.str_"),
}


def explain_error(message: str, packages: Sequence[str] = ("numpy",)) -> str:
    """``message`` (a student's traceback) with, when it ends in an attribute that the sandbox's
    numpy lacks, the numpy version the grader runs, the allowed packages and the modern
    spelling where numpy renamed or removed the name."""
    marker = "AttributeError: module 'numpy' has no attribute '"
    start = message.rfind(marker)
    if start < 0 or "the grader runs numpy" in message:
        return message
    name = message[start + len(marker) :].split("'", 1)[0]
    version = ".".join(np.__version__.split(".")[:2])
    allowed = ", ".join(packages)
    removed = _REMOVED.get(name)
    if removed is not None:
        hint = f"np.{name} was removed in NumPy {removed[0]}; use {removed[1]}"
    else:
        hint = f"np.{name} does not exist in this numpy"
    line_end = message.find("\n", start)
    line_end = len(message) if line_end < 0 else line_end
    note = f"{hint} (the grader runs numpy {version}; the packages your file may import: "
    note += f"{allowed})."
    # Right under the error's line: numpy's own text after it can be long.
    return f"{message[:line_end]}\n{note}{message[line_end:]}"


# ---------------------------------------------------------------------------------------------
# Heatmaps.


def _font() -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    return ImageFont.load_default()


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if len(candidate) * 6 > width and line:
            lines.append(line)
            line = word
        else:
            line = candidate
    return [*lines, line] if line else lines


_LOW = np.array([255, 200, 200], dtype=np.float64)  # just outside the tolerance
_HIGH = np.array([160, 0, 0], dtype=np.float64)  # the largest error


def _colour(fraction: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    shade: np.ndarray[Any, Any] = np.round(_LOW + (_HIGH - _LOW) * fraction[..., None])
    return shade.astype(np.uint8)


def heatmap_png(
    error: np.ndarray[Any, Any],
    wrong: np.ndarray[Any, Any] | None = None,
    *,
    title: str = "",
    note: str = "",
    cell: int = 0,
) -> bytes:
    """A PNG of a 2-D map of absolute errors: white where within the tolerance (``wrong`` is
    false), pink to dark red where outside it, by how far; with ``title`` and ``note`` above,
    and a legend and a scale of the errors below."""
    error = np.abs(np.asarray(error, dtype=np.float64))
    finite_top = np.max(np.where(np.isfinite(error), error, 0.0), initial=0.0)
    error = np.where(np.isfinite(error), error, finite_top)
    marked = error > 0 if wrong is None else np.asarray(wrong, dtype=bool)
    top = float(error[marked].max()) if marked.any() else 0.0
    low = float(error[marked].min()) if marked.any() else 0.0
    fraction = (error - low) / (top - low) if top > low else np.ones_like(error)
    height, width = error.shape
    cell = cell or max(4, min(32, 320 // max(height, width)))
    rgb = np.full((height, width, 3), 255, dtype=np.uint8)
    rgb[marked] = _colour(np.clip(fraction, 0, 1))[marked]
    grid = np.kron(rgb, np.ones((cell, cell, 1), dtype=np.uint8))
    font = _font()
    image_width = max(grid.shape[1] + 20, 340)
    header = _wrap(title, image_width - 20) + _wrap(note, image_width - 20)
    top_margin = 10 + 14 * len(header)
    legend_height = 70
    canvas = Image.new(
        "RGB", (image_width, top_margin + grid.shape[0] + 10 + legend_height), "white"
    )
    draw = ImageDraw.Draw(canvas)
    for number, line in enumerate(header):
        draw.text((10, 6 + 14 * number), line, fill="black", font=font)
    canvas.paste(Image.fromarray(grid, "RGB"), (10, top_margin))
    draw.rectangle(
        (9, top_margin - 1, 10 + grid.shape[1], top_margin + grid.shape[0]), outline="grey"
    )
    y = top_margin + grid.shape[0] + 10
    draw.rectangle((10, y, 24, y + 12), fill="white", outline="grey")
    draw.text((30, y), "right (within the check's tolerance)", fill="black", font=font)
    bar = _colour(np.linspace(0, 1, 200)[None, :].repeat(12, axis=0))
    canvas.paste(Image.fromarray(bar, "RGB"), (10, y + 22))
    draw.rectangle((9, y + 21, 210, y + 34), outline="grey")
    draw.text((10, y + 38), f"{low:.2g}", fill="black", font=font)
    draw.text((180, y + 38), f"{top:.2g}", fill="black", font=font)
    draw.text((215, y + 22), "wrong: |error|", fill="black", font=font)
    buffer = io.BytesIO()
    canvas.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _spatial(values: np.ndarray[Any, Any], reduce: str) -> np.ndarray[Any, Any] | None:
    """Collapse batch and channel axes of a 2-D output's map to one (H, W) map."""
    if values.ndim == 2:
        return values
    if values.ndim == 4:
        flat = values.reshape(-1, *values.shape[-2:])
        collapsed = flat.any(axis=0) if reduce == "any" else flat.max(axis=0)
        return np.asarray(collapsed)
    return None


def _wrong_mask(
    actual: np.ndarray[Any, Any], expected: np.ndarray[Any, Any], check: Check
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """|actual - expected| and where it is outside the tolerance ``np.allclose`` uses."""
    diff = np.abs(actual.astype(np.float64) - expected.astype(np.float64))
    tolerance = check.atol + check.rtol * np.abs(expected.astype(np.float64))
    return diff, ~(diff <= tolerance)


def _describe_values(
    actual: np.ndarray[Any, Any], expected: np.ndarray[Any, Any], check: Check
) -> str:
    diff, wrong = _wrong_mask(actual, expected, check)
    worst = np.unravel_index(int(np.argmax(diff)), diff.shape)
    return (
        f"{int(wrong.sum())} of {wrong.size} values are wrong; the largest error is "
        f"{float(diff[worst]):.3g} at index {tuple(int(i) for i in worst)} "
        f"(expected {float(expected[worst]):.6g}, got {float(actual[worst]):.6g})."
    )


def _picture(
    actual: np.ndarray[Any, Any], expected: np.ndarray[Any, Any], check: Check, case: Case
) -> bytes | None:
    diff, wrong = _wrong_mask(actual, expected, check)
    error_map, wrong_map = _spatial(diff, "max"), _spatial(wrong, "any")
    if error_map is None or wrong_map is None:
        return None
    pixels = int(wrong_map.sum())
    collapsed = " (the largest error over all images and channels)" if diff.ndim == 4 else ""
    note = (
        f"output shape {tuple(actual.shape)}: {int(wrong.sum())} of {wrong.size} values wrong, "
        f"at {pixels} of {wrong_map.size} positions{collapsed}."
    )
    return heatmap_png(error_map, wrong_map, title=f"case {case.label}", note=note)


def compare(
    check: Check, case: Case, expected: Outputs, actual: Sequence[np.ndarray[Any, Any]]
) -> Verdict:
    """Judge the student's outputs of one case against the reference's."""
    names = check.output_names or tuple(f"output {i}" for i in range(len(expected)))
    if len(actual) != len(expected):
        what = ", ".join(names) if check.output_names else f"{len(expected)} array(s)"
        return Verdict(
            False, f"expected {len(expected)} output(s) ({what}), got {len(actual)}.", compared=True
        )
    for index, (want, got) in enumerate(zip(expected, actual, strict=True)):
        label = names[index] if len(expected) > 1 else "the output"
        if want.dtype.kind == "f" and got.dtype != want.dtype:
            return Verdict(
                False,
                f"{label} has dtype {got.dtype}, expected {want.dtype} (the inputs' dtype: do "
                "not round or cast the result).",
                compared=True,
            )
        if want.dtype.kind in "iu" and got.dtype.kind not in "iu":
            return Verdict(
                False, f"{label} has dtype {got.dtype}, expected integer counts.", compared=True
            )
        if got.shape != want.shape:
            claimed, matched = _diagnose(check, case, index, got, want)
            message = f"{label} has shape {got.shape}, expected {want.shape}."
            if sorted(got.shape) == sorted(want.shape):
                message += " The sizes are right but the axes are in another order."
            elif not matched:
                message += " Check the output-size formula for this case."
            first = matched[0] if matched else None
            return Verdict(False, message, first, True, claimed, matched)
        if not np.all(np.isfinite(got)):
            count = int(np.sum(~np.isfinite(got)))
            return Verdict(
                False, f"{label} contains {count} NaN or infinite value(s).", compared=True
            )
        if np.allclose(got, want, rtol=check.rtol, atol=check.atol):
            continue
        claimed, matched = _diagnose(check, case, index, got, want)
        values = _describe_values(got, want, check)
        first = matched[0] if matched else None
        draw = functools.partial(_picture, got, want, check, case)
        return Verdict(False, f"{label}: {values}", first, True, claimed, matched, draw)
    return Verdict(True, compared=True)
