"""CSV exports open safely in spreadsheets."""

from __future__ import annotations

import io

import pytest

from courseportal.spreadsheets import csv_writer, safe_cell


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=HYPERLINK(1)", "'=HYPERLINK(1)"),
        ("-1+1", "'-1+1"),
        ("+cmd", "'+cmd"),
        ("@x", "'@x"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("  =1+1", "'  =1+1"),
        ("\uff1d1+1", "'\uff1d1+1"),
        # A plain number is not a formula and stays a number (scores, points).
        ("-1", "-1"),
        ("-0.5", "-0.5"),
        ("alice", "alice"),
        ("Ann =1+1", "Ann =1+1"),
        (3, 3),
        (None, None),
    ],
)
def test_it_quotes_spreadsheet_formulas_in_exports(value: object, expected: object) -> None:
    assert safe_cell(value) == expected


def test_it_guards_every_cell_a_csv_writer_writes() -> None:
    out = io.StringIO()
    csv_writer(out).writerow(["=1+1", "ok", -2, "-2", "@x"])
    assert out.getvalue() == "'=1+1,ok,-2,-2,'@x\r\n"
