# ruff: noqa: B905 - a student's file, written as students write it
"""A correct solution of "transposed-convolutions" (numpy only), submitted by the demo."""

import numpy as np


def _tup(value, n):
    return (value,) * n if isinstance(value, int) else tuple(value)


def _conv(x, w, b, stride, padding, dilation, groups, nd):
    s, p, d = (_tup(v, nd) for v in (stride, padding, dilation))
    k = w.shape[2:]
    xp = np.pad(x, [(0, 0), (0, 0), *[(q, q) for q in p]])
    out = [(n + 2 * q - dd * (kk - 1) - 1) // ss + 1
           for n, q, dd, kk, ss in zip(x.shape[2:], p, d, k, s)]  # fmt: skip
    cout, cig = w.shape[0], w.shape[1]
    cog = cout // groups
    y = np.zeros((x.shape[0], cout, *out), dtype=np.result_type(x, w))
    for g in range(groups):
        for taps in np.ndindex(*k):
            window = tuple(slice(t * dd, t * dd + (o - 1) * ss + 1, ss)
                           for t, dd, o, ss in zip(taps, d, out, s))  # fmt: skip
            xs = xp[(slice(None), slice(g * cig, (g + 1) * cig), *window)]
            wt = w[(slice(g * cog, (g + 1) * cog), slice(None), *taps)]
            y[:, g * cog : (g + 1) * cog] += np.einsum("ni...,oi->no...", xs, wt)
    if b is not None:
        y += b.reshape(1, -1, *[1] * nd)
    return y


def _full_transpose(x, w, stride, dilation, groups, nd, extra):
    s, d = _tup(stride, nd), _tup(dilation, nd)
    k = w.shape[2:]
    cin, cog = x.shape[1], w.shape[1]
    cig = cin // groups
    full = [(n - 1) * ss + dd * (kk - 1) + 1 + e
            for n, ss, dd, kk, e in zip(x.shape[2:], s, d, k, extra)]  # fmt: skip
    y = np.zeros((x.shape[0], cog * groups, *full), dtype=np.result_type(x, w))
    for g in range(groups):
        for taps in np.ndindex(*k):
            where = tuple(slice(t * dd, t * dd + (n - 1) * ss + 1, ss)
                          for t, dd, n, ss in zip(taps, d, x.shape[2:], s))  # fmt: skip
            xs = x[:, g * cig : (g + 1) * cig]
            wt = w[(slice(g * cig, (g + 1) * cig), slice(None), *taps)]
            y[(slice(None), slice(g * cog, (g + 1) * cog), *where)] += np.einsum(
                "ni...,io->no...", xs, wt
            )
    return y


def _conv_transpose(x, w, b, stride, padding, output_padding, dilation, groups, nd):
    p, op = _tup(padding, nd), _tup(output_padding, nd)
    y = _full_transpose(x, w, stride, dilation, groups, nd, op)
    size = [f - 2 * q for f, q in zip(y.shape[2:], p)]
    y = y[(Ellipsis, *[slice(q, q + n) for q, n in zip(p, size)])]
    if b is not None:
        y = y + b.reshape(1, -1, *[1] * nd)
    return y


def conv_matrix(w, input_size, stride=1, padding=0):
    k = len(w)
    out = (input_size + 2 * padding - k) // stride + 1
    matrix = np.zeros((out, input_size + 2 * padding))
    for row in range(out):
        matrix[row, row * stride : row * stride + k] = w
    return matrix


def conv1d(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    return _conv(x, w, b, stride, padding, dilation, groups, 1)


def conv2d(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    return _conv(x, w, b, stride, padding, dilation, groups, 2)


def conv_transpose1d(x, w, b=None, stride=1, padding=0, output_padding=0, dilation=1, groups=1):
    return _conv_transpose(x, w, b, stride, padding, output_padding, dilation, groups, 1)


def conv_transpose2d(x, w, b=None, stride=1, padding=0, output_padding=0, dilation=1, groups=1):
    return _conv_transpose(x, w, b, stride, padding, output_padding, dilation, groups, 2)


def conv2d_backward(dy, x, w, stride=1, padding=0, dilation=1, groups=1):
    s, p, d = (_tup(v, 2) for v in (stride, padding, dilation))
    k = w.shape[2:]
    # dx: the adjoint, a transposed convolution whose output_padding restores x's size.
    extra = [n + 2 * q - ((m - 1) * ss + dd * (kk - 1) + 1)
             for n, q, m, ss, dd, kk in zip(x.shape[2:], p, dy.shape[2:], s, d, k)]  # fmt: skip
    full = _full_transpose(dy, w, s, d, groups, 2, extra)
    dx = full[(Ellipsis, *[slice(q, q + n) for q, n in zip(p, x.shape[2:])])]
    xp = np.pad(x, [(0, 0), (0, 0), *[(q, q) for q in p]])
    cout, cig = w.shape[0], w.shape[1]
    cog = cout // groups
    dw = np.zeros_like(w)
    for g in range(groups):
        for taps in np.ndindex(*k):
            window = tuple(
                slice(t * dd, t * dd + (o - 1) * ss + 1, ss)
                for t, dd, o, ss in zip(taps, d, dy.shape[2:], s)
            )
            xs = xp[(slice(None), slice(g * cig, (g + 1) * cig), *window)]
            dw[(slice(g * cog, (g + 1) * cog), slice(None), *taps)] = np.einsum(
                "nohw,nihw->oi", dy[:, g * cog : (g + 1) * cog], xs
            )
    return dx, dw, dy.sum(axis=(0, 2, 3))


def conv_transpose2d_backward(
    dy, x, w, stride=1, padding=0, output_padding=0, dilation=1, groups=1
):
    s, p, d = (_tup(v, 2) for v in (stride, padding, dilation))
    k = w.shape[2:]
    # dx: a plain convolution of dy by the same weight (already a conv weight's layout).
    dx = _conv(dy, w, None, s, p, d, groups, 2)
    dx = dx[:, :, : x.shape[2], : x.shape[3]]
    cin, cog = w.shape[0], w.shape[1]
    cig = cin // groups
    dyp = np.pad(dy, [(0, 0), (0, 0), *[(q, q) for q in p]])
    dw = np.zeros_like(w)
    for g in range(groups):
        for taps in np.ndindex(*k):
            where = tuple(
                slice(t * dd, t * dd + (n - 1) * ss + 1, ss)
                for t, dd, n, ss in zip(taps, d, x.shape[2:], s)
            )
            part = dyp[(slice(None), slice(g * cog, (g + 1) * cog), *where)]
            dw[(slice(g * cig, (g + 1) * cig), slice(None), *taps)] = np.einsum(
                "nihw,nohw->io", x[:, g * cig : (g + 1) * cig], part
            )
    return dx, dw, dy.sum(axis=(0, 2, 3))


def overlap_map(kernel_size, stride, input_size):
    n = (input_size - 1) * stride + kernel_size
    counts = np.zeros((n, n), dtype=np.int64)
    for i in range(input_size):
        for j in range(input_size):
            counts[
                i * stride : i * stride + kernel_size, j * stride : j * stride + kernel_size
            ] += 1
    return counts
