"""Optimal presenter scheduling, minimal-disruption repair, and constraint checks.

Cost model. A group's k-th choice (1-based) costs k - 1; a session matching none of its
choices costs the *unranked cost*, by default the length of the longest preference list among
the groups, so that any ranked choice beats an unranked date for every group alike. The
objective is the total cost over all groups.

Ties. Among schedules of equal total cost, `solve` prefers the one whose presentations are
earliest in the term (smallest sum of session positions), so that with few preferences the
sessions fill from the start without gaps; `repair` prefers moves that are nearest in days to
the cancelled date, and a later date over an equally near earlier one (students keep their
preparation time). Both are folded into one integer objective (primary cost times a weight
larger than any possible tie-break total, plus the tie-break), which keeps the preference cost
strictly first. Inputs are put in canonical order (sessions by date, groups in natural id
order) before solving and the solvers are deterministic, so equal inputs in any order give the
same schedule.

Solvers. When every group to place has the same size (the usual case: individual presenters,
or pairs throughout), seats become slots of one group each and the problem is a transportation
problem, solved exactly by `scipy.optimize.linear_sum_assignment` over the expanded slots.
Groups of different sizes make it a generalised assignment problem (bin packing hides inside,
so no assignment or flow algorithm is exact); it is then solved exactly as a 0-1 integer
programme with `scipy.optimize.milp` (HiGHS branch and bound, zero optimality gap).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol

import numpy as np
from scipy.optimize import (
    Bounds,
    LinearConstraint,
    linear_sum_assignment,
    milp,
)
from scipy.sparse import csr_matrix

from presentations.scheduling._problem import (
    BoolMatrix,
    IntArray,
    Problem,
    candidate_matrix,
    cannot_pack,
    diagnose,
    usable_matrix,
)
from presentations.scheduling.model import (
    Assignment,
    Group,
    Move,
    Repair,
    Schedule,
    ScheduleInfeasible,
    Session,
    Violation,
    ViolationCode,
    canonical_groups,
    canonical_sessions,
    group_sort_key,
)


class CalendarSession(Protocol):
    """What the scheduler reads from a calendar session; `courses.academic_calendar.
    ClassSession` (from `derive_sessions`) has it."""

    @property
    def date(self) -> dt.date: ...
    @property
    def meets(self) -> bool: ...
    @property
    def has_presentations(self) -> bool: ...
    @property
    def label(self) -> str: ...


def sessions_from_calendar(
    class_sessions: Iterable[CalendarSession],
    *,
    seats: int,
    topics: Mapping[dt.date, str] | None = None,
    first_day: dt.date | None = None,
) -> tuple[Session, ...]:
    """The scheduler's sessions for a derived calendar.

    A session is eligible iff the class meets and has presentations (so no `no_class` date and
    no guest lecture), and, when `first_day` is given, it is not before `first_day` (the first
    day presentations may be scheduled). Every session gets `seats` (the course's presenters
    per class, in students) and its topic from `topics`. Ineligible sessions are kept, with their
    calendar label, so that explanations can say why a date is not available.
    """
    topics = topics or {}
    result = []
    for c in class_sessions:
        early = first_day is not None and c.date < first_day
        eligible = c.meets and c.has_presentations and not early
        if eligible:
            label = ""
        elif early and c.meets and c.has_presentations:
            label = f"before presentations start on {first_day}"
        else:
            label = c.label
        result.append(
            Session(
                date=c.date, seats=seats, eligible=eligible, topic=topics.get(c.date), label=label
            )
        )
    return tuple(result)


def solve(
    sessions: Iterable[Session],
    groups: Iterable[Group],
    *,
    unranked_cost: int | None = None,
) -> Schedule:
    """An optimal schedule: every group in exactly one eligible session, no session over its
    seats, no group on a date it is unavailable, on a date other than its fixed date, or in a
    session off its fixed topic; total preference cost minimal (ties as in the module doc).

    Raises ScheduleInfeasible, with every reason found, when no such schedule exists; ValueError
    on malformed input (a date or group id given twice, a negative unranked cost).
    """
    known = canonical_sessions(sessions)
    ordered = canonical_groups(groups)
    unranked = _unranked_cost(ordered, unranked_cost)
    eligible = tuple(s for s in known if s.eligible)
    capacity = np.array([s.seats for s in eligible], dtype=np.int64)
    problem = Problem(ordered, eligible, {s.date: s for s in known}, capacity, capacity.copy())
    allowed = candidate_matrix(problem)
    reasons = diagnose(problem, allowed)
    if reasons:
        raise ScheduleInfeasible(reasons)
    n, k = allowed.shape
    primary = _preference_costs(problem, unranked)
    earliness = np.broadcast_to(np.arange(k, dtype=np.int64), (n, k))
    usable = usable_matrix(problem, allowed)
    chosen = _optimize(problem, usable, primary, earliness)
    if chosen is None:
        raise ScheduleInfeasible([cannot_pack(problem, usable)])
    placed = [
        _assignment(group, eligible[int(j)], int(primary[i, j]))
        for i, (group, j) in enumerate(zip(ordered, chosen, strict=True))
    ]
    return _schedule(placed, unranked)


def repair(
    published: Mapping[str, dt.date],
    sessions: Iterable[Session],
    groups: Iterable[Group],
    *,
    unranked_cost: int | None = None,
) -> Repair:
    """Repair a published schedule after the calendar changed.

    `published`: group id -> date, covering exactly the ids of `groups`. `sessions`: the new
    calendar. The groups whose date is no longer an eligible session move; every other group
    stays exactly where it was (even if its session is now fuller than its seats or it has since
    become unavailable: run `check` to find those, repair never moves them). The moved groups go
    to the seats left over, optimally: least total preference cost, then nearest in days to the
    date they lose, then later rather than earlier.

    Raises ScheduleInfeasible when the moving groups cannot all be placed in the seats left;
    ValueError when `published` and `groups` do not name the same groups.
    """
    known = canonical_sessions(sessions)
    ordered = canonical_groups(groups)
    ids = {g.id for g in ordered}
    if ids != set(published):
        missing = sorted(ids - set(published), key=group_sort_key)
        unknown = sorted(set(published) - ids, key=group_sort_key)
        raise ValueError(
            "published: must place exactly the given groups"
            + (f"; not placed: {', '.join(missing)}" if missing else "")
            + (f"; unknown: {', '.join(unknown)}" if unknown else "")
        )
    unranked = _unranked_cost(ordered, unranked_cost)
    eligible = tuple(s for s in known if s.eligible)
    index = {s.date: j for j, s in enumerate(eligible)}
    staying = [g for g in ordered if published[g.id] in index]
    moving = tuple(g for g in ordered if published[g.id] not in index)
    capacity = np.array([s.seats for s in eligible], dtype=np.int64)
    taken = np.zeros_like(capacity)
    for g in staying:
        taken[index[published[g.id]]] += g.size
    free = np.maximum(capacity - taken, 0)
    problem = Problem(moving, eligible, {s.date: s for s in known}, capacity, free)
    allowed = candidate_matrix(problem)
    reasons = diagnose(problem, allowed)
    if reasons:
        raise ScheduleInfeasible(reasons)
    n, k = allowed.shape
    primary = _preference_costs(problem, unranked)
    old = np.array([published[g.id].toordinal() for g in moving], dtype=np.int64)[:, None]
    new = np.array([s.date.toordinal() for s in eligible], dtype=np.int64)[None, :]
    # Twice the distance in days, plus one when moving earlier: nearest first, later on a tie.
    distance = 2 * np.abs(new - old) + (new < old)
    usable = usable_matrix(problem, allowed)
    chosen = _optimize(problem, usable, primary, distance.reshape(n, k))
    if chosen is None:
        raise ScheduleInfeasible([cannot_pack(problem, usable)])

    placed = []
    for g in staying:
        session = eligible[index[published[g.id]]]
        rank = g.choice_rank(session)
        placed.append(_assignment(g, session, unranked if rank is None else rank))
    moves = []
    for i, (g, j) in enumerate(zip(moving, chosen, strict=True)):
        a = _assignment(g, eligible[int(j)], int(primary[i, j]))
        placed.append(a)
        moves.append(Move(g.id, published[g.id], a.date, a.cost, a.choice))
    moves.sort(key=lambda m: (m.from_date, group_sort_key(m.group_id)))
    return Repair(_schedule(placed, unranked), tuple(moves))


def check(
    sessions: Iterable[Session],
    groups: Iterable[Group],
    placements: Mapping[str, dt.date],
) -> tuple[Violation, ...]:
    """Every hard constraint that `placements` (group id -> date) breaks; empty when it is a
    valid schedule. For hand adjustments and swaps: re-check before saving."""
    known = {s.date: s for s in canonical_sessions(sessions)}
    ordered = canonical_groups(groups)
    by_id = {g.id: g for g in ordered}
    found: list[Violation] = [
        Violation(ViolationCode.UNKNOWN_GROUP, f"group {gid} is not one of the groups", (gid,))
        for gid in sorted(set(placements) - set(by_id), key=group_sort_key)
    ]
    seats_used: dict[dt.date, list[Group]] = {}
    for g in ordered:
        who = f"group {g.display}"
        day = placements.get(g.id)
        if day is None:
            found.append(Violation(ViolationCode.UNPLACED_GROUP, f"{who} has no date", (g.id,)))
            continue
        session = known.get(day)
        if session is None or not session.eligible:
            why = session.label if session is not None and session.label else "not a class date"
            found.append(
                Violation(
                    ViolationCode.NOT_ELIGIBLE,
                    f"{who} is on {day}, which has no presentations ({why})",
                    (g.id,),
                    day,
                )
            )
            continue
        seats_used.setdefault(day, []).append(g)
        if day in g.unavailable:
            found.append(
                Violation(ViolationCode.UNAVAILABLE, f"{who} is unavailable on {day}", (g.id,), day)
            )
        if g.fixed_date is not None and day != g.fixed_date:
            found.append(
                Violation(
                    ViolationCode.FIXED_DATE,
                    f"{who} must present on {g.fixed_date}, not {day}",
                    (g.id,),
                    day,
                )
            )
        if g.topic is not None and session.topic != g.topic:
            found.append(
                Violation(
                    ViolationCode.TOPIC,
                    f"{who} presents on topic {g.topic!r}; {day} is on {session.topic!r}",
                    (g.id,),
                    day,
                )
            )
    for day in sorted(seats_used):
        used = sum(g.size for g in seats_used[day])
        if used > known[day].seats:
            found.append(
                Violation(
                    ViolationCode.OVER_CAPACITY,
                    f"{day} has {used} presenters for {known[day].seats} seats",
                    tuple(g.id for g in seats_used[day]),
                    day,
                )
            )
    return tuple(found)


def _unranked_cost(groups: Sequence[Group], given: int | None) -> int:
    if given is None:
        return max((len(g.preferences) for g in groups), default=0)
    if isinstance(given, bool) or not isinstance(given, int) or given < 0:
        raise ValueError(f"unranked_cost: {given!r} must be a whole number, 0 or more")
    return given


def _preference_costs(problem: Problem, unranked: int) -> IntArray:
    costs = np.full((len(problem.groups), len(problem.sessions)), unranked, dtype=np.int64)
    for i, group in enumerate(problem.groups):
        for j, session in enumerate(problem.sessions):
            rank = group.choice_rank(session)
            if rank is not None:
                costs[i, j] = rank
    return costs


def _optimize(
    problem: Problem, usable: BoolMatrix, primary: IntArray, tiebreak: IntArray
) -> IntArray | None:
    """The session index of each group minimising (total primary, total tie-break)
    lexicographically over the usable pairs, the seats in `problem.free` respected; None when
    groups of different sizes cannot be packed. Precondition: `diagnose` found nothing."""
    n, k = usable.shape
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    # Any complete placement's tie-break total is at most n * max, so one unit of primary cost
    # outweighs every tie-break difference.
    weight = n * int(tiebreak.max(initial=0)) + 1
    cost = primary * weight + tiebreak
    unit = problem.uniform_size
    if unit is not None:
        slots = np.minimum(problem.free // unit, n)
        columns = np.repeat(np.arange(k), slots)
        matrix = cost[:, columns].astype(np.float64)
        matrix[~usable[:, columns]] = np.inf
        rows, picked = linear_sum_assignment(matrix)
        chosen = np.empty(n, dtype=np.int64)
        chosen[rows] = columns[picked]
        return chosen

    gi, sj = np.nonzero(usable)
    count = gi.size
    one_each = csr_matrix((np.ones(count), (gi, np.arange(count))), shape=(n, count))
    seats = csr_matrix(
        (problem.sizes[gi].astype(np.float64), (sj, np.arange(count))), shape=(k, count)
    )
    result = milp(
        cost[gi, sj].astype(np.float64),
        integrality=np.ones(count, dtype=np.int64),
        bounds=Bounds(0, 1),
        constraints=[
            LinearConstraint(one_each, 1, 1),
            LinearConstraint(seats, -np.inf, problem.free.astype(np.float64)),
        ],
        options={"mip_rel_gap": 0.0},
    )
    if result.status == 2:  # infeasible
        return None
    if not result.success:
        raise RuntimeError(f"scheduling MILP did not finish: {result.message}")
    chosen = np.full(n, -1, dtype=np.int64)
    taken = np.asarray(result.x) > 0.5
    chosen[gi[taken]] = sj[taken]
    if (chosen < 0).any():
        raise RuntimeError("scheduling MILP returned a group without a session")
    return chosen


def _assignment(group: Group, session: Session, cost: int) -> Assignment:
    rank = group.choice_rank(session)
    return Assignment(group.id, session.date, cost, None if rank is None else rank + 1)


def _schedule(placed: list[Assignment], unranked: int) -> Schedule:
    placed.sort(key=lambda a: (a.date, group_sort_key(a.group_id)))
    return Schedule(tuple(placed), sum(a.cost for a in placed), unranked)
