"""Invalid arguments raise ValueError naming the argument, never return a wrong-shaped result;
where PyTorch has the same rule it rejects the same call. Also the output-size helpers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from convlab import kernels

rng = np.random.default_rng(0)
X2 = rng.standard_normal((2, 4, 5, 5))
W2 = rng.standard_normal((4, 2, 3, 3))  # conv: 4 out, 2 in/groups; transposed: 4 in, 2 out/groups
X1 = rng.standard_normal((2, 4, 5))
W1 = rng.standard_normal((4, 2, 3))

TORCH: dict[Callable[..., Any], Callable[..., torch.Tensor]] = {
    kernels.conv1d: F.conv1d,
    kernels.conv2d: F.conv2d,
    kernels.conv_transpose1d: F.conv_transpose1d,
    kernels.conv_transpose2d: F.conv_transpose2d,
}

# (function, x, w, keyword arguments, what the message must mention), all rejected by torch too.
SHARED_RULES: list[tuple[Any, np.ndarray, np.ndarray, dict[str, Any], str]] = [
    (kernels.conv_transpose2d, X2, W2, {"stride": 2, "output_padding": 2}, "output_padding"),
    (kernels.conv_transpose2d, X2, W2, {"output_padding": 1}, "output_padding"),
    (
        kernels.conv_transpose2d,
        X2,
        W2,
        {"stride": (2, 1), "output_padding": (1, 1)},
        "output_padding",
    ),
    (
        kernels.conv_transpose1d,
        X1,
        W1,
        {"stride": 3, "dilation": 2, "output_padding": 3},
        "output_padding",
    ),
    (kernels.conv_transpose2d, X2, W2, {"padding": 4}, "padding=4 is too large"),
    (kernels.conv_transpose1d, X1, W1, {"padding": 4}, "padding=4 is too large"),
    (kernels.conv2d, X2, W2, {"groups": 3}, "groups"),
    (kernels.conv2d, X2, W2, {}, "channels"),
    (kernels.conv_transpose2d, X2, W2, {"groups": 3}, "groups"),
    (kernels.conv2d, X2, rng.standard_normal((4, 4, 7, 7)), {}, "kernel_size"),
    (kernels.conv1d, X1, rng.standard_normal((4, 4, 4)), {"dilation": 2}, "kernel_size"),
    (kernels.conv2d, X2[:, :2], W2, {"stride": 0}, "stride must be positive"),
    (kernels.conv2d, X2[:, :2], W2, {"stride": -1}, "stride must be positive"),
    (kernels.conv2d, X2[:, :2], W2, {"padding": -1}, "padding must be non-negative"),
    (kernels.conv2d, X2[:, :2], W2, {"dilation": 0}, "dilation must be positive"),
    (kernels.conv2d, X2[:, :2], W2, {"groups": 0}, "groups must be positive"),
    (
        kernels.conv2d,
        X2[:, :2],
        W2,
        {"stride": (1, 1, 1)},
        "stride must be an int or a sequence of 2",
    ),
    (
        kernels.conv2d,
        X2[:, :2],
        W2,
        {"stride": 2, "padding": "same"},
        "padding='same' needs stride 1",
    ),
    (kernels.conv2d, X2[:, :2], W2, {"padding": "full"}, "padding must be"),
    (
        kernels.conv_transpose2d,
        X2,
        W2,
        {"output_padding": -1},
        "output_padding must be non-negative",
    ),
    (kernels.conv2d, X2[:, :2], W2, {"bias": 3}, "b must have shape"),
    (kernels.conv2d, X2[0, 0], W2, {}, "x must be 4-D"),
    (kernels.conv1d, X2, W1, {}, "x must be 3-D"),
    (kernels.conv2d, X2[:, :2], W2[0], {}, "w must be 4-D"),
    (kernels.conv2d, X2[:, :2, :0], W2, {}, "positive channel and spatial sizes"),
    (kernels.conv_transpose2d, X2[:, :3], W2, {}, "input channels"),
]


def _call(fn: Any, x: np.ndarray, w: np.ndarray, options: dict[str, Any], lib: str) -> Any:
    options = dict(options)
    bias = options.pop("bias", None)
    if lib == "torch":
        b = None if bias is None else torch.zeros(bias, dtype=torch.float64)
        return TORCH[fn](torch.from_numpy(x), torch.from_numpy(w), b, **options)
    return fn(x, w, None if bias is None else np.zeros(bias), **options)


@pytest.mark.parametrize(("fn", "x", "w", "options", "message"), SHARED_RULES)
def test_it_rejects_what_torch_rejects_with_a_value_error(
    fn: Any, x: np.ndarray, w: np.ndarray, options: dict[str, Any], message: str
) -> None:
    with pytest.raises(RuntimeError):
        _call(fn, x, w, options, "torch")
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        _call(fn, x, w, options, "ours")


def test_it_accepts_output_padding_below_the_dilation() -> None:
    # PyTorch's rule is "smaller than either stride or dilation": s=1, d=3, op=2 is valid.
    out = kernels.conv_transpose2d(X2, W2, stride=1, dilation=3, output_padding=2)
    ref = F.conv_transpose2d(
        torch.from_numpy(X2), torch.from_numpy(W2), stride=1, dilation=3, output_padding=2
    )
    assert out.shape == tuple(ref.shape) == (2, 2, 13, 13)
    assert np.allclose(out, ref.numpy(), rtol=1e-12, atol=1e-12)


def test_it_crops_further_when_padding_exceeds_the_kernel_reach() -> None:
    out = kernels.conv_transpose2d(X2, W2, padding=3)
    assert out.shape == (2, 2, 1, 1)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"stride": 1.5}, "stride must be an int"),
        ({"stride": True}, "stride must be an int"),
        ({"padding": (1, "1")}, "padding must be an int"),
        ({"groups": 2.0}, "groups must be an int"),
    ],
)
def test_it_rejects_non_integer_options(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        kernels.conv2d(X2[:, :2], W2, **options)


def test_it_rejects_integer_arrays() -> None:
    with pytest.raises(ValueError, match="x must hold real floating-point numbers"):
        kernels.conv2d(np.ones((1, 2, 5, 5), dtype=np.int64), W2)
    with pytest.raises(ValueError, match="w must hold real floating-point numbers"):
        kernels.conv_matrix(np.ones(3, dtype=np.int32), 4)


@pytest.mark.parametrize(
    ("backward", "x", "w", "options"),
    [
        (kernels.conv2d_backward, X2[:, :2], W2, {}),
        (kernels.conv1d_backward, X1[:, :2], W1, {"stride": 2}),
        (kernels.conv_transpose2d_backward, X2, W2, {"stride": 2, "output_padding": 1}),
        (kernels.conv_transpose1d_backward, X1, W1, {"padding": 1}),
    ],
)
def test_it_rejects_a_gradient_of_the_wrong_shape(
    backward: Any, x: np.ndarray, w: np.ndarray, options: dict[str, Any]
) -> None:
    forwards: dict[Callable[..., Any], Callable[..., Any]] = {
        kernels.conv2d_backward: kernels.conv2d,
        kernels.conv1d_backward: kernels.conv1d,
        kernels.conv_transpose2d_backward: kernels.conv_transpose2d,
        kernels.conv_transpose1d_backward: kernels.conv_transpose1d,
    }
    forward = forwards[backward]
    shape = forward(x, w, **options).shape
    assert backward(np.ones(shape), x, w, **options).dx.shape == x.shape
    too_long = (*shape[:-1], shape[-1] + 1)
    with pytest.raises(ValueError, match=r"dy must have the shape of the forward output"):
        backward(np.ones(too_long), x, w, **options)
    with pytest.raises(ValueError, match="dy must have the shape"):
        backward(np.ones(shape[1:]), x, w, **options)


def test_it_validates_conv_matrix_arguments() -> None:
    with pytest.raises(ValueError, match="w must be a 1-D"):
        kernels.conv_matrix(np.ones((1, 3, 3)), 4)
    with pytest.raises(ValueError, match="input_size must be positive"):
        kernels.conv_matrix(np.ones(3), 0)
    with pytest.raises(ValueError, match="kernel_size"):
        kernels.conv_matrix(np.ones(5), 3)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((4, 3, 1, 1), 4),
        ((4, 3, 2, 1), 2),
        ((5, 3, 2, 0), 2),
        ((7, 3, 1, 0, 3), 1),
        ((10, 4, 3, 2, 2), 3),
    ],
)
def test_it_computes_conv_output_sizes(args: tuple[int, ...], expected: int) -> None:
    assert kernels.conv_output_size(*args) == expected


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((2, 3, 2, 1, 1), 4),
        ((4, 4, 2, 1, 0), 8),
        ((5, 3, 1, 3, 0), 1),
        ((3, 3, 1, 0, 2, 3), 11),
    ],
)
def test_it_computes_conv_transpose_output_sizes(args: tuple[int, ...], expected: int) -> None:
    assert kernels.conv_transpose_output_size(*args) == expected


@pytest.mark.parametrize(
    ("fn", "args", "message"),
    [
        (kernels.conv_output_size, (0, 3), "input_size must be positive"),
        (kernels.conv_output_size, (4, 0), "kernel_size must be positive"),
        (kernels.conv_output_size, (4, 3, 0), "stride must be positive"),
        (kernels.conv_output_size, (2, 5), "kernel_size=5"),
        (kernels.conv_transpose_output_size, (5, 3, 1, 4), "padding=4 is too large"),
        (kernels.conv_transpose_output_size, (5, 3, 2, 1, 2), "output_padding=2 must be smaller"),
        (kernels.conv_transpose_output_size, (5, 3, 1, 0, 0, -1), "dilation must be positive"),
    ],
)
def test_it_rejects_impossible_sizes(fn: Any, args: tuple[int, ...], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        fn(*args)
