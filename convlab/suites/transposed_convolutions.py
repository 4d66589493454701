"""The built-in assignment "transposed-convolutions", following the lecture.

Convolution as a matrix product (X a) and transposed convolution as the transpose (X^T a);
conv1d/conv2d and conv_transpose1d/conv_transpose2d forward and backward with stride, padding,
output_padding, dilation and groups; the overlap map behind checkerboard artifacts. The
references are ``convlab.kernels``; the variants are the misconceptions the feedback names.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable
from pathlib import Path
from types import EllipsisType
from typing import Any

import numpy as np

from convlab import kernels
from convlab.grading.feedback import CRASHES, Alternatives
from convlab.grading.suite import Assignment, Case, Check, Function, Outputs, Variant
from convlab.sandbox import Limits

__all__ = ["ASSIGNMENT"]

Array = np.ndarray[Any, Any]
Index = tuple[EllipsisType | slice, ...]  # an array index: ..., then slices

# ---------------------------------------------------------------------------------------------
# Misconceptions: what a student who holds each one computes. Each returns None where the
# misconception cannot show on the case (then it cannot be told apart from a right answer).


def _opts(case: Case, names: tuple[str, ...], ndim: int) -> dict[str, tuple[int, ...]]:
    defaults = {"stride": 1, "padding": 0, "output_padding": 0, "dilation": 1}
    out = {}
    for name in names:
        value = case.kwargs.get(name, defaults[name])
        out[name] = (value,) * ndim if isinstance(value, int) else tuple(value)
    return out


def _call(function: Callable[..., Any], case: Case, **changes: Any) -> Any:
    return function(*case.args, **{**case.kwargs, **changes})


def _bias(case: Case) -> Array | None:
    b = case.kwargs.get("b")
    return b if isinstance(b, np.ndarray) else None


def _overwrite_transpose(case: Case) -> Any:
    """Copies of the filter written (not added) where they overlap, later ones winning: a loop
    over the input's positions, or over the kernel's taps."""
    x, w = case.args[0], case.args[1]
    ndim = x.ndim - 2
    o = _opts(case, ("stride", "padding", "output_padding", "dilation"), ndim)
    s, p, op, d = o["stride"], o["padding"], o["output_padding"], o["dilation"]
    groups = int(case.kwargs.get("groups", 1))
    k = w.shape[2:]
    if all(dd * (kk - 1) < ss for ss, dd, kk in zip(s, d, k, strict=True)):
        return None  # copies never overlap
    cig, cog = x.shape[1] // groups, w.shape[1]
    full = [(n - 1) * ss + dd * (kk - 1) + 1 + oo for n, ss, dd, kk, oo in zip(
        x.shape[2:], s, d, k, op, strict=True)]  # fmt: skip
    y = np.zeros((x.shape[0], cog * groups, *full))
    by_tap = np.zeros_like(y)
    for g in range(groups):
        xg, wg = x[:, g * cig : (g + 1) * cig], w[g * cig : (g + 1) * cig]
        channels = slice(g * cog, (g + 1) * cog)
        for position in np.ndindex(*x.shape[2:]):
            patch = np.einsum("ni,io...->no...", xg[(slice(None), slice(None), *position)], wg)
            where = tuple(
                slice(i * ss, i * ss + dd * (kk - 1) + 1, dd)
                for i, ss, dd, kk in zip(position, s, d, k, strict=True)
            )
            y[(slice(None), channels, *where)] = patch
        for taps in np.ndindex(*k):
            spots = tuple(
                slice(t * dd, t * dd + (n - 1) * ss + 1, ss)
                for t, dd, n, ss in zip(taps, d, x.shape[2:], s, strict=True)
            )
            tap = wg[(slice(None), slice(None), *taps)]
            by_tap[(slice(None), channels, *spots)] = np.einsum("ni...,io->no...", xg, tap)
    size = [f - 2 * pp for f, pp in zip(full, p, strict=True)]
    crop: Index = (Ellipsis, *(slice(pp, pp + n) for pp, n in zip(p, size, strict=True)))
    b = _bias(case)
    bias = 0.0 if b is None else b.reshape(1, -1, *[1] * ndim)
    return Alternatives((y[crop] + bias, by_tap[crop] + bias))


def _crop_variants(case: Case) -> list[Any]:
    """The full overlap-sum cropped one pixel off: shifted by one, or one pixel too long/short."""
    x = case.args[0]
    ndim = x.ndim - 2
    o = _opts(case, ("padding", "output_padding"), ndim)
    p, op = o["padding"], o["output_padding"]
    transpose = kernels.conv_transpose1d if ndim == 1 else kernels.conv_transpose2d
    margin = [(0, 0), (0, 0), *[(1, oo + 2) for oo in op]]  # 1 pixel margin
    full = np.pad(_call(transpose, case, padding=0, output_padding=0, b=None), margin)
    right = _call(transpose, case)
    size = right.shape[2:]
    # Shifted by one, one pixel too long or short, or both (a slice cut short by the end).
    shapes = [
        (shift, tuple(n + grow for n in size))
        for shift in (0, 1, -1)
        for grow in (0, 1, -1)
        if (shift, grow) != (0, 0)
    ]
    b = _bias(case)
    with_bias = np.pad(_call(transpose, case, padding=0, output_padding=0), margin)
    out: list[Any] = []
    for shift, shape in shapes:
        if min(shape) < 1 or min(pp + shift + 1 for pp in p) < 0:
            continue
        index: Index = (
            Ellipsis,
            *(slice(pp + 1 + shift, pp + 1 + shift + n) for pp, n in zip(p, shape, strict=True)),
        )
        if b is None:
            out.append(full[index])
            continue
        # Students add the bias after cropping (everywhere); the bias may also have been added
        # to the full sum before the crop, leaving the zero margin without it.
        after = full[index] + b.reshape(1, -1, *[1] * ndim)
        out += [after, with_bias[index]]
    return out


def _flipped(function: Callable[..., Any]) -> Callable[[Case], Any]:
    def compute(case: Case) -> Any:
        w = case.args[1]
        axes = tuple(range(2, w.ndim))
        return function(case.args[0], np.flip(w, axis=axes), *case.args[2:], **case.kwargs)

    return compute


def _flipped_backward(function: Callable[..., Any]) -> Callable[[Case], Any]:
    def compute(case: Case) -> Any:
        dy, x, w = case.args[:3]
        return function(dy, x, np.flip(w, axis=(2, 3)), **case.kwargs)

    return compute


def _swap_layout(w: Array, groups: int) -> Array | None:
    """The weight read in the other layout: [g*a + i, o] <-> [g*b + o, i] within each group."""
    a, b = w.shape[0] // groups, w.shape[1]
    if a != b or np.allclose(w, _swap_square(w, groups)):
        return None
    return _swap_square(w, groups)


def _swap_square(w: Array, groups: int) -> Array:
    a = w.shape[0] // groups
    grouped = w.reshape(groups, a, a, *w.shape[2:])
    return np.swapaxes(grouped, 1, 2).reshape(w.shape)


def _layout(function: Callable[..., Any], weight_at: int = 1) -> Callable[[Case], Any]:
    def compute(case: Case) -> Any:
        swapped = _swap_layout(case.args[weight_at], int(case.kwargs.get("groups", 1)))
        if swapped is None:
            return None
        args = list(case.args)
        args[weight_at] = swapped
        return function(*args, **case.kwargs)

    return compute


def _zeros_for_output_padding(case: Case) -> Any:
    x = case.args[0]
    ndim = x.ndim - 2
    o = _opts(case, ("padding", "output_padding"), ndim)
    pairs = zip(o["output_padding"], o["padding"], strict=True)
    if not any(oo > 0 and pp > 0 for oo, pp in pairs):
        return None  # without a crop the extra rows are zero anyway: nothing to tell apart
    transpose = kernels.conv_transpose1d if ndim == 1 else kernels.conv_transpose2d
    pad = [(0, 0), (0, 0), *[(0, oo) for oo in o["output_padding"]]]
    y = np.pad(_call(transpose, case, output_padding=0, b=None), pad)
    b = _bias(case)
    if b is None:
        return y
    # The bias added after the zeros were appended, or before (the zeros kept bare).
    return Alternatives((y + b.reshape(1, -1, *[1] * ndim),
                         np.pad(_call(transpose, case, output_padding=0), pad)))  # fmt: skip


def _groups_ignored(function: Callable[..., Any]) -> Callable[[Case], Any]:
    """Every group reads the first group's input channels (the group offset forgotten)."""

    def compute(case: Case) -> Any:
        groups = int(case.kwargs.get("groups", 1))
        if groups == 1:
            return None
        x = case.args[0]
        cig = x.shape[1] // groups
        tiled = np.concatenate([x[:, :cig]] * groups, axis=1)
        options = [function(tiled, *case.args[1:], **case.kwargs)]
        if case.args[1].shape[0] == x.shape[1] and _bias(case) is None:
            # Transposed, groups dropped: C_out/groups output channels, every input read.
            options.append(function(*case.args, **{**case.kwargs, "groups": 1}))
        return Alternatives(tuple(options))

    return compute


