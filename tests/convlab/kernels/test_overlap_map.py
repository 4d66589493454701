"""overlap_map: how many filter copies a transposed convolution sums into each output pixel.

Uneven counts in the interior are the checkerboard artifacts (Odena, Dumoulin and Olah,
"Deconvolution and Checkerboard Artifacts", Distill 2016): they appear exactly when the stride
does not divide the kernel size.
"""

from __future__ import annotations

import numpy as np
import pytest

from convlab import kernels


def interior(counts: np.ndarray, kernel: int, stride: int, size: int) -> np.ndarray:
    """The pixels every kernel tap can reach: full-output indices k-1 .. (size-1)*stride."""
    window = slice(kernel - 1, (size - 1) * stride + 1)
    return counts[(window,) * counts.ndim]


def test_it_finds_the_checkerboard_of_kernel_3_stride_2() -> None:
    counts = kernels.overlap_map(3, 2)
    inner = interior(counts, 3, 2, 5)
    assert inner.max() == 4
    assert inner.min() == 1
    assert inner.max() / inner.min() == 4
    assert set(np.unique(inner)) == {1, 2, 4}
    # The pattern alternates: even rows and columns get two copies each way, odd ones one.
    assert np.array_equal(inner[:3, :3], [[4, 2, 4], [2, 1, 2], [4, 2, 4]])


def test_it_is_uneven_in_1d_too() -> None:
    inner = interior(kernels.overlap_map(3, 2, ndim=1), 3, 2, 5)
    assert list(inner) == [2, 1, 2, 1, 2, 1, 2]


@pytest.mark.parametrize(
    ("kernel", "stride", "copies"), [(4, 2, 4), (3, 3, 1), (2, 2, 1), (6, 3, 4)]
)
def test_it_is_even_when_the_stride_divides_the_kernel(
    kernel: int, stride: int, copies: int
) -> None:
    counts = kernels.overlap_map(kernel, stride, input_size=6)
    inner = interior(counts, kernel, stride, 6)
    assert inner.size > 0
    assert np.all(inner == copies)


def test_it_has_the_transposed_convolutions_shape_and_dtype() -> None:
    counts = kernels.overlap_map((3, 4), (2, 2), input_size=(4, 5), padding=1, output_padding=1)
    assert counts.shape == (
        kernels.conv_transpose_output_size(4, 3, 2, 1, 1),
        kernels.conv_transpose_output_size(5, 4, 2, 1, 1),
    )
    assert counts.dtype == np.int64


def test_it_counts_every_copy_once() -> None:
    # With no cropping, the counts add up to one kernel's worth of taps per input pixel.
    counts = kernels.overlap_map(3, 2, input_size=4)
    assert counts.sum() == 4 * 4 * 3 * 3
    dilated = kernels.overlap_map(3, 2, input_size=4, dilation=2, ndim=1)
    assert dilated.sum() == 4 * 3


def test_it_matches_nearest_upsampling_then_conv_which_is_even() -> None:
    # The Distill article's fix: resize (nearest, x2) then a 3x3 convolution covers evenly.
    ones = np.ones((1, 1, 4, 4))
    upsampled = np.repeat(np.repeat(ones, 2, axis=2), 2, axis=3)
    conv = kernels.conv2d(upsampled, np.ones((1, 1, 3, 3)), padding=1)
    assert np.all(conv[0, 0, 1:-1, 1:-1] == 9)
    assert interior(kernels.overlap_map(3, 2, input_size=4), 3, 2, 4).std() > 0


def test_it_rejects_disagreeing_dimensions() -> None:
    with pytest.raises(ValueError, match="dimension"):
        kernels.overlap_map((3, 3), (2, 2, 2))
    with pytest.raises(ValueError, match="output_padding"):
        kernels.overlap_map(3, 2, output_padding=2)
