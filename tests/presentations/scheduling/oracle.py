"""Brute force and random instances for the scheduler's property tests.

The brute force enumerates every way to put each group in a session and keeps the valid ones;
it shares nothing with the solver but the input types, so it checks the solver's optimum and
its verdict on feasibility independently.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping, Sequence

from hypothesis import strategies as st

from presentations.scheduling import Group, Session

BASE = dt.date(2017, 10, 12)
TOPICS = ("cnn", "rnn")


def cost_of(group: Group, session: Session, unranked: int) -> int:
    for rank, choice in enumerate(group.preferences):
        if choice in (session.date, session.topic):
            return rank
    return unranked


def allowed(group: Group, session: Session) -> bool:
    return (
        session.eligible
        and session.date not in group.unavailable
        and (group.fixed_date is None or group.fixed_date == session.date)
        and (group.topic is None or group.topic == session.topic)
    )


def unranked_cost(groups: Sequence[Group]) -> int:
    return max((len(g.preferences) for g in groups), default=0)


def brute_force(
    sessions: Sequence[Session],
    groups: Sequence[Group],
    *,
    unranked: int,
    fixed: Mapping[str, dt.date] | None = None,
) -> int | None:
    """The least total cost of the groups not in `fixed` over every valid placement (the groups
    in `fixed` stay on their dates and take their seats), or None when there is none."""
    fixed = fixed or {}
    by_date = {s.date: s for s in sessions}
    taken: dict[dt.date, int] = {}
    for g in groups:
        if g.id in fixed:
            taken[fixed[g.id]] = taken.get(fixed[g.id], 0) + g.size
    moving = [g for g in groups if g.id not in fixed]
    options = [[s for s in sessions if allowed(g, s)] for g in moving]
    best: int | None = None
    for choice in itertools.product(*options):
        used = dict(taken)
        for g, s in zip(moving, choice, strict=True):
            used[s.date] = used.get(s.date, 0) + g.size
        if any(used[day] > by_date[day].seats for day in used if day in by_date):
            continue
        total = sum(cost_of(g, s, unranked) for g, s in zip(moving, choice, strict=True))
        if best is None or total < best:
            best = total
    return best


@st.composite
def instances(
    draw: st.DrawFn, *, max_groups: int = 5, max_sessions: int = 4
) -> tuple[list[Session], list[Group]]:
    """Small random instances: a few sessions (some ineligible, some with topics) and a few
    groups (sizes 1-3, often all equal; ranked dates and topics; unavailability; now and then a
    fixed date or topic)."""
    offsets = draw(st.lists(st.integers(0, 40), max_size=max_sessions, unique=True))
    dates = [BASE + dt.timedelta(days=o) for o in offsets]
    sessions = [
        Session(
            date=day,
            seats=draw(st.integers(0, 4)),
            eligible=draw(st.sampled_from([True, True, True, False])),
            topic=draw(st.sampled_from([None, *TOPICS])),
            label="",
        )
        for day in dates
    ]
    count = draw(st.integers(0, max_groups))
    uniform = draw(st.booleans())
    common_size = draw(st.integers(1, 2))
    choices: st.SearchStrategy[dt.date | str] = st.sampled_from([*dates, *TOPICS])
    groups = []
    for i in range(count):
        unavailable = (
            frozenset(draw(st.lists(st.sampled_from(dates), max_size=2))) if dates else frozenset()
        )
        fixed = draw(st.sampled_from(dates)) if dates and draw(st.integers(0, 9)) == 0 else None
        topic = draw(st.sampled_from(TOPICS)) if draw(st.integers(0, 9)) == 0 else None
        groups.append(
            Group(
                id=f"g{i}",
                size=common_size if uniform else draw(st.integers(1, 3)),
                preferences=tuple(draw(st.lists(choices, max_size=4, unique=True))),
                unavailable=unavailable,
                fixed_date=fixed,
                topic=topic,
            )
        )
    return sessions, groups