def _bias_missing(function: Callable[..., Any]) -> Callable[[Case], Any]:
    def compute(case: Case) -> Any:
        return None if _bias(case) is None else _call(function, case, b=None)

    return compute


def _stride_on_kernel(function: Callable[..., Any]) -> Callable[[Case], Any]:
    """The stride spaces the kernel's taps instead of the positions (steps of 1 there)."""

    def compute(case: Case) -> Any:
        ndim = case.args[0].ndim - 2
        o = _opts(case, ("stride", "dilation"), ndim)
        if all(ss == 1 for ss in o["stride"]):
            return None
        spread = tuple(ss * dd for ss, dd in zip(o["stride"], o["dilation"], strict=True))
        changes: dict[str, Any] = {"stride": 1, "dilation": spread[0] if ndim == 1 else spread}
        if "output_padding" in case.kwargs:
            changes["output_padding"] = 0
        wrong = _call(function, case, **changes)
        right = _call(function, case)
        options = [wrong]
        if case.kwargs.get("output_padding"):
            kept = {**changes, "output_padding": case.kwargs["output_padding"]}
            with contextlib.suppress(ValueError):  # output_padding kept at the end
                options.append(_call(function, case, **kept))
        # The output sized by the right formula, its first positions kept.
        if all(a >= r for a, r in zip(wrong.shape[2:], right.shape[2:], strict=True)):
            options.append(wrong[(Ellipsis, *(slice(0, n) for n in right.shape[2:]))])
        return Alternatives(tuple(options))

    return compute


