"""Validation of the public functions' arguments, PyTorch's rules with ValueError messages.

Each check names the argument and says why it is wrong; nothing is computed before all of them
pass, so an invalid call never returns a result (of any shape).
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

Array = Any
IntOrTuple = int | Sequence[int]
Padding = int | Sequence[int] | Literal["valid", "same"]


def _as_int(name: str, value: object) -> int:
    if isinstance(value, bool):
        raise ValueError(f"{name} must be an int, got {value!r}")
    try:
        # Any object may come in: operator.index is the check (TypeError for a non-integer).
        return operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        raise ValueError(f"{name} must be an int, got {value!r}") from None


def int_tuple(name: str, value: object, ndim: int, minimum: int) -> tuple[int, ...]:
    """``value`` (an int, or a sequence of ``ndim`` ints) as an ``ndim``-tuple, each >= minimum."""
    if isinstance(value, Sequence) and not isinstance(value, str):
        if len(value) != ndim:
            raise ValueError(
                f"{name} must be an int or a sequence of {ndim} int(s) (one per spatial "
                f"dimension), got {value!r}"
            )
        items = tuple(_as_int(name, v) for v in value)
    else:
        items = (_as_int(name, value),) * ndim
    if any(v < minimum for v in items):
        qualifier = "positive" if minimum == 1 else "non-negative"
        raise ValueError(f"{name} must be {qualifier}, got {value!r}")
    return items


def groups_int(groups: object) -> int:
    g = _as_int("groups", groups)
    if g < 1:
        raise ValueError(f"groups must be positive, got {g}")
    return g


def check_floating(xp: Any, name: str, array: Array) -> None:
    if not xp.isdtype(array.dtype, "real floating"):
        raise ValueError(f"{name} must hold real floating-point numbers, got dtype {array.dtype}")


def _shape(array: Array) -> tuple[int, ...]:
    return tuple(int(s) for s in array.shape)


@dataclass(frozen=True)
class Arrays:
    """Validated shapes: whether x has a batch axis, its spatial size, and the channel counts."""

    batched: bool
    size: tuple[int, ...]
    kernel: tuple[int, ...]
    cin: int
    cout: int


def check_arrays(
    ndim: int, x: Array, w: Array, b: Array | None, groups: int, transposed: bool
) -> Arrays:
    """Check x, w and b against each other for an ``ndim``-D (transposed) convolution."""
    spatial = "(N, C, L)" if ndim == 1 else "(N, C, H, W)"
    xs, ws = _shape(x), _shape(w)
    if len(xs) not in (ndim + 1, ndim + 2):
        raise ValueError(
            f"x must be {ndim + 2}-D {spatial} or {ndim + 1}-D without the batch axis, "
            f"got shape {xs}"
        )
    batched = len(xs) == ndim + 2
    cin, size = xs[-ndim - 1], xs[-ndim:]
    if any(s < 1 for s in xs[-ndim - 1 :]):
        raise ValueError(f"x must have positive channel and spatial sizes, got shape {xs}")
    layout = "(C_in, C_out/groups, *kernel)" if transposed else "(C_out, C_in/groups, *kernel)"
    if len(ws) != ndim + 2:
        raise ValueError(f"w must be {ndim + 2}-D {layout}, got shape {ws}")
    if any(s < 1 for s in ws):
        raise ValueError(f"w must have positive sizes, got shape {ws}")
    if transposed:
        if ws[0] != cin:
            raise ValueError(
                f"w of shape {ws} {layout} expects {ws[0]} input channels, but x of shape {xs} "
                f"has {cin}"
            )
        if cin % groups:
            raise ValueError(f"groups={groups} must divide the {cin} input channels of x")
        cout = ws[1] * groups
    else:
        if ws[0] % groups:
            raise ValueError(f"groups={groups} must divide the {ws[0]} output channels of w")
        if cin % groups:
            raise ValueError(f"groups={groups} must divide the {cin} input channels of x")
        if ws[1] * groups != cin:
            raise ValueError(
                f"w of shape {ws} {layout} with groups={groups} expects x to have "
                f"{ws[1] * groups} channels, but x of shape {xs} has {cin}"
            )
        cout = ws[0]
    if b is not None and _shape(b) != (cout,):
        raise ValueError(f"b must have shape ({cout},) (one per output channel), got {_shape(b)}")
    return Arrays(batched, size, ws[2:], cin, cout)


def check_grad(dy: Array, expected: tuple[int, ...]) -> None:
    if _shape(dy) != expected:
        raise ValueError(
            f"dy must have the shape of the forward output {expected}, got {_shape(dy)}"
        )
