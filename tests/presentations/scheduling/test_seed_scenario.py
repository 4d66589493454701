"""The seed course, CS 7643 Fall 2017, scheduled by the pure core: six presenters per class
around the cancelled class, the guest lecture, fall break and Thanksgiving."""

from __future__ import annotations

import random

import pytest

from courses.academic_calendar import (
    CalendarException,
    ExceptionKind,
    derive_sessions,
)
from presentations.scheduling import (
    Group,
    ReasonCode,
    Schedule,
    ScheduleInfeasible,
    Session,
    check,
    repair,
    sessions_from_calendar,
    solve,
)
from tests.seed_calendar import FALL_2017, SEED_EXCEPTIONS, D

PRESENTERS_PER_CLASS = 6
NO_PRESENTATIONS = (D(2017, 10, 3), D(2017, 10, 5), D(2017, 10, 10), D(2017, 11, 23))


def seed_sessions(extra: list[CalendarException] | None = None) -> tuple[Session, ...]:
    calendar = derive_sessions(FALL_2017, [*SEED_EXCEPTIONS, *(extra or [])])
    return sessions_from_calendar(calendar, seats=PRESENTERS_PER_CLASS)


def students(count: int, *, seed: int = 7643) -> list[Group]:
    """`count` individual presenters, each ranking three class dates (any class date, even one
    without presentations: a student may not know) and unavailable on one or two dates."""
    rng = random.Random(seed)
    days = [s.date for s in seed_sessions()]
    groups = []
    for i in range(count):
        ranked = rng.sample(days, 3)
        unavailable = frozenset(rng.sample([d for d in days if d not in ranked], rng.randint(1, 2)))
        groups.append(Group(f"student-{i}", preferences=tuple(ranked), unavailable=unavailable))
    return groups


@pytest.fixture(scope="module")
def class_of_160() -> tuple[list[Group], Schedule]:
    groups = students(160)
    return groups, solve(seed_sessions(), groups)


def test_it_offers_28_sessions_of_six_seats() -> None:
    eligible = [s for s in seed_sessions() if s.eligible]
    assert len(eligible) == 28
    assert {s.seats for s in eligible} == {6}
    assert not {s.date for s in eligible} & set(NO_PRESENTATIONS)


def test_it_seats_at_most_six_presenters_per_class_and_places_everyone(
    class_of_160: tuple[list[Group], Schedule],
) -> None:
    groups, schedule = class_of_160
    counts = {day: len(ids) for day, ids in schedule.by_date().items()}
    assert max(counts.values()) == PRESENTERS_PER_CLASS
    assert sum(counts.values()) == 160
    assert check(seed_sessions(), groups, schedule.placements()) == ()


def test_it_schedules_nobody_on_10_03_10_05_10_10_or_thanksgiving(
    class_of_160: tuple[list[Group], Schedule],
) -> None:
    _, schedule = class_of_160
    assert not set(schedule.by_date()) & set(NO_PRESENTATIONS)


def test_it_holds_the_first_presentations_after_10_03_on_10_12(
    class_of_160: tuple[list[Group], Schedule],
) -> None:
    _, schedule = class_of_160
    after = [day for day in schedule.by_date() if day > D(2017, 10, 3)]
    assert min(after) == D(2017, 10, 12)
    assert len(schedule.by_date()[D(2017, 10, 12)]) == PRESENTERS_PER_CLASS


def test_it_gives_most_students_one_of_their_choices(
    class_of_160: tuple[list[Group], Schedule],
) -> None:
    _, schedule = class_of_160
    ranked = [a for a in schedule.assignments if a.choice is not None]
    assert len(ranked) >= 150
    assert schedule.total_cost == sum(a.cost for a in schedule.assignments)


def test_it_fills_every_class_when_there_are_six_presenters_for_each() -> None:
    schedule = solve(seed_sessions(), students(28 * PRESENTERS_PER_CLASS))
    counts = {day: len(ids) for day, ids in schedule.by_date().items()}
    assert len(counts) == 28
    assert set(counts.values()) == {PRESENTERS_PER_CLASS}


def test_it_seats_pairs_as_two_presenters_each() -> None:
    pairs = [Group(f"pair-{i}", size=2) for i in range(28 * 3)]
    schedule = solve(seed_sessions(), pairs)
    assert {len(ids) for ids in schedule.by_date().values()} == {3}


@pytest.mark.parametrize(
    "exception",
    [
        CalendarException(D(2017, 10, 12), ExceptionKind.NO_CLASS, "Snow day"),
        CalendarException(D(2017, 11, 14), ExceptionKind.GUEST_LECTURE, "Guest lecture"),
    ],
    ids=["cancelled-class", "guest-lecture"],
)
def test_it_moves_exactly_the_groups_of_a_class_cancelled_after_publishing(
    class_of_160: tuple[list[Group], Schedule], exception: CalendarException
) -> None:
    groups, schedule = class_of_160
    published = schedule.placements()
    affected = {gid for gid, day in published.items() if day == exception.date}
    assert len(affected) == PRESENTERS_PER_CLASS

    after = seed_sessions([exception])
    result = repair(published, after, groups)

    assert {m.group_id for m in result.moves} == affected
    assert all(m.from_date == exception.date for m in result.moves)
    new = result.schedule.placements()
    assert {gid: new[gid] for gid in published if gid not in affected} == {
        gid: day for gid, day in published.items() if gid not in affected
    }
    assert exception.date not in result.schedule.by_date()
    assert check(after, groups, new) == ()


def test_it_explains_that_a_full_term_has_no_seat_left_for_a_cancelled_class() -> None:
    groups = [Group(f"student-{i}") for i in range(28 * PRESENTERS_PER_CLASS)]
    published = solve(seed_sessions(), groups).placements()
    snow_day = CalendarException(D(2017, 11, 14), ExceptionKind.NO_CLASS, "Snow day")

    with pytest.raises(ScheduleInfeasible) as raised:
        repair(published, seed_sessions([snow_day]), groups)

    (reason,) = raised.value.reasons
    assert reason.code is ReasonCode.NOT_ENOUGH_SLOTS
    assert reason.message == (
        "6 groups need a slot; 0 eligible slots remain between 2017-08-22 and 2017-12-07"
    )
    assert set(reason.group_ids) == {g for g, day in published.items() if day == snow_day.date}
