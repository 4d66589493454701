"""The current term's dates (demo.terms): every day of a few years gives a term that contains
it, with the seed's pattern in weekday order around it."""

from __future__ import annotations

import datetime as dt

import pytest

from demo.terms import plan_term, thanksgiving

DAYS = [dt.date(2025, 1, 1) + dt.timedelta(days=n) for n in range(3 * 366)]


@pytest.mark.parametrize("today", DAYS, ids=str)
def test_it_plans_a_term_around_today(today: dt.date) -> None:
    plan = plan_term(today)
    assert plan.first_day + dt.timedelta(weeks=4) < today < plan.last_day - dt.timedelta(weeks=4)
    assert (plan.first_day.weekday(), plan.last_day.weekday()) == (1, 3)  # Tue, Thu
    assert plan.last_day - plan.first_day == dt.timedelta(weeks=15, days=2)
    cancelled, guest, break_day, resumes = plan.pattern
    assert [d.weekday() for d in plan.pattern] == [1, 3, 1, 3]
    assert guest - cancelled == dt.timedelta(days=2)
    assert break_day - guest == dt.timedelta(days=5)
    assert resumes - break_day == dt.timedelta(days=2)
    assert plan.thanksgiving not in plan.pattern
    # Some of it is past and some to come.
    exceptions = [*plan.pattern, *([plan.thanksgiving] if plan.thanksgiving else [])]
    assert min(exceptions) < today <= max(exceptions)


def test_it_names_the_season() -> None:
    assert plan_term(dt.date(2026, 12, 6)).term == "Fall 2026"
    assert plan_term(dt.date(2027, 2, 1)).term == "Spring 2027"
    assert plan_term(dt.date(2027, 7, 1)).term == "Summer 2027"
    assert plan_term(dt.date(2026, 12, 6)).break_title == "Fall break"


def test_fall_has_thanksgiving() -> None:
    assert thanksgiving(2017) == dt.date(2017, 11, 23)
    assert thanksgiving(2026) == dt.date(2026, 11, 26)
    assert plan_term(dt.date(2026, 10, 20)).thanksgiving == dt.date(2026, 11, 26)
    assert plan_term(dt.date(2027, 3, 1)).thanksgiving is None


def test_it_keeps_the_usual_start_when_today_leaves_room() -> None:
    plan = plan_term(dt.date(2026, 10, 15))
    assert (plan.first_day, plan.last_day) == (dt.date(2026, 8, 18), dt.date(2026, 12, 3))
    assert plan.pattern == (
        dt.date(2026, 10, 13),
        dt.date(2026, 10, 15),
        dt.date(2026, 10, 20),
        dt.date(2026, 10, 22),
    )
