"""The lecture's examples reproduced: the conv matrices of the slides, their transposes, the
output sizes of the 2-D examples, the crop that makes the output exactly twice the input, and
CS231n's 2017 conv_forward_naive check.

The slides' symbols are kept: kernel (x, y, z), input (a, b, c, d); they get distinct values so
every product and sum is checked numerically.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from convlab import kernels

x, y, z = 2.0, 3.0, 5.0
a, b, c, d = 7.0, 11.0, 13.0, 17.0
KERNEL = np.array([x, y, z])
SYMBOLS = {"x": x, "y": y, "z": z, "0": 0.0}


def matrix(*rows: str) -> np.ndarray:
    """A matrix written as on the slides, one string of space-separated symbols per row."""
    return np.array([[SYMBOLS[s] for s in row.split()] for row in rows])


def test_it_builds_the_stride_1_matrix_of_the_slides() -> None:
    X = kernels.conv_matrix(KERNEL, 4, stride=1, padding=1)
    assert np.array_equal(
        X,
        matrix(
            "x y z 0 0 0",
            "0 x y z 0 0",
            "0 0 x y z 0",
            "0 0 0 x y z",
        ),
    )
    padded = np.array([0, a, b, c, d, 0])
    expected = [a * y + b * z, a * x + b * y + c * z, b * x + c * y + d * z, c * x + d * y]
    assert np.allclose(X @ padded, expected, rtol=1e-15)
    conv = kernels.conv1d(np.array([[[a, b, c, d]]]), KERNEL[None, None], padding=1)
    assert np.allclose(conv[0, 0], expected, rtol=1e-15)


def test_it_makes_the_stride_1_transpose_a_convolution_with_other_padding() -> None:
    X = kernels.conv_matrix(KERNEL, 4, stride=1, padding=1)
    assert np.array_equal(
        X.T,
        matrix(
            "x 0 0 0",
            "y x 0 0",
            "z y x 0",
            "0 z y x",
            "0 0 z y",
            "0 0 0 z",
        ),
    )
    inputs = np.array([a, b, c, d])
    expected = [
        a * x,
        a * y + b * x,
        a * z + b * y + c * x,
        b * z + c * y + d * x,
        c * z + d * y,
        d * z,
    ]
    assert np.allclose(X.T @ inputs, expected, rtol=1e-15)
    transposed = kernels.conv_transpose1d(inputs[None, None], KERNEL[None, None])
    as_conv = kernels.conv1d(inputs[None, None], KERNEL[::-1][None, None], padding=2)
    assert np.allclose(transposed[0, 0], expected, rtol=1e-15)
    assert np.allclose(as_conv[0, 0], expected, rtol=1e-15)


def test_it_builds_the_stride_2_matrix_and_its_transpose() -> None:
    X = kernels.conv_matrix(KERNEL, 4, stride=2, padding=1)
    assert np.array_equal(X, matrix("x y z 0 0 0", "0 0 x y z 0"))
    assert np.allclose(X @ np.array([0, a, b, c, d, 0]), [a * y + b * z, b * x + c * y + d * z])
    assert np.array_equal(X.T, matrix("x 0", "y 0", "z x", "0 y", "0 z", "0 0"))
    # The slide prints seven entries ("ax, ay, ay, ..."): a typo, X^T has six rows.
    expected = [a * x, a * y, a * z + b * x, b * y, b * z, 0.0]
    assert np.allclose(X.T @ np.array([a, b]), expected, rtol=1e-15)
    # The transposed convolution is that product cropped by the padding (and output_padding
    # keeps the last real entry): 2 inputs, 4 outputs.
    up = kernels.conv_transpose1d(
        np.array([[[a, b]]]), KERNEL[None, None], stride=2, padding=1, output_padding=1
    )
    assert np.allclose(up[0, 0], expected[1:5], rtol=1e-15)


def test_it_crops_one_pixel_to_make_the_output_exactly_twice_the_input() -> None:
    inputs = np.array([[[a, b]]])
    full = kernels.conv_transpose1d(inputs, KERNEL[None, None], stride=2)
    assert np.allclose(full[0, 0], [a * x, a * y, a * z + b * x, b * y, b * z], rtol=1e-15)
    cropped = kernels.conv_transpose1d(
        inputs, KERNEL[None, None], stride=2, padding=1, output_padding=1
    )
    assert cropped.shape[-1] == 2 * inputs.shape[-1]
    assert np.array_equal(cropped[0, 0], full[0, 0, 1:])
    for n in range(1, 9):
        assert kernels.conv_transpose_output_size(n, 3, stride=2) == 2 * n + 1
        assert kernels.conv_transpose_output_size(n, 3, 2, padding=1, output_padding=1) == 2 * n


def test_it_gives_the_output_sizes_of_the_2d_examples() -> None:
    rng = np.random.default_rng(3)
    image = rng.standard_normal((1, 1, 4, 4))
    w = rng.standard_normal((1, 1, 3, 3))
    assert kernels.conv2d(image, w, stride=1, padding=1).shape == (1, 1, 4, 4)
    assert kernels.conv2d(image, w, stride=2, padding=1).shape == (1, 1, 2, 2)
    small = rng.standard_normal((1, 1, 2, 2))
    up = kernels.conv_transpose2d(small, w, stride=2, padding=1, output_padding=1)
    assert up.shape == (1, 1, 4, 4)


@pytest.mark.parametrize("stride", [1, 2])
def test_it_builds_the_2d_matrix_of_the_4x4_examples(stride: int) -> None:
    rng = np.random.default_rng(stride)
    image = rng.standard_normal((4, 4))
    w = rng.standard_normal((3, 3))
    out = 4 // stride
    X = kernels.conv_matrix(w, (4, 4), stride=stride, padding=1)
    assert X.shape == (out * out, 36)
    conv = kernels.conv2d(image[None, None], w[None, None], stride=stride, padding=1)
    assert np.allclose(X @ np.pad(image, 1).ravel(), conv.ravel(), rtol=1e-13)
    # Each row holds the kernel once, at the window's place in the padded image.
    first = X[1].reshape(6, 6)
    assert np.array_equal(first[0:3, stride : stride + 3], w)
    assert np.count_nonzero(first) == 9
    # The transposed convolution is X^T, cropped by the padding.
    grid = rng.standard_normal((out, out))
    full = (X.T @ grid.ravel()).reshape(6, 6)
    up = kernels.conv_transpose2d(
        grid[None, None], w[None, None], stride=stride, padding=1, output_padding=stride - 1
    )
    assert np.allclose(up[0, 0], full[1:5, 1:5], rtol=1e-13)


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from((1, 2)),
    st.integers(1, 4),
    st.integers(1, 3),
    st.integers(0, 3),
    st.integers(1, 3),
    st.integers(0, 2**32 - 1),
)
def test_it_makes_the_matrix_agree_with_conv_and_conv_transpose(
    ndim: int, k: int, stride: int, padding: int, dilation: int, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    size = (dilation * (k - 1) + 1 + rng.integers(0, 5, ndim)).tolist()
    w = rng.standard_normal((k,) * ndim)
    image = rng.standard_normal(size)
    conv = kernels.conv1d if ndim == 1 else kernels.conv2d
    transpose = kernels.conv_transpose1d if ndim == 1 else kernels.conv_transpose2d
    y = conv(image[None, None], w[None, None], stride=stride, padding=padding, dilation=dilation)
    X = kernels.conv_matrix(w, size, stride, padding, dilation)
    assert np.allclose(X @ np.pad(image, padding).ravel(), y.ravel(), rtol=1e-12, atol=1e-12)
    inner = kernels.conv_matrix(w, size, stride, padding, dilation, padded=False)
    assert np.allclose(inner @ image.ravel(), y.ravel(), rtol=1e-12, atol=1e-12)
    # X^T is the transposed convolution with the output_padding that restores the input size;
    # it is the conv's leftover (size + 2p - span) mod stride, so always below the stride.
    output_padding = [
        n - ((m - 1) * stride - 2 * padding + dilation * (k - 1) + 1)
        for n, m in zip(size, y.shape[2:], strict=True)
    ]
    assert all(0 <= op < stride for op in output_padding)
    up = transpose(y, w[None, None], None, stride, padding, output_padding, dilation)
    assert np.allclose(inner.T @ y.ravel(), up.ravel(), rtol=1e-12, atol=1e-12)


def test_it_reproduces_the_cs231n_conv_forward_naive_check() -> None:
    x_shape, w_shape = (2, 3, 4, 4), (3, 3, 4, 4)
    xs = np.linspace(-0.1, 0.5, num=int(np.prod(x_shape))).reshape(x_shape)
    ws = np.linspace(-0.2, 0.3, num=int(np.prod(w_shape))).reshape(w_shape)
    bs = np.linspace(-0.1, 0.2, num=3)
    out = kernels.conv2d(xs, ws, bs, stride=2, padding=1)
    assert out.shape == (2, 3, 2, 2)
    expected = np.array([[-0.08759809, -0.10987781], [-0.18387192, -0.2109216]])
    assert np.allclose(out[0, 0], expected, rtol=1e-7, atol=0)
