"""Reading lists as staff upload them: a CSV file with one paper a row. Pure: no Django.

The format (shown on the import page, reviews/templates/reviews/paper_import.html):

    date,title,authors,url,reviews_due
    2017-10-12,Deconvolution and Checkerboard Artifacts,"Odena, Dumoulin, Olah",https://...,
    2017-10-17,Fully Convolutional Networks,,,2017-10-16 12:00

- `date` (the class day the paper is read for, YYYY-MM-DD) and `title` are required;
  `authors`, `url` and `reviews_due` (YYYY-MM-DD HH:MM in the course's time zone; empty for
  23:59 the day before the class) may be left empty or left out. Column names are read without
  regard to case or surrounding spaces; unknown columns are refused (a typo would lose data).
- Rows are numbered as a spreadsheet numbers them: the header is row 1. Empty rows are skipped.

`parse_reading_list` either returns every row or raises `ReadingListError` with every problem
it found, each naming its row and column, so nothing is imported from a file with a mistake.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

COLUMNS = ("date", "title", "authors", "url", "reviews_due")
REQUIRED = ("date", "title")
MAX_ROWS = 500
MAX_BYTES = 256 * 1024
# The model's limits (reviews/models.py), repeated here so that the core needs no Django.
MAX_CHARS = {"title": 300, "authors": 500, "url": 500}


@dataclass(frozen=True)
class Problem:
    row: int | None  # None: the file as a whole (its encoding, its header)
    column: str | None
    message: str

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"Row {self.row}")
        if self.column is not None:
            where.append(f"column “{self.column}”")
        return f"{', '.join(where)}: {self.message}" if where else self.message


class ReadingListError(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(map(str, problems)))
        self.problems = problems


@dataclass(frozen=True)
class ReadingListRow:
    row: int
    date: dt.date
    title: str
    authors: str
    url: str
    reviews_due: dt.datetime | None  # naive: in the course's time zone


def _parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"“{text}” is not a date written as YYYY-MM-DD") from None


def _parse_due(text: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text.replace(" ", "T", 1))
    except ValueError:
        raise ValueError(f"“{text}” is not a date and time written as YYYY-MM-DD HH:MM") from None
    if value.tzinfo is not None:
        raise ValueError("write the time without a time zone: it is read in the course's")
    return value


def _text(content: bytes) -> str:
    if len(content) > MAX_BYTES:
        raise ReadingListError([Problem(None, None, f"the file is over {MAX_BYTES // 1024} KiB")])
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ReadingListError(
            [Problem(None, None, "the file is not UTF-8 text: save it as “CSV UTF-8”")]
        ) from None


def _header(names: list[str]) -> list[str]:
    header = [name.strip().lower() for name in names]
    problems = [
        Problem(1, name or "(empty)", f"unknown column; use {', '.join(COLUMNS)}")
        for name in header
        if name not in COLUMNS
    ]
    problems += [
        Problem(1, name, "this column is required") for name in REQUIRED if name not in header
    ]
    problems += [
        Problem(1, name, "this column appears twice")
        for name in sorted(set(header))
        if header.count(name) > 1
    ]
    if problems:
        raise ReadingListError(problems)
    return header


def _row(number: int, values: dict[str, str]) -> tuple[ReadingListRow | None, list[Problem]]:
    problems: list[Problem] = [
        Problem(number, name, "null characters are not allowed")
        for name, value in values.items()
        if "\x00" in value
    ]
    for name in REQUIRED:
        if not values.get(name):
            problems.append(Problem(number, name, "this cell is required"))
    for name, limit in MAX_CHARS.items():
        if len(values.get(name, "")) > limit:
            problems.append(Problem(number, name, f"at most {limit} characters"))
    url = values.get("url", "")
    if url and not url.lower().startswith(("http://", "https://")):
        problems.append(
            Problem(number, "url", f"“{url}” is not a web address (http:// or https://)")
        )
    date: dt.date | None = None
    due: dt.datetime | None = None
    try:
        date = _parse_date(values["date"]) if values.get("date") else None
    except ValueError as error:
        problems.append(Problem(number, "date", str(error)))
    try:
        due = _parse_due(values["reviews_due"]) if values.get("reviews_due") else None
    except ValueError as error:
        problems.append(Problem(number, "reviews_due", str(error)))
    if problems or date is None:
        return None, problems
    row = ReadingListRow(
        row=number,
        date=date,
        title=values["title"],
        authors=values.get("authors", ""),
        url=url,
        reviews_due=due,
    )
    return row, []


def parse_reading_list(content: bytes) -> list[ReadingListRow]:
    """Every paper of the file, or ReadingListError naming each bad row and column."""
    text = _text(content)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = _header(next(reader))
    except StopIteration:
        raise ReadingListError([Problem(None, None, "the file is empty")]) from None
    except csv.Error as error:
        raise ReadingListError([Problem(1, None, f"not readable as CSV ({error})")]) from None
    rows: list[ReadingListRow] = []
    problems: list[Problem] = []
    number = 1
    try:
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) > len(header):
                problems.append(
                    Problem(number, None, f"{len(cells)} cells for {len(header)} columns")
                )
                continue
            values = {name: cell.strip() for name, cell in zip(header, cells, strict=False)}
            row, found = _row(number, values)
            problems += found
            if row is not None:
                rows.append(row)
    except csv.Error as error:
        problems.append(Problem(number + 1, None, f"not readable as CSV ({error})"))
    if len(rows) + len(problems) > MAX_ROWS:
        problems.append(Problem(None, None, f"at most {MAX_ROWS} papers in one file"))
    if not rows and not problems:
        problems.append(Problem(None, None, "the file has no papers, only its header"))
    if problems:
        raise ReadingListError(problems)
    return rows