def _kernel_transposed(function: Callable[..., Any], weight_at: int = 1) -> Callable[[Case], Any]:
    """A 2-D kernel read with its rows and columns swapped (w[..., j, i] for w[..., i, j])."""

    def compute(case: Case) -> Any:
        w = case.args[weight_at]
        if w.ndim != 4:
            return None
        args = list(case.args)
        args[weight_at] = np.ascontiguousarray(np.swapaxes(w, -1, -2))
        return function(*args, **case.kwargs)

    return compute


def _padding_added(case: Case) -> Any:
    """`padding` zeros added around the full overlap-sum (or around the input) instead of
    `padding` pixels cropped from it."""
    x = case.args[0]
    ndim = x.ndim - 2
    o = _opts(case, ("padding",), ndim)
    if all(pp == 0 for pp in o["padding"]):
        return None
    transpose = kernels.conv_transpose1d if ndim == 1 else kernels.conv_transpose2d
    pad = [(0, 0), (0, 0), *[(pp, pp) for pp in o["padding"]]]
    b = _bias(case)
    bare = np.pad(_call(transpose, case, padding=0, b=None), pad)
    padded_input = transpose(np.pad(x, pad), *case.args[1:], **{**case.kwargs, "padding": 0})
    options = [bare, padded_input]
    if b is not None:
        options += [bare + b.reshape(1, -1, *[1] * ndim),
                    np.pad(_call(transpose, case, padding=0), pad)]  # fmt: skip
    return Alternatives(tuple(options))


