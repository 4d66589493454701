"""When no schedule exists the scheduler says which groups cannot be placed and why."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pytest

from courses.academic_calendar import (
    CalendarException,
    ExceptionKind,
    NoClassReason,
    derive_sessions,
)
from presentations.scheduling import (
    Group,
    ReasonCode,
    ScheduleInfeasible,
    Session,
    repair,
    sessions_from_calendar,
    solve,
)
from tests.presentations.scheduling.test_seed_scenario import FALL_2017, SEED_EXCEPTIONS

D = dt.date
AFTER_10_03 = D(2017, 10, 12)


def after_10_03(*, seats: int) -> tuple[Session, ...]:
    """The seed term's sessions, with presentations from 2017-10-12 on only: 16 of them."""
    calendar = derive_sessions(FALL_2017, SEED_EXCEPTIONS)
    return sessions_from_calendar(calendar, seats=seats, first_day=AFTER_10_03)


def reasons_for(sessions: Sequence[Session], groups: Sequence[Group]) -> tuple:
    with pytest.raises(ScheduleInfeasible) as raised:
        solve(sessions, groups)
    return raised.value.reasons


def test_it_counts_the_groups_and_the_slots_left_between_two_dates() -> None:
    sessions = after_10_03(seats=1)
    (reason,) = reasons_for(sessions, [Group(f"g{i}") for i in range(18)])
    assert reason.code is ReasonCode.NOT_ENOUGH_SLOTS
    assert reason.message == (
        "18 groups need a slot; 16 eligible slots remain between 2017-10-12 and 2017-12-07"
    )
    assert (reason.needed, reason.available) == (18, 16)
    assert reason.dates[0] == AFTER_10_03
    assert len(reason.group_ids) == 18


def test_it_puts_the_message_of_each_reason_in_the_exception_text() -> None:
    with pytest.raises(ScheduleInfeasible, match="18 groups need a slot; 16 eligible slots"):
        solve(after_10_03(seats=1), [Group(f"g{i}") for i in range(18)])


def test_it_counts_slots_for_pairs_as_whole_groups() -> None:
    # 16 sessions of 5 seats hold two pairs each (the fifth seat is no use to a pair).
    (reason,) = reasons_for(after_10_03(seats=5), [Group(f"p{i}", size=2) for i in range(33)])
    assert reason.message == (
        "33 groups need a slot; 32 eligible slots remain between 2017-10-12 and 2017-12-07"
    )


def test_it_names_a_group_larger_than_a_session() -> None:
    groups = [Group("solo"), Group("crowd", size=7, name="The Crowd")]
    (reason,) = reasons_for(after_10_03(seats=6), groups)
    assert reason.code is ReasonCode.GROUP_TOO_LARGE
    assert reason.group_ids == ("crowd",)
    assert (
        reason.message == "group The Crowd has 7 students; a session it can attend seats at most 6"
    )


def test_it_names_a_group_unavailable_on_every_eligible_date() -> None:
    sessions = after_10_03(seats=6)
    everywhere = frozenset(s.date for s in sessions if s.eligible)
    (reason,) = reasons_for(sessions, [Group("busy", unavailable=everywhere), Group("free")])
    assert reason.code is ReasonCode.UNAVAILABLE_ON_EVERY_DATE
    assert reason.group_ids == ("busy",)
    assert reason.message == (
        "group busy is unavailable on every eligible date "
        "(16 dates between 2017-10-12 and 2017-12-07)"
    )


def test_it_names_a_group_fixed_to_fall_break_with_the_calendar_label() -> None:
    (reason,) = reasons_for(after_10_03(seats=6), [Group("g", fixed_date=D(2017, 10, 10))])
    assert reason.code is ReasonCode.FIXED_DATE_NOT_ELIGIBLE
    assert reason.message == (
        "group g is fixed to 2017-10-10, which has no presentations (No class — Fall break)"
    )


def test_it_names_a_group_fixed_to_the_guest_lecture() -> None:
    (reason,) = reasons_for(after_10_03(seats=6), [Group("g", fixed_date=D(2017, 10, 5))])
    assert reason.message == (
        "group g is fixed to 2017-10-05, which has no presentations "
        "(Guest lecture — no papers, no presentations)"
    )


def test_it_names_a_group_fixed_to_a_date_it_is_unavailable() -> None:
    day = D(2017, 10, 17)
    (reason,) = reasons_for(
        after_10_03(seats=6), [Group("g", fixed_date=day, unavailable=frozenset({day}))]
    )
    assert reason.code is ReasonCode.FIXED_DATE_UNAVAILABLE
    assert reason.message == "group g is fixed to 2017-10-17 but unavailable that day"


