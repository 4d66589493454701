"""PyTorch as an independent oracle for convlab.kernels: forward values and autograd gradients.

torch is the CPU build pinned in requirements/dev.txt and is used here only; the kernels never
import it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from convlab import kernels

TOLERANCE = {"float64": 1e-10, "float32": 1e-4}

TORCH_FORWARD: dict[tuple[str, int], Callable[..., torch.Tensor]] = {
    ("conv", 1): F.conv1d,
    ("conv", 2): F.conv2d,
    ("conv_transpose", 1): F.conv_transpose1d,
    ("conv_transpose", 2): F.conv_transpose2d,
}
OURS: dict[tuple[str, int], tuple[Callable[..., Any], Callable[..., kernels.ConvGrads]]] = {
    ("conv", 1): (kernels.conv1d, kernels.conv1d_backward),
    ("conv", 2): (kernels.conv2d, kernels.conv2d_backward),
    ("conv_transpose", 1): (kernels.conv_transpose1d, kernels.conv_transpose1d_backward),
    ("conv_transpose", 2): (kernels.conv_transpose2d, kernels.conv_transpose2d_backward),
}


def rel_error(actual: Any, expected: Any) -> float:
    """max |actual - expected| / max |expected| (norm-wise, so cancellation near 0 is fair)."""
    a = np.asarray(actual, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    assert a.shape == e.shape, f"shape {a.shape} != expected {e.shape}"
    scale = np.abs(e).max() if e.size else 0.0
    diff = np.abs(a - e).max() if e.size else 0.0
    return float(diff / scale) if scale > 0 else float(diff)


def assert_close(actual: Any, expected: Any, dtype: str, what: str) -> None:
    err = rel_error(actual, expected)
    assert err <= TOLERANCE[dtype], f"{what}: relative error {err:.3e} > {TOLERANCE[dtype]}"


@dataclass(frozen=True)
class Problem:
    """One call: the op ("conv" or "conv_transpose"), its dimension, arrays and options."""

    op: str
    ndim: int
    x: np.ndarray
    w: np.ndarray
    b: np.ndarray | None
    options: dict[str, Any]  # the same keywords for torch.nn.functional and convlab.kernels


def torch_reference(problem: Problem, dy: np.ndarray | None = None) -> tuple[Any, ...]:
    """torch's output and, with dy, the gradients (dx, dw, db or None) of sum(out * dy)."""
    tx = torch.tensor(problem.x, requires_grad=True)
    tw = torch.tensor(problem.w, requires_grad=True)
    tb = None if problem.b is None else torch.tensor(problem.b, requires_grad=True)
    out = TORCH_FORWARD[(problem.op, problem.ndim)](tx, tw, tb, **problem.options)
    if dy is None:
        return (out.detach().numpy(),)
    inputs = [tx, tw] + ([tb] if tb is not None else [])
    grads = torch.autograd.grad(out, inputs, torch.tensor(dy))
    db = grads[2].numpy() if tb is not None else None
    return out.detach().numpy(), grads[0].numpy(), grads[1].numpy(), db


def check_against_torch(problem: Problem, rng: np.random.Generator) -> None:
    """Forward and every gradient of ``problem`` agree with torch to the dtype's tolerance."""
    forward, backward = OURS[(problem.op, problem.ndim)]
    dtype = str(problem.x.dtype)
    out = np.asarray(forward(problem.x, problem.w, problem.b, **problem.options))
    dy = rng.standard_normal(out.shape).astype(problem.x.dtype)
    ref_out, ref_dx, ref_dw, ref_db = torch_reference(problem, dy)
    assert out.dtype == problem.x.dtype
    assert_close(out, ref_out, dtype, "output")
    grads = backward(dy, problem.x, problem.w, **problem.options)
    assert grads.dx.shape == problem.x.shape
    assert grads.dw.shape == problem.w.shape
    assert_close(grads.dx, ref_dx, dtype, "dx")
    assert_close(grads.dw, ref_dw, dtype, "dw")
    if ref_db is None:
        # Without a bias torch has no db; ours is still dy summed over all but the channel axis.
        channel_axis = dy.ndim - problem.ndim - 1
        ref_db = dy.sum(axis=tuple(a for a in range(dy.ndim) if a != channel_axis))
    assert_close(grads.db, ref_db, dtype, "db")
