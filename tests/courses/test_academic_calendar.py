"""The calendar core, a pure function: no database, no Django."""

from __future__ import annotations

import datetime as dt

import pytest

from courses.academic_calendar import (
    CalendarException,
    ExceptionKind,
    MeetingPattern,
    NoClassReason,
    check_exception,
    derive_sessions,
    first_presentation_session_after,
    parse_weekdays,
)
from tests.seed_calendar import FALL_2017, SEED_EXCEPTIONS, D


@pytest.fixture
def sessions():
    return {s.date: s for s in derive_sessions(FALL_2017, SEED_EXCEPTIONS)}


def test_it_has_no_meeting_on_the_cancelled_day_and_fall_break(sessions):
    for day in (D(2017, 10, 3), D(2017, 10, 10), D(2017, 11, 23)):
        assert sessions[day].meets is False
        assert sessions[day].has_papers is False
        assert sessions[day].has_presentations is False
        assert sessions[day].number is None
    assert sessions[D(2017, 10, 10)].label == "No class — Fall break"
    assert sessions[D(2017, 10, 3)].label == "No class — Cancelled"


def test_it_meets_on_the_guest_lecture_without_papers_or_presentations(sessions):
    guest = sessions[D(2017, 10, 5)]
    assert (guest.meets, guest.has_papers, guest.has_presentations) == (True, False, False)
    assert guest.label == "Guest lecture — no papers, no presentations"
    assert guest.exception is not None
    assert guest.exception.title == "Guest lecture by Dr. Stefan Lee"


def test_it_finds_10_12_as_the_next_presentations_after_10_03() -> None:
    found = first_presentation_session_after(
        derive_sessions(FALL_2017, SEED_EXCEPTIONS), D(2017, 10, 3)
    )
    assert found is not None
    assert found.date == D(2017, 10, 12)
    assert found.has_papers
    assert found.has_presentations


def test_it_lists_only_tuesdays_and_thursdays_within_the_term(sessions):
    dates = sorted(sessions)
    assert dates[0] == D(2017, 8, 22)
    assert dates[-1] == D(2017, 12, 7)
    assert {d.weekday() for d in dates} == {1, 3}
    # 16 weeks of Tue/Thu: 32 dates, of which 3 are cancelled.
    assert len(dates) == 32
    assert sum(s.meets for s in sessions.values()) == 29
    assert [s.number for s in sessions.values() if s.meets] == list(range(1, 30))


def test_it_counts_a_single_weekday_pattern() -> None:
    pattern = MeetingPattern(
        first_day=D(2017, 8, 21),
        last_day=D(2017, 9, 4),
        weekdays=frozenset({0}),
        start=dt.time(9),
        end=dt.time(10),
        time_zone="UTC",
    )
    assert [s.date for s in derive_sessions(pattern)] == [
        D(2017, 8, 21), D(2017, 8, 28), D(2017, 9, 4),
    ]  # fmt: skip


def test_it_gives_aware_start_times_across_the_daylight_saving_change(sessions):
    before = sessions[D(2017, 11, 2)].starts_at
    after = sessions[D(2017, 11, 7)].starts_at
    assert before.utcoffset() == dt.timedelta(hours=-4)
    assert after.utcoffset() == dt.timedelta(hours=-5)
    assert before.astimezone(dt.UTC).time() == dt.time(20, 30)
    assert after.astimezone(dt.UTC).time() == dt.time(21, 30)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (["Tue", "Thu"], {1, 3}),
        (["tuesday", "THU"], {1, 3}),
        ([0, 2, 4], {0, 2, 4}),
    ],
)
def test_it_parses_weekday_lists(value, expected):
    assert parse_weekdays(value) == frozenset(expected)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ([], "at least one"),
        (["Tue", "Tue"], "twice"),
        (["Tuesday-ish"], "not a weekday"),
        ([7], "not a weekday number"),
        ([True], "not a weekday"),
        ("Tue,Thu", "list of weekdays"),
        ([None], "not a weekday"),
    ],
)
def test_it_rejects_malformed_weekday_lists(value, message):
    with pytest.raises(ValueError, match=message):
        parse_weekdays(value)


def test_it_rejects_an_exception_outside_the_term() -> None:
    late = CalendarException(D(2017, 12, 12), ExceptionKind.NO_CLASS, reason=NoClassReason.BREAK)
    with pytest.raises(ValueError, match="outside the term"):
        check_exception(FALL_2017, late)


def test_it_rejects_an_exception_on_a_day_without_class() -> None:
    wednesday = CalendarException(D(2017, 10, 4), ExceptionKind.GUEST_LECTURE)
    with pytest.raises(ValueError, match="is a Wed; the course meets on Tue, Thu"):
        check_exception(FALL_2017, wednesday)


def test_it_ignores_exceptions_left_on_days_without_class() -> None:
    stray = CalendarException(D(2017, 10, 4), ExceptionKind.NO_CLASS, reason=NoClassReason.BREAK)
    assert derive_sessions(FALL_2017, [stray]) == derive_sessions(FALL_2017)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"last_day": D(2017, 8, 1)}, "before first_day"),
        ({"weekdays": frozenset()}, "at least one weekday"),
        ({"weekdays": frozenset({9})}, "0 \\(Monday\\) to 6"),
        ({"end": dt.time(16, 0)}, "not after start"),
    ],
)
def test_it_rejects_an_inconsistent_pattern(changes, message):
    fields = {**FALL_2017.__dict__, **changes}
    with pytest.raises(ValueError, match=message):
        MeetingPattern(**fields)
