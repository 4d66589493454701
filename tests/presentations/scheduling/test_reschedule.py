"""Stability: a new schedule keeps the published one but for the fewest moves the constraints
force, checked against an independent integer programme (scipy's milp, written here apart from
the product's solver); partial repair; options for unplaced groups; the time limit; the
smallest conflicting set of an infeasible instance."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from presentations.scheduling import (
    Group,
    OptionKind,
    ReasonCode,
    ScheduleInfeasible,
    Session,
    check,
    options,
    repair,
    reschedule,
    solve,
)
from tests.presentations.scheduling.oracle import allowed

D = dt.date
BASE = D(2017, 10, 3)


def fewest_moves(
    sessions: Sequence[Session],
    groups: Sequence[Group],
    baseline: Mapping[str, dt.date],
    pinned: set[str],
) -> int | None:
    """The least number of baseline groups off their date over every valid placement of the
    other groups, the pinned ones keeping theirs (and their seats); None when there is none.
    An independent 0-1 programme: one variable per (free group, allowed session)."""
    seats = {s.date: s.seats for s in sessions if s.eligible}
    for g in groups:
        if g.id in pinned and baseline[g.id] in seats:
            seats[baseline[g.id]] -= g.size
    # Pinned groups stay whatever the seats: a day they overfill has none left for others.
    seats = {day: max(value, 0) for day, value in seats.items()}
    free = [g for g in groups if g.id not in pinned]
    pairs = [(i, s.date) for i, g in enumerate(free) for s in sessions if allowed(g, s)]
    if not free:
        return 0
    if not pairs:
        return None
    days = sorted(seats)
    cost = np.array([float(baseline.get(free[i].id, day) != day) for i, day in pairs])
    each = np.zeros((len(free), len(pairs)))
    load = np.zeros((len(days), len(pairs)))
    for col, (i, day) in enumerate(pairs):
        each[i, col] = 1
        load[days.index(day), col] = free[i].size
    result = milp(
        cost,
        integrality=np.ones(len(pairs), dtype=np.int64),
        bounds=Bounds(0, 1),
        constraints=[
            LinearConstraint(each, 1, 1),
            LinearConstraint(load, -np.inf, np.array([seats[d] for d in days], dtype=float)),
        ],
    )
    return None if result.x is None else round(result.fun)


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[list[Session], list[Group], dict[str, dt.date], str]:
    """A published schedule (solved) and one change: a cancelled class, fewer seats, a group
    now unavailable on its date, or an approved swap; `cutoff`: presentations before it are
    given (pinned)."""
    count = draw(st.integers(3, 8))
    dates = [BASE + dt.timedelta(days=2 * i) for i in range(draw(st.integers(3, 6)))]
    seats = draw(st.integers(1, 3))
    uniform = draw(st.booleans())
    sessions = [Session(day, seats) for day in dates]
    groups = [
        Group(
            f"g{i}",
            size=1 if uniform else draw(st.integers(1, 2)),
            preferences=tuple(draw(st.lists(st.sampled_from(dates), max_size=3, unique=True))),
        )
        for i in range(count)
    ]
    try:
        published = solve(sessions, groups).placements()
    except ScheduleInfeasible:
        published = {}
    change = draw(st.sampled_from(["cancel", "capacity", "unavailable", "swap", "none"]))
    return sessions, groups, published, change


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(), st.data())
def test_a_regeneration_moves_exactly_the_fewest_groups_and_never_a_pinned_one(
    scenario: tuple[list[Session], list[Group], dict[str, dt.date], str], data: st.DataObject
) -> None:
    sessions, groups, published, change = scenario
    if not published:
        return
    dates = [s.date for s in sessions]
    cutoff = data.draw(st.sampled_from(dates), label="today")
    past = {gid for gid, day in published.items() if day < cutoff}
    pinned = set(past)
    future = [d for d in dates if d >= cutoff]
    if change == "cancel" and future:
        gone = data.draw(st.sampled_from(future), label="cancelled")
        sessions = [dataclasses.replace(s, eligible=s.date != gone) for s in sessions]
    elif change == "capacity":
        lower = max(0, sessions[0].seats - 1)
        sessions = [
            dataclasses.replace(s, seats=lower) if s.date >= cutoff else s for s in sessions
        ]
    elif change == "unavailable":
        movable = sorted(gid for gid in published if gid not in pinned)
        if movable:
            who = data.draw(st.sampled_from(movable), label="unavailable group")
            groups = [
                dataclasses.replace(g, unavailable=frozenset({published[g.id]}))
                if g.id == who
                else g
                for g in groups
            ]
    elif change == "swap":
        movable = sorted(gid for gid in published if gid not in pinned)
        if len(movable) >= 2:
            a, b = data.draw(st.lists(st.sampled_from(movable), min_size=2, max_size=2,
                                      unique=True), label="swap")  # fmt: skip
            swapped = {**published, a: published[b], b: published[a]}
            if not check(sessions, groups, swapped):
                published = swapped
                pinned |= {a, b}
    expected = fewest_moves(sessions, groups, published, pinned)
    if expected is None:
        with pytest.raises(ScheduleInfeasible):
            reschedule(sessions, groups, published, pinned=pinned)
        return
    result = reschedule(sessions, groups, published, pinned=pinned)
    placements = result.schedule.placements()
    assert len(result.moves) == expected
    assert sum(placements[gid] != day for gid, day in published.items()) == expected
    assert all(placements[gid] == published[gid] for gid in pinned)
    assert check(sessions, groups, placements) == ()


def test_a_new_draft_keeps_the_published_dates_over_better_preferences() -> None:
    sessions = [Session(BASE + dt.timedelta(days=d), 1) for d in (0, 2, 4)]
    published = {"a": sessions[0].date, "b": sessions[1].date}
    # Both now prefer the other's date: swapping would cost nothing, keeping costs 2.
    groups = [
        Group("a", preferences=(sessions[1].date,)),
        Group("b", preferences=(sessions[0].date,)),
        Group("c"),
    ]
    result = reschedule(sessions, groups, published)
    assert result.moves == ()
    assert result.schedule.placements() == {**published, "c": sessions[2].date}


def test_a_partial_repair_moves_those_it_can_and_lists_the_rest() -> None:
    days = [BASE + dt.timedelta(days=d) for d in (0, 2, 4)]
    published = {"a": days[1], "b": days[1], "c": days[0]}
    sessions = [Session(days[0], 2), Session(days[1], 2, eligible=False), Session(days[2], 0)]
    result = repair(published, sessions, [Group("a"), Group("b"), Group("c")], allow_unplaced=True)
    assert [(m.group_id, m.to_date) for m in result.moves] == [("a", days[0])]
    assert [(u.group_id, u.from_date) for u in result.unplaced] == [("b", days[1])]
    assert "b" not in result.schedule.placements()
    with pytest.raises(ScheduleInfeasible):
        repair(published, sessions, [Group("a"), Group("b"), Group("c")])


def test_an_unplaced_group_gets_concrete_options() -> None:
    days = [BASE + dt.timedelta(days=d) for d in (0, 2, 4, 6)]
    sessions = [
        Session(days[0], 1, eligible=False, outside_window=True, label="before presentations"),
        Session(days[1], 1),
        Session(days[2], 1),
        Session(days[3], 0, eligible=False, label="No class"),
    ]
    groups = [Group("a"), Group("b", unavailable=frozenset({days[2]})), Group("c")]
    placements = {"a": days[1], "c": days[2]}
    found = options(sessions, groups, placements, "b", near=days[3])
    kinds = {(o.kind, o.date) for o in found}
    assert (OptionKind.ADD_SEAT, days[1]) in kinds
    assert (OptionKind.USE_DATE, days[0]) in kinds
    assert all(o.date != days[3] for o in found)  # never a day without class
    assert all(o.message and "_" not in o.message for o in found)


def test_the_smallest_conflicting_set_is_named_with_remedies() -> None:
    days = [BASE + dt.timedelta(days=d) for d in range(0, 20, 2)]
    sessions = [Session(day, 1) for day in days]
    # Three groups can only present on the first two dates; seven others anywhere.
    narrow = frozenset(days[2:])
    groups = [Group(f"n{i}", unavailable=narrow) for i in range(3)]
    groups += [Group(f"w{i}") for i in range(7)]
    with pytest.raises(ScheduleInfeasible) as raised:
        solve(sessions, groups)
    (reason,) = raised.value.reasons
    assert reason.code is ReasonCode.NOT_ENOUGH_SLOTS
    assert set(reason.group_ids) == {"n0", "n1", "n2"}
    assert reason.dates == tuple(days[:2])
    assert (reason.needed, reason.available) == (3, 2)
    assert reason.remedies[0].startswith("add 1 seat on")
    assert any("marked unavailable" in r for r in reason.remedies)


def test_a_time_limited_solve_returns_a_valid_schedule_and_its_gap() -> None:
    days = [BASE + dt.timedelta(days=d) for d in range(0, 40, 2)]
    sessions = [Session(day, 5) for day in days]
    groups = [
        Group(f"g{i}", size=1 + i % 3, preferences=(days[i % 20], days[(i * 7 + 1) % 20]))
        for i in range(40)
    ]
    schedule = solve(sessions, groups, time_limit=0.5)
    assert check(sessions, groups, schedule.placements()) == ()
    assert 0.0 <= schedule.gap < 1.0


def test_spread_puts_groups_without_preferences_across_the_term() -> None:
    days = [BASE + dt.timedelta(days=d) for d in (0, 2, 4)]
    schedule = solve([Session(d, 3) for d in days], [Group(f"g{i}") for i in range(3)], spread=True)
    assert sorted(schedule.placements().values()) == days
