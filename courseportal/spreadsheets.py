"""CSV exports that spreadsheets open safely."""

from __future__ import annotations

from typing import Any

_FORMULA_STARTS = frozenset({"=", "+", "-", "@", "\t", "\r"})


def safe_cell(value: Any) -> Any:
    """Quote text that a spreadsheet would run as a formula (CSV injection)."""
    if isinstance(value, str) and value[:1] in _FORMULA_STARTS:
        return "'" + value
    return value
