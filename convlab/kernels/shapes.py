"""Output-size formulas of convolution and transposed convolution, one spatial dimension at a time.

These are PyTorch's formulas (``torch.nn.Conv2d`` and ``torch.nn.ConvTranspose2d``), with the
same validation: every violated precondition raises ``ValueError`` naming the argument.
"""

from __future__ import annotations

__all__ = ["conv_output_size", "conv_transpose_output_size"]


def _check_int(name: str, value: int, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be an int, got {value!r}")
    if value < minimum:
        qualifier = "positive" if minimum == 1 else "non-negative"
        raise ValueError(f"{name} must be {qualifier}, got {value}")


def conv_output_size(
    input_size: int, kernel_size: int, stride: int = 1, padding: int = 0, dilation: int = 1
) -> int:
    """Length of a convolution's output along one dimension.

    ``floor((input_size + 2*padding - dilation*(kernel_size - 1) - 1) / stride) + 1``.
    Raises ``ValueError`` when an argument is out of range or when the dilated kernel does not
    fit in the padded input (the output would be empty).
    """
    _check_int("input_size", input_size, 1)
    _check_int("kernel_size", kernel_size, 1)
    _check_int("stride", stride, 1)
    _check_int("padding", padding, 0)
    _check_int("dilation", dilation, 1)
    span = dilation * (kernel_size - 1) + 1
    if span > input_size + 2 * padding:
        raise ValueError(
            f"kernel_size={kernel_size} with dilation={dilation} spans {span} elements, more than "
            f"the padded input ({input_size} + 2*padding={padding} = {input_size + 2 * padding})"
        )
    return (input_size + 2 * padding - span) // stride + 1


def conv_transpose_output_size(
    input_size: int,
    kernel_size: int,
    stride: int = 1,
    padding: int = 0,
    output_padding: int = 0,
    dilation: int = 1,
) -> int:
    """Length of a transposed convolution's output along one dimension.

    ``(input_size - 1)*stride - 2*padding + dilation*(kernel_size - 1) + output_padding + 1``.
    As in PyTorch, ``output_padding`` must be smaller than ``stride`` or than ``dilation``, and
    the result must be positive (a padding that crops everything away is an error).
    """
    _check_int("input_size", input_size, 1)
    _check_int("kernel_size", kernel_size, 1)
    _check_int("stride", stride, 1)
    _check_int("padding", padding, 0)
    _check_int("output_padding", output_padding, 0)
    _check_int("dilation", dilation, 1)
    if output_padding >= max(stride, dilation):
        raise ValueError(
            f"output_padding={output_padding} must be smaller than either stride={stride} or "
            f"dilation={dilation}"
        )
    size = (input_size - 1) * stride - 2 * padding + dilation * (kernel_size - 1)
    size += output_padding + 1
    if size < 1:
        raise ValueError(
            f"padding={padding} is too large: it crops the transposed convolution's output "
            f"to {size} elements (input_size={input_size}, kernel_size={kernel_size}, "
            f"stride={stride}, dilation={dilation}, output_padding={output_padding})"
        )
    return size
