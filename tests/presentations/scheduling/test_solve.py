"""The scheduler's contract on small hand-made cases: costs, tie-breaks, repair, checks, input."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from courses.academic_calendar import derive_sessions
from presentations.scheduling import (
    Group,
    Session,
    ViolationCode,
    check,
    repair,
    sessions_from_calendar,
    solve,
)
from tests.presentations.scheduling.test_seed_scenario import FALL_2017, SEED_EXCEPTIONS

D = dt.date
OCT_12, OCT_17, OCT_19, OCT_24, OCT_26 = (D(2017, 10, d) for d in (12, 17, 19, 24, 26))


def week(seats: int = 1, **topics: str) -> list[Session]:
    return [
        Session(day, seats, topic=topics.get(f"d{day.day}"))
        for day in (OCT_12, OCT_17, OCT_19, OCT_24, OCT_26)
    ]


def test_it_gives_everyone_their_first_choice_when_they_differ() -> None:
    groups = [Group("a", preferences=(OCT_19,)), Group("b", preferences=(OCT_12, OCT_19))]
    schedule = solve(week(), groups)
    assert schedule.placements() == {"a": OCT_19, "b": OCT_12}
    assert schedule.total_cost == 0
    assert [a.choice for a in schedule.assignments] == [1, 1]


def test_it_gives_up_one_second_choice_rather_than_a_last_one() -> None:
    # Both want 10/12 first; a's second choice is 10/17, b ranks 10/17 only third.
    groups = [
        Group("a", preferences=(OCT_12, OCT_17)),
        Group("b", preferences=(OCT_12, OCT_24, OCT_17)),
    ]
    schedule = solve(week(), groups)
    assert schedule.placements() == {"a": OCT_17, "b": OCT_12}
    assert (schedule.get("a").cost, schedule.get("a").choice) == (1, 2)
    assert schedule.total_cost == 1


def test_it_charges_an_unranked_date_more_than_any_ranked_one() -> None:
    groups = [Group("a", preferences=(OCT_12, OCT_17, OCT_19)), Group("b", preferences=(OCT_12,))]
    schedule = solve(week(), groups)
    # b would cost 3 (the longest list) anywhere but 10/12; a only 1 on 10/17.
    assert schedule.placements() == {"a": OCT_17, "b": OCT_12}
    assert schedule.unranked_cost == 3


def test_it_matches_topic_preferences_and_fixed_topics() -> None:
    sessions = week(d17="GANs", d24="RL")
    groups = [Group("a", preferences=("RL",)), Group("b", topic="GANs"), Group("c")]
    schedule = solve(sessions, groups)
    assert schedule.get("a").date == OCT_24
    assert schedule.get("a").choice == 1
    assert schedule.get("b").date == OCT_17


def test_it_keeps_a_fixed_date_and_avoids_unavailable_ones() -> None:
    groups = [
        Group("a", fixed_date=OCT_26, preferences=(OCT_12,)),
        Group("b", unavailable=frozenset({OCT_12, OCT_17}), preferences=(OCT_12,)),
    ]
    schedule = solve(week(), groups)
    assert schedule.get("a").date == OCT_26
    assert schedule.get("b").date == OCT_19  # the earliest it can do, all else equal


def test_it_fills_the_earliest_sessions_when_nobody_minds() -> None:
    schedule = solve(week(seats=2), [Group(f"g{i}") for i in range(5)])
    assert schedule.by_date() == {
        OCT_12: ("g0", "g1"),
        OCT_17: ("g2", "g3"),
        OCT_19: ("g4",),
    }


def test_it_sorts_group_ids_naturally() -> None:
    schedule = solve(week(seats=3), [Group(f"g{i}") for i in (10, 2, 1)])
    assert schedule.by_date()[OCT_12] == ("g1", "g2", "g10")


def test_it_repairs_to_the_nearest_free_session() -> None:
    published = {"a": OCT_12, "b": OCT_19, "c": OCT_26}
    groups = [Group("a"), Group("b"), Group("c")]
    sessions = [s if s.date != OCT_19 else Session(OCT_19, 1, eligible=False) for s in week()]
    result = repair(published, sessions, groups)
    # 10/17 is 2 days from 10/19, 10/24 is 5 days: with no preferences the nearest wins.
    assert [(m.group_id, m.from_date, m.to_date) for m in result.moves] == [("b", OCT_19, OCT_17)]
    assert result.schedule.placements() == {"a": OCT_12, "b": OCT_17, "c": OCT_26}


def test_it_repairs_later_rather_than_earlier_at_equal_distance() -> None:
    sessions = [Session(D(2017, 10, d), 1) for d in (10, 14)]
    sessions.append(Session(D(2017, 10, 12), 1, eligible=False, label="No class — Snow"))
    result = repair({"a": D(2017, 10, 12)}, sessions, [Group("a")])
    assert result.moves[0].to_date == D(2017, 10, 14)


def test_it_repairs_by_preference_before_distance() -> None:
    sessions = [s if s.date != OCT_12 else Session(OCT_12, 1, eligible=False) for s in week()]
    groups = [Group("a", preferences=(OCT_12, OCT_26))]
    result = repair({"a": OCT_12}, sessions, groups)
    assert result.moves[0].to_date == OCT_26
    assert result.moves[0].choice == 2


def test_it_does_not_move_anyone_when_no_session_is_gone() -> None:
    published = {"a": OCT_12, "b": OCT_17}
    result = repair(published, week(), [Group("a"), Group("b", preferences=(OCT_12,))])
    assert result.moves == ()
    assert result.schedule.placements() == published


def test_it_refuses_a_published_schedule_for_other_groups() -> None:
    with pytest.raises(ValueError, match="not placed: b; unknown: z"):
        repair({"a": OCT_12, "z": OCT_12}, week(), [Group("a"), Group("b")])


def test_it_checks_a_hand_made_schedule_constraint_by_constraint() -> None:
    sessions = [*week(seats=2, d24="RL"), Session(D(2017, 10, 10), 6, False, label="Fall break")]
    groups = [
        Group("big", size=2),
        Group("busy", unavailable=frozenset({OCT_12})),
        Group("fixed", fixed_date=OCT_19),
        Group("rl", topic="RL"),
        Group("away"),
        Group("lost"),
    ]
    placements = {
        "big": OCT_12,
        "busy": OCT_12,
        "fixed": OCT_17,
        "rl": OCT_17,
        "away": D(2017, 10, 10),
        "ghost": OCT_12,
    }
    found = check(sessions, groups, placements)
    assert [(v.code, v.group_ids) for v in found] == [
        (ViolationCode.UNKNOWN_GROUP, ("ghost",)),
        (ViolationCode.NOT_ELIGIBLE, ("away",)),
        (ViolationCode.UNAVAILABLE, ("busy",)),
        (ViolationCode.FIXED_DATE, ("fixed",)),
        (ViolationCode.UNPLACED_GROUP, ("lost",)),
        (ViolationCode.TOPIC, ("rl",)),
        (ViolationCode.OVER_CAPACITY, ("big", "busy")),
    ]
    assert (
        found[1].message == "group away is on 2017-10-10, which has no presentations (Fall break)"
    )
    assert found[-1].message == "2017-10-12 has 3 presenters for 2 seats"


def test_it_makes_only_presentation_days_eligible() -> None:
    sessions = sessions_from_calendar(derive_sessions(FALL_2017, SEED_EXCEPTIONS), seats=6)
    by_date = {s.date: s for s in sessions}
    assert len(sessions) == 32
    assert by_date[D(2017, 10, 5)].eligible is False
    assert by_date[D(2017, 10, 5)].label == "Guest lecture — no papers, no presentations"
    assert by_date[D(2017, 10, 10)].label == "No class — Fall break"
    assert by_date[D(2017, 10, 12)].eligible is True


def test_it_makes_sessions_before_the_first_presentation_day_ineligible() -> None:
    calendar = derive_sessions(FALL_2017, SEED_EXCEPTIONS)
    sessions = sessions_from_calendar(calendar, seats=6, first_day=OCT_12, topics={OCT_17: "RL"})
    eligible = [s for s in sessions if s.eligible]
    assert eligible[0].date == OCT_12
    assert eligible[1].topic == "RL"
    assert sessions[0].label == "before presentations start on 2017-10-12"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"id": ""}, "id"),
        ({"size": 0}, "size"),
        ({"size": True}, "size"),
        ({"preferences": [OCT_12]}, "preferences"),
        ({"preferences": (OCT_12, OCT_12)}, "preferences"),
        ({"preferences": (dt.datetime(2017, 10, 12, tzinfo=dt.UTC),)}, "preferences"),
        ({"unavailable": {OCT_12}}, "unavailable"),
        ({"fixed_date": "2017-10-12"}, "fixed_date"),
    ],
)
def test_it_refuses_a_malformed_group_naming_the_field(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(ValueError, match=f"^{field}:"):
        Group(**{"id": "g", **kwargs})


def test_it_refuses_duplicate_dates_and_ids() -> None:
    with pytest.raises(ValueError, match="2017-10-12 is given twice"):
        solve([Session(OCT_12, 1), Session(OCT_12, 2)], [])
    with pytest.raises(ValueError, match="id 'a' is given twice"):
        solve(week(), [Group("a"), Group("a")])
    with pytest.raises(ValueError, match=r"^seats:"):
        Session(OCT_12, -1)