def _not_cropped(case: Case) -> Array | None:
    """X^T x of the explicit matrix, padded length and all: the padding never cropped."""
    x = case.args[0]
    ndim = x.ndim - 2
    if all(pp == 0 for pp in _opts(case, ("padding",), ndim)["padding"]):
        return None
    transpose = kernels.conv_transpose1d if ndim == 1 else kernels.conv_transpose2d
    return np.asarray(_call(transpose, case, padding=0))


def _axes_permuted(function: Callable[..., Any]) -> Callable[[Case], Any]:
    """The right values with the axes in another order (channels last, or H and W swapped)."""

    def compute(case: Case) -> Any:
        right = np.asarray(_call(function, case))
        if right.ndim < 3:
            return None
        same = tuple(range(right.ndim))
        orders = [p for p in itertools.permutations(same) if p != same]
        return Alternatives(tuple(np.transpose(right, order) for order in orders))

    return compute


def _groups_crash(case: Case) -> Any:
    """A student who ignores groups builds arrays whose shapes disagree once groups > 1."""
    return CRASHES if int(case.kwargs.get("groups", 1)) > 1 else None


def _matrix_unpadded(case: Case) -> Any:
    """conv_matrix built without the padding: over the bare input, or with its padded columns
    dropped."""
    w, size = case.args
    stride, padding = case.kwargs.get("stride", 1), case.kwargs.get("padding", 0)
    if padding == 0:
        return None
    options = []
    if size >= len(w):
        options.append(_matrix_reference(w, size, stride, 0))
    options.append(_matrix_reference(w, size, stride, padding)[:, padding : padding + size])
    return Alternatives(tuple(options))


def _matrix_unpadded_transposed(case: Case) -> Any:
    """What the transpose check sees of an unpadded matrix with the right number of rows."""
    found = _matrix_unpadded(case)
    if found is None:
        return None
    y = case.extra["y"]
    return Alternatives(tuple(m.T @ y for m in found.options if m.shape[0] == len(y)))


STRIDE_KERNEL = "stride applied to the kernel"
KERNEL_TRANSPOSED = "kernel transposed spatially"
PADDING_ADDED = "padding added instead of cropped"
NOT_CROPPED = "padding not cropped from the matrix form"
MATRIX_UNPADDED = "conv_matrix built without padding"
AXES = "axes permuted"
OVERLAP = "overlapping copies overwritten instead of summed"
CROP = "crop off by one"
FLIPPED = "kernel flipped"
LAYOUT = "conv and transposed weight layouts swapped"
OUTPUT_PADDING = "output_padding filled with zeros"
GROUPS = "groups ignored"
BIAS = "bias missing"

EXPLAIN = {
    OVERLAP: "the output holds copies of the filter weighted by the input, and where copies "
    "overlap they are summed (X^T a adds every column's contribution); yours keeps only the "
    "last copy written.",
    CROP: "the full overlap-sum has length (L-1)*stride + dilation*(k-1) + 1; crop exactly "
    "`padding` pixels from each side (the lecture crops one pixel to get exactly 2x the input), "
    "then add output_padding at the end.",
    FLIPPED: "these layers compute cross-correlation, as PyTorch does: kernel tap a multiplies "
    "the input at offset a*dilation, without flipping the kernel (rows x, y, z of the matrix X).",
    LAYOUT: "a conv weight is (C_out, C_in/groups, k...) but a transposed conv weight is "
    "(C_in, C_out/groups, k...): transposing X swaps the roles of input and output channels.",
    OUTPUT_PADDING: "output_padding only makes the output longer; the first extra pixels are "
    "not zeros but values of the overlap-sum that the crop would otherwise drop: crop fewer "
    "pixels at the end, and only past the end of the full sum are there zeros.",
    GROUPS: "with groups=g the input channels are split into g blocks, and output block j reads "
    "only input block j (so the weight has C_in/g input channels); yours reads the first block "
    "for every group, or fails only on the cases with groups > 1.",
    BIAS: "add b[c] to every position of output channel c after the convolution.",
    STRIDE_KERNEL: "the stride is how far the window (or, transposed, the copy of the filter) "
    "moves between neighbouring positions; the kernel's taps stay `dilation` apart. Yours "
    "spaces the kernel's taps by the stride and moves one position at a time.",
    KERNEL_TRANSPOSED: "w[o, i, a, b] multiplies the input at row offset a and column offset b; "
    "yours reads the kernel with rows and columns swapped (w[..., b, a]).",
    PADDING_ADDED: "in a transposed convolution `padding` removes pixels: crop `padding` from "
    "each side of the full overlap-sum. Yours adds `padding` zeros (around the output or the "
    "input), as a convolution's padding would.",
    NOT_CROPPED: "X^T maps to the padded length (input_size + 2*padding): the transposed "
    "convolution is X^T y with the `padding` entries at each end dropped. Yours returns X^T y "
    "whole.",
    MATRIX_UNPADDED: "X acts on the zero-padded input: it has input_size + 2*padding columns and "
    "floor((input_size + 2*padding - k) / stride) + 1 rows. Yours leaves the padding out.",
    AXES: "outputs are (N, C, L) or (N, C, H, W), channels first as in PyTorch; yours has the "
    "right values with the axes in another order (channels last?).",
}