def test_it_names_a_group_whose_topic_no_session_covers() -> None:
    sessions = [Session(D(2017, 10, 12), 6, topic="CNNs"), Session(D(2017, 10, 17), 6)]
    (reason,) = reasons_for(sessions, [Group("g", topic="GANs")])
    assert reason.code is ReasonCode.TOPIC_NOT_OFFERED
    assert reason.message == "group g presents on topic 'GANs', which no eligible session has"


def test_it_names_only_the_groups_competing_for_too_few_dates() -> None:
    sessions = after_10_03(seats=1)
    eligible = [s.date for s in sessions if s.eligible]
    only_two = frozenset(eligible[2:])  # so these can present on 10/12 or 10/17 only
    groups = [Group(f"late{i}", unavailable=only_two) for i in range(3)]
    groups += [Group(f"any{i}") for i in range(5)]
    (reason,) = reasons_for(sessions, groups)
    assert reason.group_ids == ("late0", "late1", "late2")
    assert reason.message == (
        "3 groups (late0, late1, late2) need a slot; "
        "2 eligible slots remain on 2017-10-12 and 2017-10-17"
    )


def test_it_gives_every_reason_at_once() -> None:
    groups = [Group("crowd", size=9), Group("g", fixed_date=D(2017, 10, 10))]
    groups += [Group(f"x{i}", fixed_date=D(2017, 10, 12)) for i in range(7)]
    reasons = reasons_for(after_10_03(seats=6), groups)
    assert [r.code for r in reasons] == [
        ReasonCode.GROUP_TOO_LARGE,
        ReasonCode.FIXED_DATE_NOT_ELIGIBLE,
        ReasonCode.NOT_ENOUGH_SLOTS,
    ]
    assert reasons[2].message.startswith("7 groups (x0, x1, x2, x3, x4, x5, x6) need a slot; ")
    assert reasons[2].message.endswith("6 eligible slots remain on 2017-10-12")


def test_it_says_when_the_calendar_has_no_eligible_session() -> None:
    cancelled = [
        CalendarException(s.date, ExceptionKind.NO_CLASS, reason=NoClassReason.CANCELLED)
        for s in derive_sessions(FALL_2017)
    ]
    sessions = sessions_from_calendar(derive_sessions(FALL_2017, cancelled), seats=6)
    (reason,) = reasons_for(sessions, [Group("a"), Group("b")])
    assert reason.message == "2 groups need a slot; no eligible slots remain"


def test_it_counts_seats_when_groups_differ_in_size() -> None:
    sessions = [Session(D(2017, 10, 12), 4), Session(D(2017, 10, 17), 2)]
    groups = [Group("a", size=3), Group("b", size=2), Group("c", size=2)]
    (reason,) = reasons_for(sessions, groups)
    assert reason.code is ReasonCode.NOT_ENOUGH_SLOTS
    assert reason.message == (
        "3 groups (7 students) need 7 seats; 6 eligible seats remain between "
        "2017-10-12 and 2017-10-17"
    )


def test_it_says_when_whole_groups_cannot_be_packed_into_enough_seats() -> None:
    sessions = [Session(D(2017, 10, 12), 4), Session(D(2017, 10, 17), 4)]
    groups = [Group("a", size=3), Group("b", size=3), Group("c", size=2)]
    (reason,) = reasons_for(sessions, groups)
    assert reason.code is ReasonCode.CANNOT_PACK
    assert reason.group_ids == ("a", "b", "c")
    assert (reason.needed, reason.available) == (8, 8)
    assert reason.message == (
        "3 groups of sizes 2, 3 need 8 seats and 8 remain between 2017-10-12 and 2017-10-17, "
        "but whole groups cannot be fitted into the seats left in each session"
    )


def test_it_says_a_group_needs_more_seats_together_than_any_date_has_left() -> None:
    sessions = [Session(D(2017, 10, 12), 6), Session(D(2017, 10, 17), 6)]
    published = {"a": D(2017, 10, 12), "b": D(2017, 10, 17), "c": D(2017, 10, 19)}
    groups = [Group("a", size=4), Group("b", size=4), Group("c", size=3)]
    with pytest.raises(ScheduleInfeasible) as raised:
        repair(published, sessions, groups)
    (reason,) = raised.value.reasons
    assert reason.code is ReasonCode.NOT_ENOUGH_SLOTS
    assert reason.group_ids == ("c",)
    assert reason.message == (
        "group c needs 3 seats in one session; at most 2 remain on any date it can attend "
        "(2017-10-12 and 2017-10-17)"
    )
