"""The computing core: 2-D convolution and transposed convolution as matrix products.

Everything here works on batched 4-D arrays (1-D problems arrive with a unit height) whose
arguments were validated by the public functions, and uses only array-API operations through
the namespace ``xp`` it is given. Every output is the sum of products PyTorch computes, in
another order, so results agree with it to rounding.

Layouts: x (N, C, H, W); conv weight (C_out, C_in/g, kH, kW); transposed weight
(C_in, C_out/g, kH, kW). ``start`` is how many zero rows/columns precede the input (the conv
padding before it) or, for a transposed convolution, how many leading rows/columns of the full
output are cropped (its padding); ``out`` is the output size, given explicitly so asymmetric
padding, output_padding and the crops of a backward pass need no special cases.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from array_api_compat import device as array_device

Array = Any
Namespace = Any
Pair = tuple[int, int]


@dataclass(frozen=True)
class Geometry:
    """Per-dimension (height, width) parameters of one convolution-like product."""

    kernel: Pair
    stride: Pair
    dilation: Pair
    start: Pair
    out: Pair
    groups: int


def _zeros(xp: Namespace, shape: tuple[int, ...], like: Array) -> Array:
    return xp.zeros(shape, dtype=like.dtype, device=array_device(like))


def _empty(xp: Namespace, shape: tuple[int, ...], like: Array) -> Array:
    return xp.empty(shape, dtype=like.dtype, device=array_device(like))


# Elements of one column matrix: about 4 MB in float32, so the operand a product reads stays in
# cache. Column matrices of whole batches (75 MB for the benchmark's shapes) measured up to 1.7x
# slower here: see docs/benchmarks.md.
_COLUMN_BUDGET = 1 << 20


def _batches(n: int, columns_per_item: int) -> list[tuple[int, int]]:
    """Split a batch of n into consecutive [start, stop) chunks of at most the column budget."""
    step = max(1, _COLUMN_BUDGET // max(1, columns_per_item))
    return [(i, min(n, i + step)) for i in range(0, n, step)]


def _channels_first(xp: Namespace, x: Array, before: Pair, after: Pair) -> Array:
    """x (N, C, H, W) as (C, N, H', W'), zero-padded by ``before``/``after`` rows and columns.

    Channels lead so that the column matrices built from it group by channel, which is what the
    grouped matrix products need.
    """
    n, c, h, w = x.shape
    xt = xp.permute_dims(x, (1, 0, 2, 3))
    if before == (0, 0) and after == (0, 0):
        return xt
    shape = (c, n, before[0] + h + after[0], before[1] + w + after[1])
    padded = _zeros(xp, shape, x)
    padded[:, :, before[0] : before[0] + h, before[1] : before[1] + w] = xt
    return padded


def im2col(xp: Namespace, x: Array, geom: Geometry) -> Array:
    """Column matrix of a convolution of x: shape (C, kH, kW, N, Ho, Wo), where

    ``cols[c, a, b, n, i, j] = x_padded[n, c, i*sH + a*dH, j*sW + b*dW]`` and x_padded has
    ``geom.start`` zeros before the input (and as many after as the windows reach).
    """
    n, c, h, w = x.shape
    (kh, kw), (sh, sw), (dh, dw), (oh, ow) = geom.kernel, geom.stride, geom.dilation, geom.out
    reach = ((oh - 1) * sh + (kh - 1) * dh + 1, (ow - 1) * sw + (kw - 1) * dw + 1)
    after = (max(0, reach[0] - geom.start[0] - h), max(0, reach[1] - geom.start[1] - w))
    padded = _channels_first(xp, x, geom.start, after)
    cols = _empty(xp, (c, kh, kw, n, oh, ow), x)
    for a in range(kh):
        rows = slice(a * dh, a * dh + (oh - 1) * sh + 1, sh)
        for b in range(kw):
            cols[:, a, b] = padded[:, :, rows, b * dw : b * dw + (ow - 1) * sw + 1 : sw]
    return cols


def _grouped_matmul(xp: Namespace, lhs: Array, rhs: Array) -> Array:
    """Product of (g, M, K) and (g, K, P) stacks; a plain 2-D product when g == 1."""
    if lhs.shape[0] == 1:
        return xp.matmul(lhs[0, ...], rhs[0, ...])[None, ...]
    return xp.matmul(lhs, rhs)


def conv(xp: Namespace, x: Array, w: Array, geom: Geometry) -> Array:
    """Convolution (cross-correlation, as in PyTorch) of x by the conv weight w, without bias.

    Returns (N, C_out, Ho, Wo), possibly a non-contiguous view of a buffer it owns.
    """
    n = x.shape[0]
    g = geom.groups
    cout, cin_g, kh, kw = w.shape
    oh, ow = geom.out
    k = cin_g * kh * kw
    weights = xp.reshape(w, (g, cout // g, k))
    y = _empty(xp, (cout, n, oh, ow), x)
    for n0, n1 in _batches(n, g * k * oh * ow):
        cols = xp.reshape(im2col(xp, x[n0:n1, ...], geom), (g, k, (n1 - n0) * oh * ow))
        part = _grouped_matmul(xp, weights, cols)
        y[:, n0:n1, ...] = xp.reshape(part, (cout, n1 - n0, oh, ow))
    return xp.permute_dims(y, (1, 0, 2, 3))


@dataclass(frozen=True)
class _Phase:
    """The outputs ``offset, offset + s, ...`` of one dimension of a strided transposed conv.

    ``taps`` lists (kernel index a, input shift q): output ``offset + s*t`` sums
    ``x[t - q] * w[a]`` over the taps, so the phase is a stride-1 correlation with no scatter.
    """

    offset: int
    count: int
    taps: tuple[tuple[int, int], ...]


def _phases(
    kernel: int, stride: int, dilation: int, crop: int, size: int, out: int
) -> list[_Phase]:
    phases = []
    for offset in range(min(stride, out)):
        count = len(range(offset, out, stride))
        taps = []
        for a in range(kernel):
            shift, rem = divmod(a * dilation - offset - crop, stride)
            # Keep only taps whose window x[-shift : count - shift] meets the input at all.
            if rem == 0 and -shift <= size - 1 and count - 1 - shift >= 0:
                taps.append((a, shift))
        phases.append(_Phase(offset, count, tuple(taps)))
    return phases


def conv_transpose(xp: Namespace, x: Array, w: Array, geom: Geometry) -> Array:
    """Transposed convolution of x by the transposed weight w, without bias.

    ``y_full[n, o, h*sH + a*dH, w*sW + b*dW] += x[n, i, h, w] * w[i, o', a, b]`` (o in the group
    of i), and the result is ``y_full[:, :, start:start+Ho, start:start+Wo]`` (zeros where that
    window passes the end of y_full, which is what output_padding does beyond the padding).

    Computed by the sub-pixel (polyphase) decomposition: the outputs of one residue class modulo
    the stride in each dimension form a stride-1 correlation of x with a subset of the taps, done
    as one matrix product; the stride**2 results are interleaved into the output. There are no
    scatter-adds. Returns (N, C_out, Ho, Wo), possibly a non-contiguous view of a buffer it owns.
    """
    n, cin, h, wd = x.shape
    g = geom.groups
    cout_g = w.shape[1]
    cout = cout_g * g
    oh, ow = geom.out
    sh, sw = geom.stride
    rows = _phases(geom.kernel[0], sh, geom.dilation[0], geom.start[0], h, oh)
    cols_ = _phases(geom.kernel[1], sw, geom.dilation[1], geom.start[1], wd, ow)

    def pads(phases: list[_Phase], size: int) -> Pair:
        shifts = [(p.count, q) for p in phases for _, q in p.taps]
        before = max([0] + [q for _, q in shifts])
        after = max([0] + [count - 1 - q - (size - 1) for count, q in shifts])
        return before, after

    (top, bottom), (left, right) = pads(rows, h), pads(cols_, wd)
    padded = _channels_first(xp, x, (top, left), (bottom, right))
    complete = all(p.taps for p in rows) and all(p.taps for p in cols_)
    y = (_empty if complete else _zeros)(xp, (cout, n, oh, ow), x)
    dev = array_device(x)
    plan = []
    for rp in rows:
        for cp in cols_:
            if rp.taps and cp.taps:
                a_idx = xp.asarray([a for a, _ in rp.taps], dtype=xp.int64, device=dev)
                b_idx = xp.asarray([b for b, _ in cp.taps], dtype=xp.int64, device=dev)
                taps = xp.take(xp.take(w, a_idx, axis=2), b_idx, axis=3)
                taps = xp.reshape(taps, (g, cin // g, cout_g, len(rp.taps), len(cp.taps)))
                taps = xp.reshape(xp.permute_dims(taps, (0, 2, 1, 3, 4)), (g, cout_g, -1))
                plan.append((rp, cp, taps))
    for n0, n1 in _batches(n, cin * geom.kernel[0] * geom.kernel[1] * h * wd):
        m = n1 - n0
        for rp, cp, taps in plan:
            na, nb = len(rp.taps), len(cp.taps)
            stack = _empty(xp, (cin, na, nb, m, rp.count, cp.count), x)
            for ia, (_, qa) in enumerate(rp.taps):
                r0 = top - qa
                for ib, (_, qb) in enumerate(cp.taps):
                    c0 = left - qb
                    window = padded[:, n0:n1, r0 : r0 + rp.count, c0 : c0 + cp.count]
                    stack[:, ia, ib, ...] = window
            stack = xp.reshape(stack, (g, (cin // g) * na * nb, m * rp.count * cp.count))
            part = xp.reshape(_grouped_matmul(xp, taps, stack), (cout, m, rp.count, cp.count))
            y[:, n0:n1, rp.offset :: sh, cp.offset :: sw] = part
    return xp.permute_dims(y, (1, 0, 2, 3))


def conv_weight_grad(xp: Namespace, x: Array, dy: Array, geom: Geometry) -> Array:
    """Gradient of ``sum(conv(x, w) * dy)`` with respect to the conv weight w.

    ``dw[o, i, a, b] = sum_{n,h,w} dy[n, o, h, w] * x_padded[n, g(o)+i, h*sH + a*dH, ...]``;
    shape (C_out, C_in/g, kH, kW) with C_out = dy.shape[1]. ``geom.out`` must be dy's spatial
    size.
    """
    n, cin = x.shape[0], x.shape[1]
    g = geom.groups
    cout = dy.shape[1]
    kh, kw = geom.kernel
    oh, ow = geom.out
    k = (cin // g) * kh * kw
    dw = _zeros(xp, (g, cout // g, k), x)
    for n0, n1 in _batches(n, cin * kh * kw * oh * ow):
        m = (n1 - n0) * oh * ow
        cols = xp.reshape(im2col(xp, x[n0:n1, ...], geom), (g, k, m))
        grads = xp.reshape(xp.permute_dims(dy[n0:n1, ...], (1, 0, 2, 3)), (g, cout // g, m))
        dw += _grouped_matmul(xp, grads, xp.matrix_transpose(cols))
    return xp.reshape(dw, (cout, cin // g, kh, kw))


def conv_transpose_grads(
    xp: Namespace, x: Array, w: Array, dy: Array, geom: Geometry
) -> tuple[Array, Array]:
    """Gradients of ``sum(conv_transpose(x, w) * dy)`` with respect to x and w.

    Both come from one column matrix of dy (a strided convolution of dy with padding
    ``geom.start``, evaluated at the input's positions): dx = w as a matrix times it, and
    dw = x as a matrix times its transpose. ``geom.out`` must be x's spatial size.
    """
    n, cin = x.shape[0], x.shape[1]
    g = geom.groups
    cout_g = w.shape[1]
    kh, kw = geom.kernel
    h, wd = geom.out
    k = cout_g * kh * kw
    weights = xp.reshape(w, (g, cin // g, k))
    dx = _empty(xp, (cin, n, h, wd), x)
    dw = _zeros(xp, (g, cin // g, k), x)
    for n0, n1 in _batches(n, g * k * h * wd):
        m = (n1 - n0) * h * wd
        cols = xp.reshape(im2col(xp, dy[n0:n1, ...], geom), (g, k, m))
        part = _grouped_matmul(xp, weights, cols)
        dx[:, n0:n1, ...] = xp.reshape(part, (cin, n1 - n0, h, wd))
        inputs = xp.reshape(xp.permute_dims(x[n0:n1, ...], (1, 0, 2, 3)), (g, cin // g, m))
        dw += _grouped_matmul(xp, inputs, xp.matrix_transpose(cols))
    return xp.permute_dims(dx, (1, 0, 2, 3)), xp.reshape(dw, (cin, cout_g, kh, kw))
