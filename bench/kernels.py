"""Benchmark of convlab.kernels against torch on the CPU, side by side in one process.

Run from the repository root: ``python bench/kernels.py [--repeats N]``. It prints the BLAS and
threading in use, then a Markdown table of median wall times (float32), GFLOP/s (counting a
multiply-add as 2 FLOPs, no zero products) and our time as a multiple of torch's. The figures
recorded in docs/benchmarks.md come from this script. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypedDict

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from convlab import kernels  # after the sys.path line: run as a script from anywhere

N, C, SIZE, K = 32, 64, 32, 3


class ConvTransposeOptions(TypedDict, total=False):
    """Keyword options that convlab.kernels and torch.nn.functional both take."""

    stride: int
    padding: int
    output_padding: int


@dataclass(frozen=True)
class Case:
    name: str
    flops: float
    ours: Callable[[], Any]
    torch: Callable[[], Any]
    target: float | None
    check: Callable[[], float]


def _median_seconds(fn: Callable[[], Any], repeats: int) -> float:
    fn()  # warm-up: first-touch page faults and lazy initialisation are not measured
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _rel_err(ours: Any, ref: torch.Tensor) -> float:
    expected = ref.detach().numpy()
    return float(np.abs(np.asarray(ours) - expected).max() / np.abs(expected).max())


def _openblas_runtime() -> str:
    """OpenBLAS's own report (core kernel chosen, thread count), read through ctypes."""
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "openblas" in line.lower()}
    except OSError:
        return "unknown (no /proc/self/maps)"
    for path in sorted(paths):
        lib = ctypes.CDLL(path)
        for prefix in ("scipy_openblas", "openblas"):
            for suffix in ("64_", ""):
                try:
                    threads = getattr(lib, f"{prefix}_get_num_threads{suffix}")
                    core = getattr(lib, f"{prefix}_get_corename{suffix}")
                except AttributeError:
                    continue
                core.restype = ctypes.c_char_p
                return f"{Path(path).name}: core {core().decode()}, {threads()} thread(s)"
    return "no OpenBLAS library loaded"


def blas_report() -> list[str]:
    lines = [
        f"python {platform.python_version()}, numpy {np.__version__}, torch {torch.__version__}"
    ]
    try:
        from threadpoolctl import threadpool_info  # optional: richer report when installed
    except ImportError:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        config = " ".join(str(blas.get("openblas configuration", "")).split())
        lines.append(f"numpy BLAS: {blas['name']} {blas['version']} ({config})")
        lines.append(f"numpy BLAS at run time: {_openblas_runtime()}")
    else:
        for pool in threadpool_info():
            lines.append(
                f"{pool['internal_api']} {pool.get('version')} ({pool['filepath']}): "
                f"{pool['num_threads']} thread(s), {pool.get('architecture', '')}"
            )
    parallel = torch.__config__.parallel_info().splitlines()
    lines.append(
        f"torch: {torch.get_num_threads()} intra-op thread(s); "
        + "; ".join(s.strip() for s in parallel if "MKL" in s or "OpenMP" in s)
    )
    env = {k: v for k, v in os.environ.items() if k.endswith("_NUM_THREADS") or "CORETYPE" in k}
    lines.append(f"thread/BLAS environment: {env or 'none set'}")
    lines.append(f"CPU: {_cpu_name()}, {os.cpu_count()} logical CPU(s)")
    return lines


