"""Benchmark of convlab.kernels on a GPU (CuPy arrays and CUDA torch tensors) against torch's
cuDNN convolutions, side by side in one process.

Run on a machine with CUDA, from the repository root: ``python bench/kernels_gpu.py``. It prints
the device, then a Markdown table of median times (float32, the shapes of bench/kernels.py), the
largest relative error against torch, and our time as a multiple of cuDNN's. The reference kernels
are written for clarity over the array API, not tuned for GPUs: the ratio says what a GPU grading
worker costs, it is not a target. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypedDict

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from convlab import kernels  # after the sys.path line: run as a script from anywhere


class ConvOptions(TypedDict, total=False):
    """Keyword options that convlab.kernels and torch.nn.functional both take."""

    stride: int
    padding: int


class ConvTransposeOptions(ConvOptions, total=False):
    output_padding: int


N, C, SIZE, K = 32, 64, 32, 3


def _median_ms(fn: Callable[[], Any], sync: Callable[[], None], repeats: int) -> float:
    fn()  # warm-up: kernel compilation and allocator growth are not measured
    sync()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        sync()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=21, help="timed runs per case (median)")
    args = parser.parse_args()
    if not torch.cuda.is_available():
        sys.exit("no CUDA device: this benchmark needs a GPU")
    print(f"device: {torch.cuda.get_device_name(0)}, torch {torch.__version__}")
    gen = torch.Generator(device="cuda").manual_seed(0)

    def rand(*shape: int) -> torch.Tensor:
        return torch.randn(*shape, generator=gen, device="cuda", dtype=torch.float32)

    x = rand(N, C, SIZE, SIZE)
    w_t = rand(C, C, K, K)  # transposed layout: C_in, C_out, kH, kW
    w = rand(C, C, K, K)
    args_t: ConvTransposeOptions = {"stride": 2, "padding": 1, "output_padding": 1}
    args_c: ConvOptions = {"stride": 1, "padding": 1}
    backends: list[tuple[str, Callable[[torch.Tensor], Any], Callable[[Any], torch.Tensor]]] = [
        ("torch.cuda tensors", lambda t: t, lambda a: a)
    ]
    try:
        import cupy

        backends.append(("CuPy arrays", cupy.asarray, torch.as_tensor))
        cupy_sync: Callable[[], None] = cupy.cuda.Device().synchronize
    except ImportError:
        cupy_sync = torch.cuda.synchronize
    cases = [
        (
            "conv_transpose2d fwd",
            lambda lib_x, lib_w: kernels.conv_transpose2d(lib_x, lib_w, **args_t),
            lambda: F.conv_transpose2d(x, w_t, **args_t),
            w_t,
        ),
        (
            "conv2d fwd",
            lambda lib_x, lib_w: kernels.conv2d(lib_x, lib_w, **args_c),
            lambda: F.conv2d(x, w, **args_c),
            w,
        ),
    ]
    print()
    print("| case | arrays | ours (ms) | cuDNN (ms) | ours / cuDNN | max rel. error |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    for name, ours, theirs, weight in cases:
        ref = theirs()
        cudnn_ms = _median_ms(theirs, torch.cuda.synchronize, args.repeats)
        for label, to_lib, back in backends:
            lib_x, lib_w = to_lib(x), to_lib(weight)

            def sync() -> None:
                torch.cuda.synchronize()
                cupy_sync()

            def run(lib_x: Any = lib_x, lib_w: Any = lib_w, ours: Any = ours) -> Any:
                return ours(lib_x, lib_w)

            ours_ms = _median_ms(run, sync, args.repeats)
            got = back(run())
            err = float((got - ref).abs().max() / ref.abs().max())
            print(
                f"| {name} | {label} | {ours_ms:.2f} | {cudnn_ms:.2f} | "
                f"{ours_ms / cudnn_ms:.1f}x | {err:.1e} |"
            )


if __name__ == "__main__":
    main()