def _variant(name: str, compute: Callable[[Case], Any]) -> Variant:
    return Variant(name, EXPLAIN[name], compute)


def _forward_variants(
    function: Callable[..., Any], transposed: bool, spatial_dims: int = 2
) -> tuple[Variant, ...]:
    variants = [
        _variant(FLIPPED, _flipped(function)),
        _variant(LAYOUT, _layout(function)),
        _variant(GROUPS, _groups_ignored(function)),
        _variant(GROUPS, _groups_crash),
        _variant(BIAS, _bias_missing(function)),
        _variant(STRIDE_KERNEL, _stride_on_kernel(function)),
        _variant(AXES, _axes_permuted(function)),
    ]
    if spatial_dims == 2:  # a 1-D kernel has no rows and columns to swap
        variants.insert(-1, _variant(KERNEL_TRANSPOSED, _kernel_transposed(function)))
    if transposed:
        variants = [
            _variant(OVERLAP, _overwrite_transpose),
            _variant(CROP, _crop_alternatives),
            _variant(OUTPUT_PADDING, _zeros_for_output_padding),
            _variant(PADDING_ADDED, _padding_added),
            _variant(NOT_CROPPED, _not_cropped),
            *variants,
        ]
    return tuple(variants)


def _backward_variants(function: Callable[..., Any]) -> tuple[Variant, ...]:
    return (
        _variant(FLIPPED, _flipped_backward(function)),
        _variant(LAYOUT, _layout(function, weight_at=2)),
        _variant(KERNEL_TRANSPOSED, _kernel_transposed(function, weight_at=2)),
        _variant(GROUPS, _groups_crash),
    )


def _crop_alternatives(case: Case) -> Any:
    found = _crop_variants(case)
    return Alternatives(tuple(found)) if found else None


# ---------------------------------------------------------------------------------------------
# Case generators.


def _options_label(options: dict[str, Any], shapes: dict[str, tuple[int, ...]]) -> str:
    parts = [f"{k}={v}" for k, v in shapes.items()]
    parts += [f"{k}={v}" for k, v in options.items() if k != "b"]
    if isinstance(options.get("b"), np.ndarray):
        parts.append("with bias")
    return ", ".join(parts)


