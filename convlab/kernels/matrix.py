"""The lecture's view of convolution: an explicit matrix, and the overlap of filter copies.

``conv_matrix`` builds the matrix X of the slides: a single-channel convolution of an input a
is ``X @ a`` (flattened row-major), and the transposed convolution with the same kernel is
``X.T @ y``. ``overlap_map`` counts how many copies of the filter a transposed convolution
sums into each output pixel: uneven counts are the checkerboard artifacts of Odena, Dumoulin
and Olah ("Deconvolution and Checkerboard Artifacts", Distill 2016).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from array_api_compat import array_namespace
from array_api_compat import device as array_device

from convlab.kernels._args import check_floating, int_tuple
from convlab.kernels.conv import conv_transpose1d, conv_transpose2d
from convlab.kernels.shapes import conv_output_size

__all__ = ["conv_matrix", "overlap_map"]

Array = Any


def conv_matrix(
    w: Array,
    input_size: int | Sequence[int],
    stride: int | Sequence[int] = 1,
    padding: int | Sequence[int] = 0,
    dilation: int | Sequence[int] = 1,
    *,
    padded: bool = True,
) -> Array:
    """The matrix X of a single-channel convolution by the kernel w (shape (k,) or (kH, kW)).

    With ``padded=True`` (the slides' form) the columns index the zero-padded input, so
    ``conv(a) == X @ pad(a).ravel()`` and X has shape (prod(out), prod(input_size + 2*padding)).
    With ``padded=False`` the padding columns are dropped: ``conv(a) == X @ a.ravel()``, and
    ``X.T @ y.ravel()`` is ``conv_transpose(y)`` with the output_padding that restores
    ``input_size``. Sizes follow ``conv_output_size``; the entries are w's, in w's namespace,
    dtype and device.
    """
    xp = array_namespace(w)
    check_floating(xp, "w", w)
    ndim = w.ndim
    if ndim not in (1, 2):
        raise ValueError(f"w must be a 1-D (k,) or 2-D (kH, kW) kernel, got shape {w.shape}")
    kernel = tuple(int(k) for k in w.shape)
    if min(kernel) < 1:
        raise ValueError(f"w must have positive sizes, got shape {w.shape}")
    size = int_tuple("input_size", input_size, ndim, 1)
    s = int_tuple("stride", stride, ndim, 1)
    p = int_tuple("padding", padding, ndim, 0)
    d = int_tuple("dilation", dilation, ndim, 1)
    dev = array_device(w)
    # Per dimension, tap[o, j] is the kernel index linking output o to input column j.
    per_axis = []
    for axis in range(ndim):
        out = conv_output_size(size[axis], kernel[axis], s[axis], p[axis], d[axis])
        first = 0 if padded else p[axis]
        cols = size[axis] + 2 * p[axis] if padded else size[axis]
        rows_idx = xp.reshape(xp.arange(out, device=dev), (out, 1))
        cols_idx = xp.reshape(xp.arange(first, first + cols, device=dev), (1, cols))
        offset = cols_idx - rows_idx * s[axis]
        tap = offset // d[axis]
        ok = (offset >= 0) & (offset % d[axis] == 0) & (tap < kernel[axis])
        per_axis.append((ok, xp.where(ok, tap, 0)))
    valid, flat = per_axis[0]
    if ndim == 2:
        # X4[o0, j0, o1, j1]; the row-major kernel index is a0*kW + a1.
        ok, tap = per_axis[1]
        valid = valid[:, :, None, None] & ok[None, None, :, :]
        flat = flat[:, :, None, None] * kernel[1] + tap[None, None, :, :]
    values = xp.take(xp.reshape(w, (-1,)), xp.reshape(flat, (-1,)))
    matrix = xp.where(xp.reshape(valid, (-1,)), values, xp.zeros_like(values))
    matrix = xp.reshape(matrix, valid.shape)
    if ndim == 2:
        matrix = xp.permute_dims(matrix, (0, 2, 1, 3))
    rows = 1
    for v in matrix.shape[:ndim]:
        rows *= int(v)
    return xp.reshape(matrix, (rows, -1))


def overlap_map(
    kernel_size: int | Sequence[int],
    stride: int | Sequence[int],
    input_size: int | Sequence[int] = 5,
    padding: int | Sequence[int] = 0,
    output_padding: int | Sequence[int] = 0,
    dilation: int | Sequence[int] = 1,
    *,
    ndim: int | None = None,
) -> np.ndarray[Any, np.dtype[np.int64]]:
    """How many filter copies land on each output pixel of a transposed convolution.

    The transposed convolution of an all-ones input by an all-ones kernel, as a numpy int64
    array of the output's shape (``conv_transpose_output_size`` per dimension). The number of
    dimensions is ``ndim``, else the length of any sequence argument, else 2. Away from the
    borders (full-output indices d*(k-1) to (input_size-1)*stride, shifted by -padding) the
    counts are all equal exactly when stride divides the kernel's footprint evenly: kernel 4,
    stride 2 gives 4 everywhere; kernel 3, stride 2 alternates 2 and 1 (4/2/2/1 in 2-D).
    """
    lengths = {
        len(v)
        for v in (kernel_size, stride, input_size, padding, output_padding, dilation)
        if isinstance(v, Sequence)
    }
    if ndim is None:
        if len(lengths) > 1:
            raise ValueError(f"the sequence arguments disagree on the dimension: {sorted(lengths)}")
        ndim = lengths.pop() if lengths else 2
    if ndim not in (1, 2):
        raise ValueError(f"ndim must be 1 or 2, got {ndim}")
    kernel = int_tuple("kernel_size", kernel_size, ndim, 1)
    size = int_tuple("input_size", input_size, ndim, 1)
    ones_x = np.ones((1, 1, *size))
    ones_w = np.ones((1, 1, *kernel))
    transpose = conv_transpose1d if ndim == 1 else conv_transpose2d
    counts = transpose(ones_x, ones_w, None, stride, padding, output_padding, dilation)
    result: np.ndarray[Any, np.dtype[np.int64]] = np.rint(counts[0, 0]).astype(np.int64)
    return result
