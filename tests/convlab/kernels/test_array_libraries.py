"""The same kernels on other array libraries through the array API: torch tensors on the CPU
always, and CuPy or CUDA torch arrays when a GPU is present (skipped with a reason otherwise).
Results stay in the caller's library, dtype and device, and equal the numpy results.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest
import torch

from convlab import kernels
from tests.convlab.kernels.oracle import assert_close


@dataclass(frozen=True)
class Case:
    forward: Callable[..., Any]
    backward: Callable[..., Any]
    x_shape: tuple[int, ...]
    w_shape: tuple[int, ...]
    c_out: int
    options: dict[str, Any] = field(default_factory=dict)


CASES = {
    "conv2d": Case(
        kernels.conv2d,
        kernels.conv2d_backward,
        (2, 4, 7, 6),
        (6, 2, 3, 2),
        6,
        {"stride": 2, "padding": 1, "groups": 2},
    ),
    "conv_transpose2d": Case(
        kernels.conv_transpose2d,
        kernels.conv_transpose2d_backward,
        (2, 4, 5, 6),
        (4, 3, 3, 3),
        3,
        {"stride": 2, "padding": 1, "output_padding": 1, "dilation": (1, 2)},
    ),
    "conv1d-unbatched": Case(
        kernels.conv1d,
        kernels.conv1d_backward,
        (3, 7),
        (2, 3, 3),
        2,
        {"dilation": 2, "padding": "same"},
    ),
    "conv_transpose1d-depthwise": Case(
        kernels.conv_transpose1d,
        kernels.conv_transpose1d_backward,
        (2, 4, 9),
        (4, 1, 4),
        4,
        {"stride": 3, "groups": 4, "output_padding": 2},
    ),
}


def _check_library(
    case: Case,
    dtype: str,
    to_lib: Callable[[np.ndarray], Any],
    to_numpy: Callable[[Any], np.ndarray],
    belongs: Callable[[Any], bool],
) -> None:
    rng = np.random.default_rng(7)
    x = rng.standard_normal(case.x_shape).astype(dtype)
    w = rng.standard_normal(case.w_shape).astype(dtype)
    b = rng.standard_normal(case.c_out).astype(dtype)
    out = case.forward(x, w, b, **case.options)
    dy = rng.standard_normal(out.shape).astype(dtype)
    grads = case.backward(dy, x, w, **case.options)

    lib_out = case.forward(to_lib(x), to_lib(w), to_lib(b), **case.options)
    lib_grads = case.backward(to_lib(dy), to_lib(x), to_lib(w), **case.options)
    for name, ours, theirs in zip(
        ("out", "dx", "dw", "db"), (out, *grads), (lib_out, *lib_grads), strict=True
    ):
        assert belongs(theirs), f"{name} left the caller's library or device"
        assert_close(to_numpy(theirs), ours, dtype, name)
        assert to_numpy(theirs).dtype == np.dtype(dtype)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", CASES)
def test_it_accepts_torch_tensors_on_the_cpu(name: str, dtype: str) -> None:
    _check_library(
        CASES[name],
        dtype,
        torch.from_numpy,
        lambda t: t.numpy(),
        lambda t: isinstance(t, torch.Tensor) and t.device.type == "cpu",
    )


def test_it_builds_conv_matrix_from_a_torch_kernel() -> None:
    w = torch.tensor([2.0, 3.0, 5.0], dtype=torch.float64)
    X = kernels.conv_matrix(w, 4, stride=2, padding=1)
    assert isinstance(X, torch.Tensor)
    assert X.tolist() == [[2, 3, 5, 0, 0, 0], [0, 0, 2, 3, 5, 0]]


def _cupy_gpu() -> bool:
    if importlib.util.find_spec("cupy") is None:
        return False
    import cupy  # optional: only GPU workers have it

    try:
        return bool(cupy.cuda.runtime.getDeviceCount() > 0)
    except cupy.cuda.runtime.CUDARuntimeError:
        return False


HAS_CUPY_GPU = _cupy_gpu()
HAS_TORCH_CUDA = torch.cuda.is_available()


def _cupy_backend() -> tuple[Any, Any, Any]:
    import cupy

    return cupy.asarray, cupy.asnumpy, lambda a: isinstance(a, cupy.ndarray)


def _torch_cuda_backend() -> tuple[Any, Any, Any]:
    return (
        lambda a: torch.from_numpy(a).cuda(),
        lambda t: t.cpu().numpy(),
        lambda t: isinstance(t, torch.Tensor) and t.device.type == "cuda",
    )


GPU_BACKENDS = [
    pytest.param(
        _cupy_backend,
        id="cupy",
        marks=pytest.mark.skipif(
            not HAS_CUPY_GPU, reason="no GPU for CuPy: cupy is not installed or sees no CUDA device"
        ),
    ),
    pytest.param(
        _torch_cuda_backend,
        id="torch-cuda",
        marks=pytest.mark.skipif(
            not HAS_TORCH_CUDA, reason="no GPU for torch: torch.cuda.is_available() is False"
        ),
    ),
]


@pytest.mark.gpu
@pytest.mark.parametrize("backend", GPU_BACKENDS)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", CASES)
def test_it_runs_on_the_gpu(
    backend: Callable[[], tuple[Any, Any, Any]], name: str, dtype: str
) -> None:
    to_lib, to_numpy, belongs = backend()
    _check_library(CASES[name], dtype, to_lib, to_numpy, belongs)
