"""Property tests on random shapes and options (hypothesis).

- Adjoint identity: conv_transpose with weight w is the adjoint of conv with the same w and
  options, <conv_transpose(x), y> = <x, conv(y)>, the conv output cropped to x's size (it is
  longer exactly when output_padding >= stride, which dilation allows).
- Finite differences: every gradient of every backward function against central differences
  of ``sum(f(x, w, b) * r)`` along random directions.
- The same random problems against torch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from convlab import kernels
from tests.convlab.kernels.oracle import OURS, Problem, check_against_torch

PROPERTY = settings(max_examples=150, deadline=None)


@dataclass(frozen=True)
class Geometry:
    """A valid transposed convolution: x (N, A, *size) -> (N, B*groups, *out), w (A, B, *k)."""

    ndim: int
    batch: int
    groups: int
    a: int
    b: int
    size: tuple[int, ...]
    kernel: tuple[int, ...]
    stride: tuple[int, ...]
    padding: tuple[int, ...]
    output_padding: tuple[int, ...]
    dilation: tuple[int, ...]
    seed: int

    def transposed_options(self) -> dict[str, Any]:
        return {
            "stride": self.stride,
            "padding": self.padding,
            "output_padding": self.output_padding,
            "dilation": self.dilation,
            "groups": self.groups,
        }

    def conv_options(self) -> dict[str, Any]:
        options = self.transposed_options()
        del options["output_padding"]
        return options


@st.composite
def geometries(draw: st.DrawFn) -> Geometry:
    ndim = draw(st.sampled_from((1, 2)))
    groups = draw(st.integers(1, 3))
    dims = []
    for _ in range(ndim):
        k = draw(st.integers(1, 4))
        s = draw(st.integers(1, 3))
        d = draw(st.integers(1, 3))
        op = draw(st.integers(0, max(s, d) - 1))
        n = draw(st.integers(1, 6))
        full = (n - 1) * s + d * (k - 1) + op + 1
        p = draw(st.integers(0, (full - 1) // 2))  # any padding that leaves an output
        dims.append((n, k, s, p, op, d))
    size, kernel, stride, padding, output_padding, dilation = (
        tuple(v) for v in zip(*dims, strict=True)
    )
    return Geometry(
        ndim,
        draw(st.integers(1, 2)),
        groups,
        groups * draw(st.integers(1, 2)),
        draw(st.integers(1, 2)),
        size,
        kernel,
        stride,
        padding,
        output_padding,
        dilation,
        draw(st.integers(0, 2**32 - 1)),
    )


def _forward(op: str, ndim: int) -> Any:
    return OURS[(op, ndim)][0]


@PROPERTY
@given(geometries())
def test_it_makes_conv_transpose_the_adjoint_of_conv(g: Geometry) -> None:
    rng = np.random.default_rng(g.seed)
    x = rng.standard_normal((g.batch, g.a, *g.size))
    w = rng.standard_normal((g.a, g.b, *g.kernel))
    up = _forward("conv_transpose", g.ndim)(x, w, **g.transposed_options())
    y = rng.standard_normal(up.shape)
    down = _forward("conv", g.ndim)(y, w, **g.conv_options())
    assert all(m >= n for m, n in zip(down.shape[2:], g.size, strict=True))
    crop = (..., *(slice(0, n) for n in g.size))
    lhs = float(np.sum(up * y))
    rhs = float(np.sum(x * down[crop]))
    scale = float(np.sum(np.abs(up * y))) + 1.0
    assert abs(lhs - rhs) <= 1e-10 * scale


def _directional(f: Any, point: np.ndarray, direction: np.ndarray, eps: float = 1e-3) -> float:
    return float((f(point + eps * direction) - f(point - eps * direction)) / (2 * eps))


@PROPERTY
@given(geometries(), st.sampled_from(("conv", "conv_transpose")))
def test_it_gives_gradients_that_match_finite_differences(g: Geometry, op: str) -> None:
    rng = np.random.default_rng(g.seed)
    forward, backward = OURS[(op, g.ndim)]
    # The same weight shape serves both: conv maps B*groups channels to A, transposed A to B*g.
    if op == "conv":
        options = g.conv_options()
        w = rng.standard_normal((g.a, g.b, *g.kernel))
        x_shape = (g.batch, g.b * g.groups, *_conv_input_size(g))
    else:
        options = g.transposed_options()
        w = rng.standard_normal((g.a, g.b, *g.kernel))
        x_shape = (g.batch, g.a, *g.size)
    x = rng.standard_normal(x_shape)
    out = forward(x, w, None, **options)
    b = rng.standard_normal(out.shape[1])
    r = rng.standard_normal(out.shape)
    grads = backward(r, x, w, **options)

    def loss(xx: np.ndarray, ww: np.ndarray, bb: np.ndarray) -> float:
        return float(np.sum(forward(xx, ww, bb, **options) * r))

    for name, point, grad, f in (
        ("dx", x, grads.dx, lambda v: loss(v, w, b)),
        ("dw", w, grads.dw, lambda v: loss(x, v, b)),
        ("db", b, grads.db, lambda v: loss(x, w, v)),
    ):
        direction = rng.standard_normal(point.shape)
        numeric = _directional(f, point, direction)
        analytic = float(np.sum(grad * direction))
        scale = float(np.sum(np.abs(grad * direction))) + 1.0
        assert abs(numeric - analytic) <= 1e-7 * scale, f"{op} {name}: {numeric} vs {analytic}"


def _conv_input_size(g: Geometry) -> tuple[int, ...]:
    # The transposed output size: a valid conv input for the same options.
    return tuple(
        kernels.conv_transpose_output_size(n, k, s, p, op, d)
        for n, k, s, p, op, d in zip(
            g.size, g.kernel, g.stride, g.padding, g.output_padding, g.dilation, strict=True
        )
    )


@settings(max_examples=80, deadline=None)
@given(geometries(), st.sampled_from(("conv", "conv_transpose")), st.booleans())
def test_it_agrees_with_torch_on_random_problems(g: Geometry, op: str, bias: bool) -> None:
    rng = np.random.default_rng(g.seed)
    w = rng.standard_normal((g.a, g.b, *g.kernel))
    if op == "conv":
        x = rng.standard_normal((g.batch, g.b * g.groups, *_conv_input_size(g)))
        options, c_out = g.conv_options(), g.a
    else:
        x = rng.standard_normal((g.batch, g.a, *g.size))
        options, c_out = g.transposed_options(), g.b * g.groups
    b = rng.standard_normal(c_out) if bias else None
    check_against_torch(Problem(op, g.ndim, x, w, b, options), rng)
