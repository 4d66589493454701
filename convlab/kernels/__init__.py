"""Reference maths of the convolution labs: the grading reference for student submissions.

Convolution and transposed convolution (1-D and 2-D, forward and backward) with PyTorch's
argument conventions, the explicit convolution matrix of the lecture, the overlap-count map of
transposed convolutions, and the output-size formulas. Pure functions over the array API
(numpy by default; CuPy and torch arrays work too); nothing here imports Django.
"""

from __future__ import annotations

from convlab.kernels.conv import (
    ConvGrads,
    conv1d,
    conv1d_backward,
    conv2d,
    conv2d_backward,
    conv_transpose1d,
    conv_transpose1d_backward,
    conv_transpose2d,
    conv_transpose2d_backward,
)
from convlab.kernels.matrix import conv_matrix, overlap_map
from convlab.kernels.shapes import conv_output_size, conv_transpose_output_size

__all__ = [
    "ConvGrads",
    "conv1d",
    "conv1d_backward",
    "conv2d",
    "conv2d_backward",
    "conv_matrix",
    "conv_output_size",
    "conv_transpose1d",
    "conv_transpose1d_backward",
    "conv_transpose2d",
    "conv_transpose2d_backward",
    "conv_transpose_output_size",
    "overlap_map",
]
