"""convlab.kernels against PyTorch over a grid of every option, forward and every gradient.

The geometry axes (stride, padding, output_padding, dilation, kernel) are crossed in full for
each dimension; the remaining axes (groups, input-size parity, bias, dtype) are drawn for each
case from a seeded generator, so the grid is the same on every run and
``test_it_covers_every_value_of_every_axis`` proves each value of each axis occurs. Where torch
rejects a combination, the kernels must reject it with ValueError.
"""

from __future__ import annotations

import itertools
import random
import zlib
from collections.abc import Set
from dataclasses import dataclass

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from tests.convlab.kernels.oracle import OURS, TORCH_FORWARD, Problem, check_against_torch

STRIDES = (1, 2, 3)
PADDINGS = (0, 1, 2, 3)
OUTPUT_PADDINGS = (0, 1, 2)
DILATIONS = (1, 2, 3)
KERNELS = ((1, 1), (2, 3), (3, 3), (4, 4))  # a 1-D case uses the first size: 1, 2, 3, 4
GROUPS = ("1", "2", "depthwise")
PARITIES = ("odd", "even")
BIASES = (True, False)
DTYPES = ("float64", "float32")

SIZES = {("odd", 1): (11,), ("even", 1): (12,), ("odd", 2): (9, 7), ("even", 2): (8, 10)}
C_IN = 4


@dataclass(frozen=True)
class Case:
    op: str
    ndim: int
    stride: int
    padding: int
    output_padding: int | None  # None for conv, which has no output_padding
    dilation: int
    kernel: tuple[int, ...]
    groups: str
    parity: str
    bias: bool
    dtype: str

    @property
    def id(self) -> str:
        op = f"op{self.output_padding}-" if self.output_padding is not None else ""
        k = "x".join(map(str, self.kernel))
        return (
            f"{self.op}{self.ndim}d-s{self.stride}-p{self.padding}-{op}d{self.dilation}-k{k}-"
            f"g{self.groups}-{self.parity}-{'bias' if self.bias else 'nobias'}-{self.dtype}"
        )

    def problem(self) -> Problem:
        rng = np.random.default_rng(zlib.crc32(self.id.encode()))
        groups = C_IN if self.groups == "depthwise" else int(self.groups)
        c_out = 2 * C_IN if self.groups == "depthwise" else 6
        x = rng.standard_normal((2, C_IN, *SIZES[(self.parity, self.ndim)]))
        if self.op == "conv":
            w = rng.standard_normal((c_out, C_IN // groups, *self.kernel))
        else:
            w = rng.standard_normal((C_IN, c_out // groups, *self.kernel))
        b = rng.standard_normal(c_out) if self.bias else None
        options = {
            "stride": self.stride,
            "padding": self.padding,
            "dilation": self.dilation,
            "groups": groups,
        }
        if self.output_padding is not None:
            options["output_padding"] = self.output_padding
        dt = np.dtype(self.dtype)
        return Problem(
            self.op,
            self.ndim,
            x.astype(dt),
            w.astype(dt),
            None if b is None else b.astype(dt),
            options,
        )


def _cases() -> list[Case]:
    draw = random.Random(20171005)  # a fixed, reproducible sample
    cases = []
    for op, ndim in itertools.product(("conv", "conv_transpose"), (1, 2)):
        output_paddings: tuple[int | None, ...] = (
            OUTPUT_PADDINGS if op == "conv_transpose" else (None,)
        )
        for s, p, op_, d, k in itertools.product(
            STRIDES, PADDINGS, output_paddings, DILATIONS, KERNELS
        ):
            cases.append(
                Case(
                    op,
                    ndim,
                    s,
                    p,
                    op_,
                    d,
                    k[:ndim],
                    draw.choice(GROUPS),
                    draw.choice(PARITIES),
                    draw.choice(BIASES),
                    draw.choice(DTYPES),
                )
            )
    return cases


CASES = _cases()


def _torch_accepts(problem: Problem) -> bool:
    tensors = [torch.from_numpy(problem.x), torch.from_numpy(problem.w)]
    bias = None if problem.b is None else torch.from_numpy(problem.b)
    try:
        TORCH_FORWARD[(problem.op, problem.ndim)](*tensors, bias, **problem.options)
    except RuntimeError:
        return False
    return True


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_it_agrees_with_torch_or_rejects_what_torch_rejects(case: Case) -> None:
    problem = case.problem()
    if _torch_accepts(problem):
        check_against_torch(problem, np.random.default_rng(zlib.crc32(case.id.encode()) + 1))
        return
    forward, backward = OURS[(problem.op, problem.ndim)]
    with pytest.raises(ValueError, match=r"padding|kernel|output_padding"):
        forward(problem.x, problem.w, problem.b, **problem.options)
    with pytest.raises(ValueError, match=r"padding|kernel|output_padding"):
        backward(np.zeros(1), problem.x, problem.w, **problem.options)


def test_it_covers_every_value_of_every_axis() -> None:
    valid = [c for c in CASES if _torch_accepts(c.problem())]
    for op, ndim in itertools.product(("conv", "conv_transpose"), (1, 2)):
        subset = [c for c in valid if (c.op, c.ndim) == (op, ndim)]
        axes: dict[str, tuple[Set[object], Set[object]]] = {
            "stride": ({c.stride for c in subset}, set(STRIDES)),
            "padding": ({c.padding for c in subset}, set(PADDINGS)),
            "dilation": ({c.dilation for c in subset}, set(DILATIONS)),
            "kernel": ({c.kernel for c in subset}, {k[:ndim] for k in KERNELS}),
            "groups": ({c.groups for c in subset}, set(GROUPS)),
            "parity": ({c.parity for c in subset}, set(PARITIES)),
            "bias": ({c.bias for c in subset}, set(BIASES)),
            "dtype": ({c.dtype for c in subset}, set(DTYPES)),
        }
        if op == "conv_transpose":
            axes["output_padding"] = ({c.output_padding for c in subset}, set(OUTPUT_PADDINGS))
        for name, (seen, wanted) in axes.items():
            assert seen == wanted, f"{op}{ndim}d: valid cases miss {name} {wanted - seen}"


def test_it_checks_rejections_too() -> None:
    # Some of the grid is invalid for torch (output_padding too large, kernel wider than the
    # padded input, padding cropping everything): those cases test the ValueError path.
    rejected = [c for c in CASES if not _torch_accepts(c.problem())]
    assert {c.op for c in rejected} == {"conv", "conv_transpose"}
    assert any(
        c.output_padding is not None and c.output_padding >= max(c.stride, c.dilation)
        for c in rejected
    )


def test_it_keeps_float32_in_float32_like_torch() -> None:
    x = np.ones((1, 2, 5, 5), dtype=np.float32)
    w = np.ones((2, 3, 3, 3), dtype=np.float32)
    ours = OURS[("conv_transpose", 2)][0](x, w, stride=2)
    ref = F.conv_transpose2d(torch.from_numpy(x), torch.from_numpy(w), stride=2)
    assert ours.dtype == np.float32
    assert np.array_equal(ours, ref.numpy())
