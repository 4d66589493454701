"""Convolution and transposed convolution, forward and backward, in PyTorch's conventions.

The functions mirror ``torch.nn.functional.conv1d/conv2d/conv_transpose1d/conv_transpose2d``:
x is (N, C_in, L) or (N, C_in, H, W) (or the same without N); the conv weight is
(C_out, C_in/groups, *kernel) and the transposed weight (C_in, C_out/groups, *kernel); b is
(C_out,). stride, padding, output_padding and dilation are an int or one int per spatial
dimension; conv padding may also be ``"valid"`` or ``"same"`` (stride 1 only, the odd extra
element going after, as PyTorch does).

Arrays may come from any array-API library that array-api-compat knows (numpy, CuPy, torch);
results are in the same library, on the same device, in the promoted floating dtype of the
inputs. Results may be non-contiguous views. Invalid arguments raise ``ValueError``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from array_api_compat import array_namespace

from convlab.kernels import _core
from convlab.kernels._args import (
    Arrays,
    IntOrTuple,
    Padding,
    check_arrays,
    check_floating,
    check_grad,
    groups_int,
    int_tuple,
)
from convlab.kernels.shapes import conv_output_size, conv_transpose_output_size

__all__ = [
    "ConvGrads",
    "conv1d",
    "conv1d_backward",
    "conv2d",
    "conv2d_backward",
    "conv_transpose1d",
    "conv_transpose1d_backward",
    "conv_transpose2d",
    "conv_transpose2d_backward",
]

Array = Any


class ConvGrads(NamedTuple):
    """Gradients of ``sum(f(x, w, b) * dy)`` for one of the forward functions f.

    dx has x's shape, dw has w's shape, and db has shape (C_out,): it is dy summed over the
    batch and spatial axes, the gradient with respect to a bias whether or not one was used.
    """

    dx: Array
    dw: Array
    db: Array


@dataclass(frozen=True)
class _Plan:
    xp: Any
    arrays: Arrays
    geom: _core.Geometry  # in 2-D; a 1-D problem has unit height
    out_shape: tuple[int, ...]  # the forward output's shape as the caller sees it


def _pair(values: tuple[int, ...], fill: int) -> tuple[int, int]:
    return (fill, values[0]) if len(values) == 1 else (values[0], values[1])


def _namespace(*arrays: Array | None) -> Any:
    xp = array_namespace(*arrays)
    for name, array in zip(("x", "w", "b", "dy"), arrays, strict=False):
        if array is not None:
            check_floating(xp, name, array)
    return xp


def _out_shape(arrays: Arrays, size: tuple[int, ...], n: int | None) -> tuple[int, ...]:
    batch = (n,) if n is not None else ()
    return (*batch, arrays.cout, *size)


def _plan_conv(
    ndim: int,
    x: Array,
    w: Array,
    b: Array | None,
    stride: IntOrTuple,
    padding: Padding,
    dilation: IntOrTuple,
    groups: int,
    dy: Array | None = None,
) -> _Plan:
    xp = _namespace(x, w, b, dy)
    g = groups_int(groups)
    arrays = check_arrays(ndim, x, w, b, g, transposed=False)
    s = int_tuple("stride", stride, ndim, 1)
    d = int_tuple("dilation", dilation, ndim, 1)
    if isinstance(padding, str):
        if padding == "valid":
            before = (0,) * ndim
        elif padding == "same":
            if any(v != 1 for v in s):
                raise ValueError(f"padding='same' needs stride 1, got stride={stride!r}")
            before = tuple(dd * (k - 1) // 2 for dd, k in zip(d, arrays.kernel, strict=True))
        else:
            raise ValueError(f"padding must be an int, a tuple, 'valid' or 'same', got {padding!r}")
        out = (
            arrays.size
            if padding == "same"
            else tuple(
                conv_output_size(*args)
                for args in zip(arrays.size, arrays.kernel, s, before, d, strict=True)
            )
        )
    else:
        before = int_tuple("padding", padding, ndim, 0)
        out = tuple(
            conv_output_size(*args)
            for args in zip(arrays.size, arrays.kernel, s, before, d, strict=True)
        )
    geom = _core.Geometry(
        kernel=_pair(arrays.kernel, 1),
        stride=_pair(s, 1),
        dilation=_pair(d, 1),
        start=_pair(before, 0),
        out=_pair(out, 1),
        groups=g,
    )
    n = int(x.shape[0]) if arrays.batched else None
    return _Plan(xp, arrays, geom, _out_shape(arrays, out, n))


def _plan_conv_transpose(
    ndim: int,
    x: Array,
    w: Array,
    b: Array | None,
    stride: IntOrTuple,
    padding: IntOrTuple,
    output_padding: IntOrTuple,
    dilation: IntOrTuple,
    groups: int,
    dy: Array | None = None,
) -> _Plan:
    xp = _namespace(x, w, b, dy)
    g = groups_int(groups)
    arrays = check_arrays(ndim, x, w, b, g, transposed=True)
    s = int_tuple("stride", stride, ndim, 1)
    p = int_tuple("padding", padding, ndim, 0)
    op = int_tuple("output_padding", output_padding, ndim, 0)
    d = int_tuple("dilation", dilation, ndim, 1)
    out = tuple(
        conv_transpose_output_size(*args)
        for args in zip(arrays.size, arrays.kernel, s, p, op, d, strict=True)
    )
    geom = _core.Geometry(
        kernel=_pair(arrays.kernel, 1),
        stride=_pair(s, 1),
        dilation=_pair(d, 1),
        start=_pair(p, 0),
        out=_pair(out, 1),
        groups=g,
    )
    n = int(x.shape[0]) if arrays.batched else None
    return _Plan(xp, arrays, geom, _out_shape(arrays, out, n))


def _cast(plan: _Plan, *arrays: Array | None) -> list[Array]:
    """The arrays in their common floating dtype, as batched 2-D problems (b stays 1-D)."""
    xp = plan.xp
    dtype = xp.result_type(*(a for a in arrays if a is not None))
    lifted: list[Array] = []
    for i, a in enumerate(arrays):
        if a is None:
            lifted.append(None)
            continue
        a = xp.astype(a, dtype, copy=False)
        if i == 2:  # the bias
            lifted.append(a)
            continue
        if i != 1 and not plan.arrays.batched:
            a = xp.expand_dims(a, axis=0)
        if len(plan.arrays.kernel) == 1:
            a = xp.expand_dims(a, axis=2)
        lifted.append(a)
    return lifted


def _lower(plan: _Plan, y: Array, batched: bool = True) -> Array:
    """Undo the lifting of ``_cast``: drop the unit height of 1-D and the batch axis if added."""
    if len(plan.arrays.kernel) == 1:
        y = y[:, :, 0, :]
    if batched and not plan.arrays.batched:
        y = y[0, ...]
    return y


def _add_bias(plan: _Plan, y: Array, b: Array | None) -> Array:
    if b is not None:
        y += plan.xp.reshape(b, (1, -1, 1, 1))
    return y


def _conv_forward(plan: _Plan, x: Array, w: Array, b: Array | None) -> Array:
    x4, w4, b1 = _cast(plan, x, w, b)
    y = _core.conv(plan.xp, x4, w4, plan.geom)
    return _lower(plan, _add_bias(plan, y, b1))


def _conv_backward(plan: _Plan, dy: Array, x: Array, w: Array) -> ConvGrads:
    check_grad(dy, plan.out_shape)
    x4, w4, _, dy4 = _cast(plan, x, w, None, dy)
    xp, geom = plan.xp, plan.geom
    input_geom = _core.Geometry(
        geom.kernel, geom.stride, geom.dilation, geom.start, (x4.shape[2], x4.shape[3]), geom.groups
    )
    dx = _core.conv_transpose(xp, dy4, w4, input_geom)
    dw = _core.conv_weight_grad(xp, x4, dy4, geom)
    db = xp.sum(dy4, axis=(0, 2, 3))
    return ConvGrads(_lower(plan, dx), _lower(plan, dw, batched=False), db)


def _conv_transpose_forward(plan: _Plan, x: Array, w: Array, b: Array | None) -> Array:
    x4, w4, b1 = _cast(plan, x, w, b)
    y = _core.conv_transpose(plan.xp, x4, w4, plan.geom)
    return _lower(plan, _add_bias(plan, y, b1))


def _conv_transpose_backward(plan: _Plan, dy: Array, x: Array, w: Array) -> ConvGrads:
    check_grad(dy, plan.out_shape)
    x4, w4, _, dy4 = _cast(plan, x, w, None, dy)
    xp, geom = plan.xp, plan.geom
    input_geom = _core.Geometry(
        geom.kernel, geom.stride, geom.dilation, geom.start, (x4.shape[2], x4.shape[3]), geom.groups
    )
    dx, dw = _core.conv_transpose_grads(xp, x4, w4, dy4, input_geom)
    db = xp.sum(dy4, axis=(0, 2, 3))
    return ConvGrads(_lower(plan, dx), _lower(plan, dw, batched=False), db)


def conv1d(
    x: Array,
    w: Array,
    b: Array | None = None,
    stride: IntOrTuple = 1,
    padding: Padding = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
) -> Array:
    """1-D convolution (cross-correlation) as ``torch.nn.functional.conv1d``.

    x (N, C_in, L) or (C_in, L); w (C_out, C_in/groups, k); b (C_out,) or None.
    Returns (N, C_out, L_out) with ``L_out = conv_output_size(L, k, stride, padding, dilation)``.
    """
    plan = _plan_conv(1, x, w, b, stride, padding, dilation, groups)
    return _conv_forward(plan, x, w, b)


def conv2d(
    x: Array,
    w: Array,
    b: Array | None = None,
    stride: IntOrTuple = 1,
    padding: Padding = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
) -> Array:
    """2-D convolution (cross-correlation) as ``torch.nn.functional.conv2d``.

    x (N, C_in, H, W) or (C_in, H, W); w (C_out, C_in/groups, kH, kW); b (C_out,) or None.
    Returns (N, C_out, H_out, W_out), each size given by ``conv_output_size``.
    """
    plan = _plan_conv(2, x, w, b, stride, padding, dilation, groups)
    return _conv_forward(plan, x, w, b)


def conv_transpose1d(
    x: Array,
    w: Array,
    b: Array | None = None,
    stride: IntOrTuple = 1,
    padding: IntOrTuple = 0,
    output_padding: IntOrTuple = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
) -> Array:
    """1-D transposed convolution as ``torch.nn.functional.conv_transpose1d``.

    x (N, C_in, L) or (C_in, L); w (C_in, C_out/groups, k); b (C_out,) or None. Returns
    (N, C_out, L_out), ``L_out = (L-1)*stride - 2*padding + dilation*(k-1) + output_padding + 1``.
    It is the adjoint of ``conv1d`` with the same weight and options.
    """
    plan = _plan_conv_transpose(1, x, w, b, stride, padding, output_padding, dilation, groups)
    return _conv_transpose_forward(plan, x, w, b)


def conv_transpose2d(
    x: Array,
    w: Array,
    b: Array | None = None,
    stride: IntOrTuple = 1,
    padding: IntOrTuple = 0,
    output_padding: IntOrTuple = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
) -> Array:
    """2-D transposed convolution as ``torch.nn.functional.conv_transpose2d``.

    x (N, C_in, H, W) or (C_in, H, W); w (C_in, C_out/groups, kH, kW); b (C_out,) or None.
    Returns (N, C_out, H_out, W_out), each size given by ``conv_transpose_output_size``.
    It is the adjoint of ``conv2d`` with the same weight and options.
    """
    plan = _plan_conv_transpose(2, x, w, b, stride, padding, output_padding, dilation, groups)
    return _conv_transpose_forward(plan, x, w, b)


def conv1d_backward(
    dy: Array,
    x: Array,
    w: Array,
    stride: IntOrTuple = 1,
    padding: Padding = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
) -> ConvGrads:
    """Gradients of ``sum(conv1d(x, w, b, ...) * dy)`` with respect to x, w and b.

    dy must have the forward output's shape; the options are the forward call's.
    """
    plan = _plan_conv(1, x, w, None, stride, padding, dilation, groups, dy)
    return _conv_backward(plan, dy, x, w)


def conv2d_backward(
    dy: Array,
    x: Array,
    w: Array,
    stride: IntOrTuple = 1,
    padding: Padding = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
) -> ConvGrads:
    """Gradients of ``sum(conv2d(x, w, b, ...) * dy)`` with respect to x, w and b.

    dy must have the forward output's shape; the options are the forward call's.
    """
    plan = _plan_conv(2, x, w, None, stride, padding, dilation, groups, dy)
    return _conv_backward(plan, dy, x, w)


def conv_transpose1d_backward(
    dy: Array,
    x: Array,
    w: Array,
    stride: IntOrTuple = 1,
    padding: IntOrTuple = 0,
    output_padding: IntOrTuple = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
) -> ConvGrads:
    """Gradients of ``sum(conv_transpose1d(x, w, b, ...) * dy)`` with respect to x, w and b.

    dy must have the forward output's shape; the options are the forward call's.
    """
    plan = _plan_conv_transpose(
        1, x, w, None, stride, padding, output_padding, dilation, groups, dy
    )
    return _conv_transpose_backward(plan, dy, x, w)


def conv_transpose2d_backward(
    dy: Array,
    x: Array,
    w: Array,
    stride: IntOrTuple = 1,
    padding: IntOrTuple = 0,
    output_padding: IntOrTuple = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
) -> ConvGrads:
    """Gradients of ``sum(conv_transpose2d(x, w, b, ...) * dy)`` with respect to x, w and b.

    dy must have the forward output's shape; the options are the forward call's.
    """
    plan = _plan_conv_transpose(
        2, x, w, None, stride, padding, output_padding, dilation, groups, dy
    )
    return _conv_transpose_backward(plan, dy, x, w)
