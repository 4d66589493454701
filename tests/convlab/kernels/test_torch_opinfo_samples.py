"""PyTorch's own OpInfo sample inputs, reproduced as cases, batched and unbatched.

The shapes and options are copied from torch 2.13's
``torch/testing/_internal/common_methods_invocations.py``: ``sample_inputs_conv_transpose1d``,
``sample_inputs_conv_transpose2d``, ``sample_inputs_conv1d`` and ``sample_inputs_conv2d``
(that module cannot be imported without torch's test-only dependencies, hence the copy). Like
those generators, each case runs with and without its batch axis.
"""

from __future__ import annotations

import zlib
from typing import Any

import numpy as np
import pytest

from tests.convlab.kernels.oracle import Problem, check_against_torch

Shapes = tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...] | None, dict[str, Any]]

CONV_TRANSPOSE1D: tuple[Shapes, ...] = (
    (
        (1, 3, 4),
        (3, 3, 3),
        (3,),
        {"stride": (2,), "padding": 2, "output_padding": (1,), "groups": 1},
    ),
    (
        (2, 2, 4),
        (2, 2, 4),
        (4,),
        {"stride": (3,), "padding": (1,), "output_padding": (2,), "groups": 2, "dilation": (4,)},
    ),
    (
        (1, 1, 4),
        (1, 1, 4),
        (1,),
        {"stride": 2, "padding": 1, "output_padding": 1, "groups": 1, "dilation": (2,)},
    ),
    ((1, 1, 4), (1, 2, 3), None, {"stride": 2, "padding": 1, "output_padding": 1, "groups": 1}),
    ((1, 4, 5), (4, 8, 3), None, {}),
)

CONV_TRANSPOSE2D: tuple[Shapes, ...] = (
    (
        (1, 3, 4, 4),
        (3, 3, 3, 3),
        (3,),
        {"stride": (2, 2), "padding": 2, "output_padding": (1, 1), "groups": 1},
    ),
    (
        (2, 2, 4, 4),
        (2, 2, 4, 5),
        (4,),
        {
            "stride": (3, 2),
            "padding": (1, 2),
            "output_padding": (2, 3),
            "groups": 2,
            "dilation": (4, 4),
        },
    ),
    (
        (1, 1, 4, 5),
        (1, 1, 4, 3),
        (1,),
        {"stride": 2, "padding": 1, "output_padding": 1, "groups": 1, "dilation": (2, 3)},
    ),
    (
        (1, 1, 4, 3),
        (1, 2, 3, 4),
        None,
        {"stride": 2, "padding": 1, "output_padding": 1, "groups": 1},
    ),
    ((2, 4, 4, 4), (4, 1, 3, 3), None, {"groups": 4}),
    ((1, 2, 5, 5), (2, 4, 3, 3), None, {}),
)

CONV1D: tuple[Shapes, ...] = (
    ((1, 3, 4), (3, 3, 3), (3,), {"stride": (2,), "padding": 2, "groups": 1}),
    ((2, 4, 8), (2, 2, 3), (2,), {"stride": 3, "padding": 1, "groups": 2, "dilation": 2}),
    ((1, 4, 5), (1, 4, 3), None, {"stride": (2,), "padding": "valid"}),
    (
        (2, 2, 4),
        (2, 1, 4),
        (2,),
        {"stride": (1,), "padding": "same", "groups": 2, "dilation": (2,)},
    ),
    ((1, 4, 5), (3, 4, 3), None, {}),
)

CONV2D: tuple[Shapes, ...] = (
    ((1, 3, 4, 4), (3, 3, 3, 3), (3,), {"stride": (2, 2), "padding": 2, "groups": 1}),
    (
        (2, 4, 8, 8),
        (2, 2, 3, 3),
        (2,),
        {"stride": (3, 2), "padding": (2, 1), "groups": 2, "dilation": (4, 4)},
    ),
    (
        (1, 4, 5, 5),
        (1, 4, 2, 3),
        (1,),
        {"stride": 2, "padding": 1, "groups": 1, "dilation": (2, 3)},
    ),
    ((1, 2, 4, 3), (4, 2, 3, 4), None, {"stride": 2, "padding": 1, "groups": 1}),
    ((1, 4, 5, 5), (1, 4, 2, 3), (1,), {"stride": 2, "padding": "valid"}),
    ((1, 4, 5, 5), (1, 4, 2, 3), (1,), {"stride": 1, "padding": "same", "dilation": 3}),
    ((2, 4, 6, 6), (4, 1, 3, 3), (4,), {"groups": 4}),
    ((2, 4, 6, 6), (8, 1, 3, 3), (8,), {"groups": 4}),
    ((2, 4, 6, 6), (8, 1, 3, 3), None, {"groups": 4}),
    ((2, 4, 6, 6), (4, 1, 3, 3), (4,), {"groups": 4, "stride": (3, 2)}),
    ((2, 4, 6, 6), (4, 1, 3, 3), (4,), {"groups": 4, "padding": (1, 1)}),
    ((2, 4, 5, 5), (4, 1, 2, 2), (4,), {"groups": 4, "dilation": (2, 2)}),
    ((2, 4, 6, 5), (6, 2, 3, 2), (6,), {"groups": 2}),
    ((1, 4, 5, 5), (3, 4, 3, 3), None, {}),
)


def _params() -> list[Any]:
    params = []
    for op, ndim, table in (
        ("conv_transpose", 1, CONV_TRANSPOSE1D),
        ("conv_transpose", 2, CONV_TRANSPOSE2D),
        ("conv", 1, CONV1D),
        ("conv", 2, CONV2D),
    ):
        for i, shapes in enumerate(table):
            for batched in (True, False):
                for dtype in ("float64", "float32"):
                    tag = f"{op}{ndim}d-{i}-{'batched' if batched else 'unbatched'}-{dtype}"
                    params.append(pytest.param(op, ndim, shapes, batched, dtype, id=tag))
    return params


# torch notes that it copies the input for an asymmetric 'same' padding; irrelevant here.
@pytest.mark.filterwarnings("ignore:Using padding='same':UserWarning")
@pytest.mark.parametrize(("op", "ndim", "shapes", "batched", "dtype"), _params())
def test_it_matches_torch_on_its_own_samples(
    op: str, ndim: int, shapes: Shapes, batched: bool, dtype: str
) -> None:
    x_shape, w_shape, b_shape, options = shapes
    rng = np.random.default_rng(zlib.crc32(repr((op, ndim, shapes, batched)).encode()))
    # make_tensor's default range for floating types is [-9, 9).
    x = rng.uniform(-9, 9, x_shape if batched else x_shape[1:]).astype(dtype)
    w = rng.uniform(-9, 9, w_shape).astype(dtype)
    b = None if b_shape is None else rng.uniform(-9, 9, b_shape).astype(dtype)
    check_against_torch(Problem(op, ndim, x, w, b, options), rng)
