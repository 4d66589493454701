"""CSV exports that spreadsheets open safely.

Every CSV the portal writes goes through `csv_writer`, which passes each cell through
`safe_cell`: text a spreadsheet would run as a formula (CSV injection, OWASP) is written with a
leading apostrophe. `tests/courseportal/test_csv_exports.py` fails when a module writes CSV
any other way.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import Any, Protocol

# What starts a formula in Excel, LibreOffice or Google Sheets: = + - @, a tab or carriage
# return (some programs strip them and read what follows), and the full-width forms that
# East Asian editions of Excel also accept.
_FORMULA_STARTS = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")
# A plain number is never a formula and must stay a number ("-0.5" points, "+1").
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def safe_cell(value: Any) -> Any:
    """Quote text that a spreadsheet would run as a formula (CSV injection)."""
    if not isinstance(value, str) or _PLAIN_NUMBER.fullmatch(value):
        return value
    # Leading spaces are skipped by some spreadsheets before they look for a formula.
    if value.lstrip(" ")[:1] in _FORMULA_STARTS:
        return "'" + value
    return value


class _Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


class SafeWriter:
    """`csv.writer` whose every cell goes through `safe_cell`."""

    def __init__(self, out: _Writable) -> None:
        self._writer = csv.writer(out)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([safe_cell(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(out: _Writable) -> SafeWriter:
    """The one way the portal writes CSV: like `csv.writer(out)`, formula-safe."""
    return SafeWriter(out)