def _conv_cases(
    ndim: int, transposed: bool, settings: list[dict[str, Any]]
) -> Callable[[np.random.Generator], list[Case]]:
    """A generator drawing one case per setting: random x, w (and b) of the right layouts."""

    def generate(rng: np.random.Generator) -> list[Case]:
        cases = []
        for setting in settings:
            setting = dict(setting)
            cin, cout, size, k = (setting.pop(key) for key in ("cin", "cout", "size", "k"))
            groups = setting.get("groups", 1)
            bias = setting.pop("bias", True)
            n = 2
            x = rng.standard_normal((n, cin, *([size] * ndim)))
            shape = (cin, cout // groups) if transposed else (cout, cin // groups)
            w = rng.standard_normal((*shape, *([k] * ndim)))
            options = dict(setting)
            if bias:
                options["b"] = rng.standard_normal(cout)
            label = _options_label(options, {"x": x.shape, "w": w.shape})
            cases.append(Case((x, w), options, label))
        return cases

    return generate


def _backward_cases(
    ndim: int, transposed: bool, settings: list[dict[str, Any]]
) -> Callable[[np.random.Generator], list[Case]]:
    forward = _conv_cases(ndim, transposed, settings)
    function = kernels.conv_transpose2d if transposed else kernels.conv2d

    def generate(rng: np.random.Generator) -> list[Case]:
        cases = []
        for case in forward(rng):
            options = {k: v for k, v in case.kwargs.items() if k != "b"}
            y = function(*case.args, **options)
            dy = rng.standard_normal(y.shape)
            label = f"dy={dy.shape}, " + _options_label(
                options, {"x": case.args[0].shape, "w": case.args[1].shape}
            )
            cases.append(Case((dy, *case.args), options, label))
        return cases

    return generate


CONV1D: list[dict[str, Any]] = [
    {"cin": 1, "cout": 1, "size": 6, "k": 3, "padding": 1, "bias": False},
    {"cin": 2, "cout": 3, "size": 9, "k": 3, "stride": 2, "padding": 1},
    {"cin": 4, "cout": 4, "size": 10, "k": 3, "dilation": 2, "padding": 2, "groups": 2},
    {"cin": 3, "cout": 3, "size": 8, "k": 2, "stride": 3},
]
CONV_T1D: list[dict[str, Any]] = [
    {"cin": 1, "cout": 1, "size": 4, "k": 3, "stride": 1, "padding": 1, "bias": False},
    {"cin": 1, "cout": 1, "size": 2, "k": 3, "stride": 2, "padding": 1, "bias": False},
    {"cin": 3, "cout": 3, "size": 5, "k": 3, "stride": 2, "padding": 1, "output_padding": 1},
    {"cin": 4, "cout": 4, "size": 5, "k": 4, "stride": 2, "padding": 1, "groups": 2},
    {"cin": 2, "cout": 3, "size": 6, "k": 3, "stride": 3, "dilation": 2, "padding": 2},
]
CONV2D: list[dict[str, Any]] = [
    {"cin": 1, "cout": 1, "size": 4, "k": 3, "padding": 1, "bias": False},
    {"cin": 2, "cout": 3, "size": 7, "k": 3, "stride": 2, "padding": 1},
    {"cin": 4, "cout": 4, "size": 7, "k": 3, "dilation": 2, "padding": 1, "groups": 2},
    {"cin": 3, "cout": 3, "size": 6, "k": 2, "stride": (2, 1), "padding": (0, 1)},
]
CONV_T2D: list[dict[str, Any]] = [
    {"cin": 1, "cout": 1, "size": 2, "k": 3, "stride": 2, "padding": 1, "bias": False},
    {"cin": 3, "cout": 3, "size": 4, "k": 3, "stride": 2, "padding": 1, "output_padding": 1},
    {"cin": 4, "cout": 4, "size": 4, "k": 4, "stride": 2, "padding": 1, "groups": 2},
    {"cin": 2, "cout": 3, "size": 3, "k": 3, "stride": 1, "padding": 0},
]
CONV_T2D_HIDDEN: list[dict[str, Any]] = [
    {"cin": 6, "cout": 6, "size": 4, "k": 3, "stride": 2, "padding": 2, "output_padding": 1,
     "groups": 3},
    {"cin": 2, "cout": 4, "size": 5, "k": 3, "stride": 1, "dilation": 3, "padding": 1,
     "output_padding": 2},
    {"cin": 3, "cout": 3, "size": 3, "k": 5, "stride": (3, 2), "padding": (2, 1),
     "output_padding": (1, 0)},
]  # fmt: skip
BACKWARD: list[dict[str, Any]] = [
    {"cin": 2, "cout": 3, "size": 6, "k": 3, "stride": 2, "padding": 1},
    {"cin": 4, "cout": 4, "size": 5, "k": 3, "padding": 1, "dilation": 2, "groups": 2},
]
BACKWARD_T: list[dict[str, Any]] = [
    {"cin": 3, "cout": 3, "size": 4, "k": 3, "stride": 2, "padding": 1, "output_padding": 1},
    {"cin": 4, "cout": 2, "size": 3, "k": 4, "stride": 2, "padding": 1, "groups": 2},
]
TIMED_T1D: list[dict[str, Any]] = [
    {"cin": 16, "cout": 16, "size": 256, "k": 4, "stride": 2, "padding": 1},
]


def _matrix_cases(rng: np.random.Generator) -> list[Case]:
    cases = []
    for size, stride, padding in ((4, 1, 1), (4, 2, 1), (7, 2, 0), (6, 3, 2)):
        w = rng.standard_normal(3)
        y_len = kernels.conv_output_size(size, 3, stride, padding)
        label = f"w=(x, y, z), input_size={size}, stride={stride}, padding={padding}"
        cases.append(
            Case(
                (w, size),
                {"stride": stride, "padding": padding},
                label,
                {"y": rng.standard_normal(y_len)},
            )
        )
    return cases


def _matrix_reference(w: Array, input_size: int, stride: int = 1, padding: int = 0) -> Array:
    return np.asarray(kernels.conv_matrix(w, input_size, stride, padding))


def _transpose_reference_for(case: Case) -> Array:
    """X^T y as the transposed convolution of y: the uncropped, padded-length result."""
    w, size = case.args
    stride, padding = case.kwargs["stride"], case.kwargs["padding"]
    y = case.extra["y"]
    produced = (len(y) - 1) * stride + len(w)
    extra = size + 2 * padding - produced
    full = kernels.conv_transpose1d(y[None, None], w[None, None], stride=stride,
                                    output_padding=extra)  # fmt: skip
    return np.asarray(full[0, 0])


def _apply_transpose(case: Case, outputs: Outputs) -> Outputs:
    (matrix,) = outputs
    y = case.extra["y"]
    if matrix.ndim != 2 or matrix.shape[0] != len(y):
        raise ValueError(f"the matrix has shape {matrix.shape}; it needs {len(y)} rows")
    return (matrix.T @ y,)


def _matrix_transpose_check() -> Check:
    return Check(
        name="conv_matrix: X^T is the transposed convolution",
        function="conv_matrix",
        points=5,
        generate=_matrix_cases,
        reference=_matrix_reference,
        case_reference=_transpose_reference_for,
        transform=_apply_transpose,
        seed=12,
        variants=(_variant(MATRIX_UNPADDED, _matrix_unpadded_transposed),),
    )


def _overlap_cases(rng: np.random.Generator) -> list[Case]:
    settings = [(3, 2, 4), (4, 2, 4), (3, 3, 3), (5, 2, 5)]
    extra = int(rng.integers(2, 4))
    settings.append((extra + 2, extra, 4))
    return [
        Case((k, s, n), {}, f"kernel_size={k}, stride={s}, input_size={n}") for k, s, n in settings
    ]


def _overlap_reference(kernel_size: int, stride: int, input_size: int) -> Array:
    return kernels.overlap_map(kernel_size, stride, input_size)


def _overlap_overwritten(case: Case) -> Array:
    return np.ones_like(_overlap_reference(*case.args))


def _check(
    name: str,
    function: str,
    points: float,
    generate: Callable[[np.random.Generator], list[Case]],
    reference: Callable[..., Any],
    seed: int,
    **options: Any,
) -> Check:
    return Check(name, function, points, generate, reference, seed=seed, **options)


GRADS = ("dx", "dw", "db")

CHECKS = (
    _check("conv_matrix: the slides' matrices", "conv_matrix", 5, _matrix_cases,
           _matrix_reference, seed=11, variants=(
               Variant(FLIPPED, EXPLAIN[FLIPPED],
                       lambda c: _matrix_reference(c.args[0][::-1].copy(), *c.args[1:],
                                                   **c.kwargs)),
               _variant(MATRIX_UNPADDED, _matrix_unpadded))),
    _matrix_transpose_check(),
    _check("conv1d", "conv1d", 10, _conv_cases(1, False, CONV1D), kernels.conv1d, seed=21,
           variants=_forward_variants(kernels.conv1d, False, 1)),
    _check("conv_transpose1d", "conv_transpose1d", 15, _conv_cases(1, True, CONV_T1D),
           kernels.conv_transpose1d, seed=31,
           variants=_forward_variants(kernels.conv_transpose1d, True, 1)),
    _check("conv2d", "conv2d", 10, _conv_cases(2, False, CONV2D), kernels.conv2d, seed=41,
           variants=_forward_variants(kernels.conv2d, False)),
    _check("conv_transpose2d", "conv_transpose2d", 15, _conv_cases(2, True, CONV_T2D),
           kernels.conv_transpose2d, seed=51,
           variants=_forward_variants(kernels.conv_transpose2d, True)),
    _check("conv_transpose2d: more strides, dilations and groups", "conv_transpose2d", 10,
           _conv_cases(2, True, CONV_T2D_HIDDEN), kernels.conv_transpose2d, seed=52,
           visibility="hidden", variants=_forward_variants(kernels.conv_transpose2d, True)),
    _check("conv2d_backward", "conv2d_backward", 10, _backward_cases(2, False, BACKWARD),
           kernels.conv2d_backward, seed=61, output_names=GRADS,
           variants=_backward_variants(kernels.conv2d_backward)),
    _check("conv_transpose2d_backward", "conv_transpose2d_backward", 10,
           _backward_cases(2, True, BACKWARD_T), kernels.conv_transpose2d_backward, seed=71,
           output_names=GRADS,
           variants=_backward_variants(kernels.conv_transpose2d_backward)),
    _check("overlap_map", "overlap_map", 5, _overlap_cases, _overlap_reference, seed=81,
           variants=(_variant(OVERLAP, _overlap_overwritten),)),
    _check("conv_transpose1d: a larger input within a time budget", "conv_transpose1d", 5,
           _conv_cases(1, True, TIMED_T1D), kernels.conv_transpose1d, seed=91,
           visibility="after_due", time_budget=50.0),
)  # fmt: skip

FUNCTIONS = (
    Function("conv_matrix", "conv_matrix(w, input_size, stride=1, padding=0)",
             "The matrix X of a 1-D convolution by the kernel w, over the zero-padded input."),
    Function("conv1d", "conv1d(x, w, b=None, stride=1, padding=0, dilation=1, groups=1)",
             "1-D convolution (cross-correlation) as torch.nn.functional.conv1d."),
    Function("conv_transpose1d", "conv_transpose1d(x, w, b=None, stride=1, padding=0, "
             "output_padding=0, dilation=1, groups=1)",
             "1-D transposed convolution as torch.nn.functional.conv_transpose1d."),
    Function("conv2d", "conv2d(x, w, b=None, stride=1, padding=0, dilation=1, groups=1)",
             "2-D convolution as torch.nn.functional.conv2d."),
    Function("conv_transpose2d", "conv_transpose2d(x, w, b=None, stride=1, padding=0, "
             "output_padding=0, dilation=1, groups=1)",
             "2-D transposed convolution as torch.nn.functional.conv_transpose2d."),
    Function("conv2d_backward", "conv2d_backward(dy, x, w, stride=1, padding=0, dilation=1, "
             "groups=1)", "Gradients (dx, dw, db) of sum(conv2d(x, w, b) * dy)."),
    Function("conv_transpose2d_backward", "conv_transpose2d_backward(dy, x, w, stride=1, "
             "padding=0, output_padding=0, dilation=1, groups=1)",
             "Gradients (dx, dw, db) of sum(conv_transpose2d(x, w, b) * dy)."),
    Function("overlap_map", "overlap_map(kernel_size, stride, input_size)",
             "How many filter copies a 2-D transposed convolution sums into each output pixel."),
)  # fmt: skip

ASSIGNMENT = Assignment(
    slug="transposed-convolutions",
    title="Transposed convolutions",
    functions=FUNCTIONS,
    checks=CHECKS,
    handout=(Path(__file__).with_name("transposed_convolutions.md")).read_text(),
    packages=("numpy",),
    limits=Limits(cpu_seconds=10, wall_seconds=20, memory_bytes=1024 << 20),
)
