"""CS231n assignment 2: the naive convolution layer, forward and backward.

Students hand in one file defining conv_forward_naive(x, w, b, conv_param) -> (out, cache)
and conv_backward_naive(dout, cache) -> (dx, dw, db).
"""

from pathlib import Path

import numpy as np

from convlab.grading import Arg, Assignment, Call, Case, Check, Function, Result, Variant


def forward(x, w, b, conv_param):
    """The reference forward pass, vectorised: out of shape (N, F, H', W')."""
    stride, pad = conv_param["stride"], conv_param["pad"]
    padded = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    windows = np.lib.stride_tricks.sliding_window_view(padded, w.shape[2:], axis=(2, 3))
    windows = windows[:, :, ::stride, ::stride]  # (N, C, H', W', HH, WW)
    return np.einsum("nchwij,fcij->nfhw", windows, w) + b[None, :, None, None]


def forward_reference(x, w, b, conv_param, dout):
    return forward(x, w, b, conv_param)


def numeric_gradient(loss, value, h=1e-5):
    """d loss / d value by central differences, one element at a time."""
    grad = np.zeros_like(value)
    for index in np.ndindex(value.shape):
        old = value[index]
        value[index] = old + h
        plus = loss()
        value[index] = old - h
        minus = loss()
        value[index] = old
        grad[index] = (plus - minus) / (2 * h)
    return grad


def backward_reference(x, w, b, conv_param, dout):
    """(dx, dw, db) of sum(forward(x, w, b) * dout), numerically."""
    x, w, b = x.copy(), w.copy(), b.copy()

    def loss():
        return np.sum(forward(x, w, b, conv_param) * dout)

    return numeric_gradient(loss, x), numeric_gradient(loss, w), numeric_gradient(loss, b)


def looped_backward(x, w, conv_param, dout, *, overwrite=""):
    """The handout's loops (n, f, i, j), with `=` instead of `+=` for `overwrite` ("dx", "dw")."""
    stride, pad = conv_param["stride"], conv_param["pad"]
    padded = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    dpadded, dw = np.zeros_like(padded), np.zeros_like(w)
    height, width = w.shape[2:]
    for n, f, i, j in np.ndindex(dout.shape):
        rows = slice(i * stride, i * stride + height)
        cols = slice(j * stride, j * stride + width)
        grad = dout[n, f, i, j]
        if overwrite == "dx":
            dpadded[n, :, rows, cols] = w[f] * grad
        else:
            dpadded[n, :, rows, cols] += w[f] * grad
        if overwrite == "dw":
            dw[f] = padded[n, :, rows, cols] * grad
        else:
            dw[f] += padded[n, :, rows, cols] * grad
    dx = dpadded[:, :, pad : pad + x.shape[2], pad : pad + x.shape[3]]
    return dx, dw, dout.sum(axis=(0, 2, 3))


def draw_cases(shapes):
    """A case generator for (N, C, size, F, kernel, stride, pad) tuples."""

    def generate(rng):
        cases = []
        for n, c, size, f, kernel, stride, pad in shapes:
            x = rng.standard_normal((n, c, size, size))
            w = rng.standard_normal((f, c, kernel, kernel))
            b = rng.standard_normal(f)
            out = 1 + (size + 2 * pad - kernel) // stride
            dout = rng.standard_normal((n, f, out, out))
            conv_param = {"stride": stride, "pad": pad}
            label = f"x {x.shape}, w {w.shape}, stride={stride}, pad={pad}"
            cases.append(Case((x, w, b, conv_param, dout), {}, label))
        return cases

    return generate


SHAPES = [(2, 3, 5, 3, 3, 1, 1), (1, 2, 7, 2, 3, 2, 1), (2, 1, 4, 2, 2, 1, 0)]
HIDDEN_SHAPES = [(2, 3, 9, 4, 3, 2, 1), (1, 4, 6, 3, 1, 1, 0)]

FORWARD = (Call("conv_forward_naive", (Arg(0), Arg(1), Arg(2), Arg(3))),)
BACKWARD = (*FORWARD, Call("conv_backward_naive", (Arg(4), Result(0, 1))))

FLIPPED = Variant(
    "kernel flipped",
    "The layer is a cross-correlation: slide w as it is, do not flip it.",
    lambda case: forward(case.args[0], case.args[1][:, :, ::-1, ::-1], *case.args[2:4]),
)
DX_OVERWRITTEN = Variant(
    "dx overwritten instead of accumulated",
    "Windows overlap: each one adds its share to dx (+=), it does not replace it (=).",
    lambda case: looped_backward(*case.args[:2], *case.args[3:], overwrite="dx"),
)
DW_OVERWRITTEN = Variant(
    "dw overwritten instead of accumulated",
    "Every window contributes to dw[f]: add them up (+=) rather than keep the last (=).",
    lambda case: looped_backward(*case.args[:2], *case.args[3:], overwrite="dw"),
)

ASSIGNMENT = Assignment(
    slug="cs231n-conv",
    title="CS231n: the naive convolution layer",
    functions=(
        Function(
            "conv_forward_naive",
            "conv_forward_naive(x, w, b, conv_param)",
            "Returns (out, cache); conv_param holds 'stride' and 'pad'.",
        ),
        Function(
            "conv_backward_naive",
            "conv_backward_naive(dout, cache)",
            "Returns (dx, dw, db) given the upstream gradient and the forward's cache.",
        ),
    ),
    checks=(
        Check(
            "conv_forward_naive",
            "conv_forward_naive",
            10,
            draw_cases(SHAPES),
            forward_reference,
            seed=1,
            calls=FORWARD,
            returns=(Result(0, 0),),
            variants=(FLIPPED,),
        ),
        Check(
            "conv_backward_naive",
            "conv_backward_naive",
            10,
            draw_cases(SHAPES),
            backward_reference,
            seed=2,
            rtol=1e-5,
            atol=1e-7,
            calls=BACKWARD,
            output_names=("dx", "dw", "db"),
            variants=(DX_OVERWRITTEN, DW_OVERWRITTEN),
        ),
        Check(
            "conv_forward_naive: larger strides and 1x1 kernels",
            "conv_forward_naive",
            5,
            draw_cases(HIDDEN_SHAPES),
            forward_reference,
            seed=3,
            visibility="hidden",
            calls=FORWARD,
            returns=(Result(0, 0),),
        ),
    ),
    handout=(
        "# The naive convolution layer\n\n"
        "Implement `conv_forward_naive(x, w, b, conv_param)`, returning `(out, cache)`, and "
        "`conv_backward_naive(dout, cache)`, returning `(dx, dw, db)`, with plain loops.\n"
    ),
    packages=("numpy",),
    solution=(Path(__file__).parent / "solutions" / "cs231n_conv_reference.py").read_text(),
)
