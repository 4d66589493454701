"""Invariants of the scheduler on random small instances, against a brute force."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from presentations.scheduling import (
    Group,
    ReasonCode,
    Schedule,
    ScheduleInfeasible,
    Session,
    check,
    repair,
    solve,
)
from tests.presentations.scheduling.oracle import (
    allowed,
    brute_force,
    cost_of,
    instances,
    unranked_cost,
)

PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _solve_or_none(sessions: list[Session], groups: list[Group]) -> Schedule | None:
    try:
        return solve(sessions, groups)
    except ScheduleInfeasible:
        return None


@PROPERTY
@given(instances())
def test_it_never_exceeds_a_sessions_seats(instance: tuple[list[Session], list[Group]]) -> None:
    sessions, groups = instance
    schedule = _solve_or_none(sessions, groups)
    if schedule is None:
        return
    seats = {s.date: s.seats for s in sessions}
    size = {g.id: g.size for g in groups}
    for day, ids in schedule.by_date().items():
        assert sum(size[i] for i in ids) <= seats[day]


@PROPERTY
@given(instances())
def test_it_never_uses_an_unavailable_fixed_off_or_ineligible_date(
    instance: tuple[list[Session], list[Group]],
) -> None:
    sessions, groups = instance
    schedule = _solve_or_none(sessions, groups)
    if schedule is None:
        return
    by_date = {s.date: s for s in sessions}
    for group in groups:
        assert allowed(group, by_date[schedule.get(group.id).date])
    assert check(sessions, groups, schedule.placements()) == ()


@PROPERTY
@given(instances())
def test_it_places_every_group_exactly_when_a_placement_exists(
    instance: tuple[list[Session], list[Group]],
) -> None:
    sessions, groups = instance
    best = brute_force(sessions, groups, unranked=unranked_cost(groups))
    if best is None:
        with pytest.raises(ScheduleInfeasible) as raised:
            solve(sessions, groups)
        ids = {g.id for g in groups}
        assert raised.value.reasons
        for reason in raised.value.reasons:
            assert reason.message
            assert reason.group_ids
            assert set(reason.group_ids) <= ids
            if reason.code is ReasonCode.NOT_ENOUGH_SLOTS:
                assert reason.needed > reason.available
    else:
        schedule = solve(sessions, groups)
        assert sorted(a.group_id for a in schedule.assignments) == sorted(g.id for g in groups)


@PROPERTY
@given(instances())
def test_it_costs_the_same_as_the_brute_force_optimum(
    instance: tuple[list[Session], list[Group]],
) -> None:
    sessions, groups = instance
    unranked = unranked_cost(groups)
    best = brute_force(sessions, groups, unranked=unranked)
    if best is None:
        return
    schedule = solve(sessions, groups)
    assert schedule.total_cost == best
    by_date = {s.date: s for s in sessions}
    for group in groups:
        a = schedule.get(group.id)
        assert a.cost == cost_of(group, by_date[a.date], unranked)
    assert schedule.total_cost == sum(a.cost for a in schedule.assignments)


@PROPERTY
@given(instances(), st.randoms(use_true_random=False))
def test_it_gives_the_same_schedule_whatever_the_input_order(
    instance: tuple[list[Session], list[Group]], rng: random.Random
) -> None:
    sessions, groups = instance
    first = _solve_or_none(sessions, groups)
    rng.shuffle(sessions)
    rng.shuffle(groups)
    assert _solve_or_none(sessions, groups) == first


@PROPERTY
@given(instances(), st.data())
def test_it_repairs_by_moving_only_the_groups_whose_session_is_gone(
    instance: tuple[list[Session], list[Group]], data: st.DataObject
) -> None:
    sessions, groups = instance
    schedule = _solve_or_none(sessions, groups)
    if schedule is None or not schedule.assignments:
        return
    published = schedule.placements()
    used = sorted(set(published.values()))
    gone = set(data.draw(st.lists(st.sampled_from(used), min_size=1, unique=True)))
    # A cancelled class becomes ineligible; sometimes it disappears from the calendar instead.
    drop = data.draw(st.booleans())
    after = [
        s if s.date not in gone else Session(s.date, s.seats, eligible=False, label="Cancelled")
        for s in sessions
        if not (drop and s.date in gone)
    ]
    staying = {gid: day for gid, day in published.items() if day not in gone}
    best = brute_force(after, groups, unranked=schedule.unranked_cost, fixed=staying)
    if best is None:
        with pytest.raises(ScheduleInfeasible):
            repair(published, after, groups)
        return
    result = repair(published, after, groups)
    placements = result.schedule.placements()
    for gid, day in staying.items():
        assert placements[gid] == day
    assert {m.group_id for m in result.moves} == set(published) - set(staying)
    for move in result.moves:
        assert move.from_date == published[move.group_id]
        assert move.to_date == placements[move.group_id]
        assert move.to_date not in gone
    assert sum(m.cost for m in result.moves) == best
    assert check(after, groups, placements) == ()
