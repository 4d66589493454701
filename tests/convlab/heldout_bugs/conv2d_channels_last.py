# ruff: noqa: RUF005 - written as students write code
# expected: axes permuted
# the bug: returns (N, H, W, C)
"""Homework: transposed convolutions (numpy only)."""

import itertools

import numpy as np


def _as_tuple(value, n):
    if isinstance(value, (tuple, list)):
        return tuple(int(v) for v in value)
    return (int(value),) * n


def conv_matrix(w, input_size, stride=1, padding=0):
    w = np.asarray(w, dtype=float)
    k = w.shape[0]
    cols = input_size + 2 * padding
    rows = (cols - k) // stride + 1
    X = np.zeros((rows, cols))
    for r in range(rows):
        for j in range(k):
            X[r, r * stride + j] = w[j]
    return X


def _forward(x, w, b, stride, padding, dilation, groups, nd):
    s = _as_tuple(stride, nd)
    p = _as_tuple(padding, nd)
    d = _as_tuple(dilation, nd)
    n_batch, c_in = x.shape[:2]
    c_out = w.shape[0]
    ks = w.shape[2:]
    xp = np.pad(x, [(0, 0), (0, 0)] + [(q, q) for q in p])
    out = [(xp.shape[2 + i] - d[i] * (ks[i] - 1) - 1) // s[i] + 1 for i in range(nd)]
    cin_g = c_in // groups
    cout_g = c_out // groups
    y = np.zeros((n_batch, c_out) + tuple(out))
    for g in range(groups):
        xg = xp[:, g * cin_g : (g + 1) * cin_g]
        wg = w[g * cout_g : (g + 1) * cout_g]
        for tap in itertools.product(*[range(k) for k in ks]):
            idx = tuple(
                slice(tap[i] * d[i], tap[i] * d[i] + s[i] * (out[i] - 1) + 1, s[i])
                for i in range(nd)
            )
            patch = xg[(slice(None), slice(None)) + idx]
            kern = wg[(slice(None), slice(None)) + tap]
            y[:, g * cout_g : (g + 1) * cout_g] += np.moveaxis(
                np.tensordot(patch, kern, axes=([1], [1])), -1, 1
            )
    if b is not None:
        y = y + np.asarray(b).reshape((1, -1) + (1,) * nd)
    return y


def _transposed(x, w, b, stride, padding, output_padding, dilation, groups, nd):
    s = _as_tuple(stride, nd)
    p = _as_tuple(padding, nd)
    op = _as_tuple(output_padding, nd)
    d = _as_tuple(dilation, nd)
    n_batch, c_in = x.shape[:2]
    cout_g = w.shape[1]
    cin_g = c_in // groups
    ks = w.shape[2:]
    ins = x.shape[2:]
    full = [(ins[i] - 1) * s[i] + d[i] * (ks[i] - 1) + 1 + op[i] for i in range(nd)]
    big = np.zeros((n_batch, cout_g * groups) + tuple(full))
    for g in range(groups):
        xg = x[:, g * cin_g : (g + 1) * cin_g]
        wg = w[g * cin_g : (g + 1) * cin_g]
        for tap in itertools.product(*[range(k) for k in ks]):
            kern = wg[(slice(None), slice(None)) + tap]
            idx = tuple(
                slice(tap[i] * d[i], tap[i] * d[i] + (ins[i] - 1) * s[i] + 1, s[i])
                for i in range(nd)
            )
            contrib = np.moveaxis(np.tensordot(xg, kern, axes=([1], [0])), -1, 1)
            big[(slice(None), slice(g * cout_g, (g + 1) * cout_g)) + idx] += contrib
    crop = tuple(slice(p[i], full[i] - p[i]) for i in range(nd))
    y = big[(slice(None), slice(None)) + crop]
    if b is not None:
        y = y + np.asarray(b).reshape((1, -1) + (1,) * nd)
    return y


def conv1d(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    return _forward(x, w, b, stride, padding, dilation, groups, 1)


def conv2d(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    y = _forward(x, w, b, stride, padding, dilation, groups, 2)
    return np.ascontiguousarray(y.transpose(0, 2, 3, 1))


def conv_transpose1d(x, w, b=None, stride=1, padding=0, output_padding=0, dilation=1, groups=1):
    return _transposed(x, w, b, stride, padding, output_padding, dilation, groups, 1)


def conv_transpose2d(x, w, b=None, stride=1, padding=0, output_padding=0, dilation=1, groups=1):
    return _transposed(x, w, b, stride, padding, output_padding, dilation, groups, 2)


def conv2d_backward(dy, x, w, stride=1, padding=0, dilation=1, groups=1):
    s = _as_tuple(stride, 2)
    p = _as_tuple(padding, 2)
    d = _as_tuple(dilation, 2)
    xp = np.pad(x, [(0, 0), (0, 0), (p[0], p[0]), (p[1], p[1])])
    dxp = np.zeros_like(xp)
    dw = np.zeros_like(w)
    oh, ow = dy.shape[2:]
    cin_g = x.shape[1] // groups
    cout_g = w.shape[0] // groups
    for g in range(groups):
        gi = slice(g * cin_g, (g + 1) * cin_g)
        go = slice(g * cout_g, (g + 1) * cout_g)
        for i in range(w.shape[2]):
            for j in range(w.shape[3]):
                rows = slice(i * d[0], i * d[0] + s[0] * (oh - 1) + 1, s[0])
                cols = slice(j * d[1], j * d[1] + s[1] * (ow - 1) + 1, s[1])
                patch = xp[:, gi, rows, cols]
                dw[go, :, i, j] += np.einsum("nohw,nihw->oi", dy[:, go], patch)
                tap = w[go, :, i, j]
                dxp[:, gi, rows, cols] += np.einsum("nohw,oi->nihw", dy[:, go], tap)
    dx = dxp[:, :, p[0] : p[0] + x.shape[2], p[1] : p[1] + x.shape[3]]
    db = dy.sum(axis=(0, 2, 3))
    return dx, dw, db


def conv_transpose2d_backward(
    dy, x, w, stride=1, padding=0, output_padding=0, dilation=1, groups=1
):
    s = _as_tuple(stride, 2)
    p = _as_tuple(padding, 2)
    d = _as_tuple(dilation, 2)
    dx = _forward(dy, w, None, s, p, d, groups, 2)
    dx = dx[:, :, : x.shape[2], : x.shape[3]]
    dyp = np.pad(dy, [(0, 0), (0, 0), (p[0], p[0]), (p[1], p[1])])
    dw = np.zeros_like(w)
    cin_g = x.shape[1] // groups
    cout_g = w.shape[1]
    h, wd = x.shape[2:]
    for g in range(groups):
        gi = slice(g * cin_g, (g + 1) * cin_g)
        go = slice(g * cout_g, (g + 1) * cout_g)
        for i in range(w.shape[2]):
            for j in range(w.shape[3]):
                rows = slice(i * d[0], i * d[0] + (h - 1) * s[0] + 1, s[0])
                cols = slice(j * d[1], j * d[1] + (wd - 1) * s[1] + 1, s[1])
                dw[gi, :, i, j] += np.einsum("nihw,nohw->io", x[:, gi], dyp[:, go, rows, cols])
    return dx, dw, dy.sum(axis=(0, 2, 3))


def overlap_map(kernel_size, stride, input_size):
    n = (input_size - 1) * stride + kernel_size
    line = np.zeros(n, dtype=np.int64)
    for i in range(input_size):
        line[i * stride : i * stride + kernel_size] += 1
    return np.outer(line, line)
