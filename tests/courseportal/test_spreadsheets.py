"""CSV exports open safely in spreadsheets."""

from __future__ import annotations

import pytest

from courseportal.spreadsheets import safe_cell


@pytest.mark.parametrize(
    ("value", "expected"),
    [("=HYPERLINK(1)", "'=HYPERLINK(1)"), ("-1", "'-1"), ("@x", "'@x"), ("alice", "alice"), (3, 3)],
)
def test_it_quotes_spreadsheet_formulas_in_exports(value: object, expected: object) -> None:
    assert safe_cell(value) == expected