def _cpu_name() -> str:
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def build_cases() -> list[Case]:
    rng = np.random.default_rng(0)

    def arr(*shape: int) -> np.ndarray[Any, np.dtype[np.float32]]:
        return rng.standard_normal(shape, dtype=np.float32)

    x = arr(N, C, SIZE, SIZE)
    wt = arr(C, C, K, K)  # transposed weight (C_in, C_out, k, k)
    wc = arr(C, C, K, K)  # conv weight (C_out, C_in, k, k)
    wg = arr(C, C // 4, K, K)  # transposed, groups=4
    opts: ConvTransposeOptions = {"stride": 2, "padding": 1, "output_padding": 1}
    out = 2 * SIZE
    dy = arr(N, C, out, out)
    tx, twt, twc, twg, tdy = (torch.from_numpy(a) for a in (x, wt, wc, wg, dy))
    t_opts = [2, 2], [1, 1], [1, 1], True, [1, 1]

    def torch_ct_backward() -> Any:
        # The backward kernel alone (autograd would also rerun the forward): dx, dw and db.
        stride, padding, dilation, transposed, output_padding = t_opts
        return torch.ops.aten.convolution_backward(
            tdy,
            tx,
            twt,
            [C],
            stride,
            padding,
            dilation,
            transposed,
            output_padding,
            1,
            [True, True, True],
        )

    def check_ct_backward() -> float:
        ours = kernels.conv_transpose2d_backward(dy, x, wt, **opts)
        ref = torch_ct_backward()
        return max(_rel_err(o, r) for o, r in zip(ours, ref, strict=True))

    pixels_in = N * SIZE * SIZE
    ct_flops = 2.0 * pixels_in * C * C * K * K
    return [
        Case(
            "conv_transpose2d forward",
            ct_flops,
            lambda: kernels.conv_transpose2d(x, wt, **opts),
            lambda: F.conv_transpose2d(tx, twt, **opts),
            1.2,
            lambda: _rel_err(
                kernels.conv_transpose2d(x, wt, **opts), F.conv_transpose2d(tx, twt, **opts)
            ),
        ),
        Case(
            "conv_transpose2d backward (dx, dw, db)",
            2 * ct_flops,
            lambda: kernels.conv_transpose2d_backward(dy, x, wt, **opts),
            torch_ct_backward,
            1.5,
            check_ct_backward,
        ),
        Case(
            "conv2d forward (stride 1, padding 1)",
            2.0 * pixels_in * C * C * K * K,
            lambda: kernels.conv2d(x, wc, padding=1),
            lambda: F.conv2d(tx, twc, padding=1),
            2.5,
            lambda: _rel_err(kernels.conv2d(x, wc, padding=1), F.conv2d(tx, twc, padding=1)),
        ),
        Case(
            "conv_transpose2d forward, groups=4",
            ct_flops / 4,
            lambda: kernels.conv_transpose2d(x, wg, groups=4, **opts),
            lambda: F.conv_transpose2d(tx, twg, groups=4, **opts),
            None,
            lambda: _rel_err(
                kernels.conv_transpose2d(x, wg, groups=4, **opts),
                F.conv_transpose2d(tx, twg, groups=4, **opts),
            ),
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15, help="timed runs per case (median)")
    args = parser.parse_args()
    for line in blas_report():
        print(line)
    print(
        f"\nN={N}, C_in=C_out={C}, {SIZE}x{SIZE} input, kernel {K}, float32; "
        f"transposed: stride 2, padding 1, output_padding 1; median of {args.repeats} runs\n"
    )
    columns = ["case", "convlab ms", "torch ms", "convlab GFLOP/s", "torch GFLOP/s", "ratio"]
    print("| " + " | ".join([*columns, "target", "max rel. diff"]) + " |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for case in build_cases():
        ours = _median_seconds(case.ours, args.repeats)
        ref = _median_seconds(case.torch, args.repeats)
        ratio = ours / ref
        target = (
            "-"
            if case.target is None
            else f"<= {case.target}x " + ("met" if ratio <= case.target else "NOT met")
        )
        print(
            f"| {case.name} | {ours * 1e3:.1f} | {ref * 1e3:.1f} | {case.flops / ours / 1e9:.1f} "
            f"| {case.flops / ref / 1e9:.1f} | {ratio:.2f}x | {target} | {case.check():.1e} |"
        )


if __name__ == "__main__":
    main()
