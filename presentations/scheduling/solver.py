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
from typing import TYPE_CHECKING, Protocol

import numpy as np
from scipy.optimize import (
    Bounds,
    LinearConstraint,
    linear_sum_assignment,
    milp,
)
from scipy.sparse import csr_matrix

if TYPE_CHECKING:
    from scipy.optimize._milp import _OptionsMILP

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
    InfeasibilityReason,
    Move,
    Option,
    OptionKind,
    ReasonCode,
    Repair,
    Schedule,
    ScheduleInfeasible,
    Session,
    Unplaced,
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
    last_day: dt.date | None = None,
    extra_seats: Mapping[dt.date, int] | None = None,
) -> tuple[Session, ...]:
    """The scheduler's sessions for a derived calendar.

    A session is eligible iff the class meets and has presentations (so no `no_class` date and
    no guest lecture), and it is inside the presentation window: not before `first_day` and not
    after `last_day` when they are given. Every session gets `seats` (the course's presenters
    per class, in students) plus its `extra_seats`, and its topic from `topics`. Ineligible
    sessions are kept, with their calendar label, so that explanations can say why a date is not
    available; those outside the window are marked `outside_window`.
    """
    topics = topics or {}
    extra_seats = extra_seats or {}
    result = []
    for c in class_sessions:
        early = first_day is not None and c.date < first_day
        late = last_day is not None and c.date > last_day
        presents = c.meets and c.has_presentations
        eligible = presents and not early and not late
        if eligible:
            label = ""
        elif presents and early:
            label = f"before presentations start on {first_day}"
        elif presents and late:
            label = f"after presentations end on {last_day}"
        else:
            label = c.label
        result.append(
            Session(
                date=c.date,
                seats=seats + max(extra_seats.get(c.date, 0), 0),
                eligible=eligible,
                topic=topics.get(c.date),
                label=label,
                outside_window=presents and (early or late),
            )
        )
    return tuple(result)


def solve(
    sessions: Iterable[Session],
    groups: Iterable[Group],
    *,
    unranked_cost: int | None = None,
    spread: bool = False,
    time_limit: float | None = None,
) -> Schedule:
    """An optimal schedule: every group in exactly one eligible session, no session over its
    seats, no group on a date it is unavailable, on a date other than its fixed date, or in a
    session off its fixed topic; total preference cost minimal (ties as in the module doc).

    `spread`: among equal-cost schedules prefer one that fills every session's first seats before
    any session's next ones (groups without preferences spread over the term instead of filling
    its first days); exact for groups of one size. `time_limit` (seconds): for groups of several
    sizes (an integer programme), stop then with the best schedule found; `Schedule.gap` says
    how far from optimal it is proven to be at most.

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
    chosen, gap = _optimize(
        problem, usable, primary, earliness, spread=spread, time_limit=time_limit
    )
    if chosen is None:
        raise ScheduleInfeasible([cannot_pack(problem, usable)])
    placed = [
        _assignment(group, eligible[int(j)], int(primary[i, j]))
        for i, (group, j) in enumerate(zip(ordered, chosen, strict=True))
    ]
    return _schedule(placed, unranked, gap)


def repair(
    published: Mapping[str, dt.date],
    sessions: Iterable[Session],
    groups: Iterable[Group],
    *,
    unranked_cost: int | None = None,
    allow_unplaced: bool = False,
) -> Repair:
    """Repair a published schedule after the calendar changed.

    `published`: group id -> date, covering exactly the ids of `groups`. `sessions`: the new
    calendar. The groups whose date is no longer an eligible session move; every other group
    stays exactly where it was (even if its session is now fuller than its seats or it has since
    become unavailable: run `check` to find those, repair never moves them). The moved groups go
    to the seats left over, optimally: least total preference cost, then nearest in days to the
    date they lose, then later rather than earlier.

    Raises ScheduleInfeasible when the moving groups cannot all be placed in the seats left,
    unless `allow_unplaced`: then as many as possible move and the others are returned in
    `Repair.unplaced` (left out of the schedule); ValueError when `published` and `groups` do
    not name the same groups.
    """
    known = canonical_sessions(sessions)
    ordered = canonical_groups(groups)
    _same_groups(published, ordered)
    eligible = tuple(s for s in known if s.eligible)
    index = {s.date: j for j, s in enumerate(eligible)}
    pinned = {g.id for g in ordered if published[g.id] in index}
    return _replace(
        known, ordered, published, pinned, unranked_cost, allow_unplaced, False, None, moves=False
    )


def reschedule(
    sessions: Iterable[Session],
    groups: Iterable[Group],
    baseline: Mapping[str, dt.date],
    *,
    pinned: Iterable[str] = (),
    unranked_cost: int | None = None,
    allow_unplaced: bool = False,
    spread: bool = False,
    time_limit: float | None = None,
) -> Repair:
    """A schedule that keeps the published one (`baseline`: group id -> date) as far as the
    constraints allow: the fewest groups of `baseline` move, then the least preference cost.

    A move costs more than any preference gain, so a group moves only when its date breaks a
    hard constraint (gone from the calendar, over the seats, unavailable, outside the window)
    and no cheaper set of moves repairs it. `pinned` groups (ids of `baseline`: presentations
    already given, approved swaps) stay on their date whatever the constraints, taking their
    seats. Groups not in `baseline` (new ones) are placed where they cost least. Moved groups
    go nearest to their old date, later on a tie.

    With `allow_unplaced`, the most groups that can be placed are, and the others are returned
    in `Repair.unplaced`; otherwise ScheduleInfeasible, as from `solve`.
    """
    known = canonical_sessions(sessions)
    ordered = canonical_groups(groups)
    ids = {g.id for g in ordered}
    unknown = sorted((set(baseline) | set(pinned)) - ids, key=group_sort_key)
    if unknown:
        raise ValueError(f"baseline: unknown groups: {', '.join(unknown)}")
    kept = set(pinned)
    if kept - set(baseline):
        raise ValueError("pinned: a pinned group must have a date in the baseline")
    return _replace(
        known, ordered, baseline, kept, unranked_cost, allow_unplaced, spread, time_limit,
        moves=True,
    )  # fmt: skip


def _same_groups(published: Mapping[str, dt.date], ordered: Sequence[Group]) -> None:
    ids = {g.id for g in ordered}
    if ids != set(published):
        missing = sorted(ids - set(published), key=group_sort_key)
        unknown = sorted(set(published) - ids, key=group_sort_key)
        raise ValueError(
            "published: must place exactly the given groups"
            + (f"; not placed: {', '.join(missing)}" if missing else "")
            + (f"; unknown: {', '.join(unknown)}" if unknown else "")
        )


def _replace(
    known: tuple[Session, ...],
    ordered: tuple[Group, ...],
    baseline: Mapping[str, dt.date],
    pinned: set[str],
    unranked_cost: int | None,
    allow_unplaced: bool,
    spread: bool,
    time_limit: float | None,
    *,
    moves: bool,
) -> Repair:
    """What `repair` and `reschedule` share: `pinned` groups stay and take their seats; the
    others are placed in the seats left, costing (when `moves`) one move each off `baseline`."""
    unranked = _unranked_cost(ordered, unranked_cost)
    eligible = tuple(s for s in known if s.eligible)
    index = {s.date: j for j, s in enumerate(eligible)}
    staying = [g for g in ordered if g.id in pinned]
    placing = tuple(g for g in ordered if g.id not in pinned)
    capacity = np.array([s.seats for s in eligible], dtype=np.int64)
    taken = np.zeros_like(capacity)
    for g in staying:
        if baseline[g.id] in index:
            taken[index[baseline[g.id]]] += g.size
    free = np.maximum(capacity - taken, 0)
    problem = Problem(placing, eligible, {s.date: s for s in known}, capacity, free)
    allowed = candidate_matrix(problem)
    reasons = diagnose(problem, allowed)
    if reasons and not allow_unplaced:
        raise ScheduleInfeasible(reasons)
    n, k = allowed.shape
    preference = _preference_costs(problem, unranked)
    old_dates = [baseline.get(g.id) for g in placing]
    new = np.array([s.date.toordinal() for s in eligible], dtype=np.int64)[None, :]
    old = np.array([d.toordinal() if d else 0 for d in old_dates], dtype=np.int64)[:, None]
    has_old = np.array([d is not None for d in old_dates], dtype=np.bool_)[:, None]
    # Twice the distance in days, plus one when moving earlier: nearest first, later on a tie.
    # A group with no date before: earliest first, as in `solve`.
    distance = np.where(
        has_old,
        2 * np.abs(new - old) + (new < old),
        np.broadcast_to(np.arange(k, dtype=np.int64), (n, k)),
    ).reshape(n, k)
    primary = preference
    if moves and n:
        # One move outweighs every preference cost together.
        moved = has_old & (new != old)
        primary = moved * (n * int(preference.max(initial=0)) + 1) + preference
    usable = usable_matrix(problem, allowed)
    unplaced_cost = n * int(primary.max(initial=0)) + 1 if allow_unplaced else None
    chosen, gap = _optimize(
        problem, usable, primary, distance, spread=spread, unplaced_cost=unplaced_cost,
        time_limit=time_limit,
    )  # fmt: skip
    if chosen is None:
        raise ScheduleInfeasible([cannot_pack(problem, usable)])

    placed = []
    for g in staying:
        day = baseline[g.id]
        session = known_session(known, day)
        rank = g.choice_rank(session)
        placed.append(_assignment(g, session, unranked if rank is None else rank))
    found_moves = []
    left_out = []
    for i, (g, j) in enumerate(zip(placing, chosen, strict=True)):
        before = baseline.get(g.id)
        if j < 0:
            why = tuple(r.message for r in reasons if g.id in r.group_ids) or (
                f"no date has room for group {g.display}",
            )
            left_out.append(Unplaced(g.id, before, why))
            continue
        a = _assignment(g, eligible[int(j)], int(preference[i, j]))
        placed.append(a)
        if before is not None and before != a.date:
            found_moves.append(Move(g.id, before, a.date, a.cost, a.choice))
    found_moves.sort(key=lambda m: (m.from_date, group_sort_key(m.group_id)))
    return Repair(_schedule(placed, unranked, gap), tuple(found_moves), tuple(left_out))


def known_session(known: Sequence[Session], day: dt.date) -> Session:
    """The session on `day`, or an ineligible stand-in when the calendar has no such date."""
    for session in known:
        if session.date == day:
            return session
    return Session(day, 0, eligible=False, label="not a class date")


def options(
    sessions: Iterable[Session],
    groups: Iterable[Group],
    placements: Mapping[str, dt.date],
    group_id: str,
    *,
    near: dt.date | None = None,
    per_kind: int = 2,
) -> tuple[Option, ...]:
    """Concrete ways to place a group no date can take (see `Repair.unplaced`), nearest to `near`
    first (later on a tie): add seats on a full date it can attend, use a class date outside the
    presentation window that has room, or allow a date it marked unavailable that has room.
    `placements`: where the other groups are. At most `per_kind` options of each kind."""
    known = canonical_sessions(sessions)
    by_id = {g.id: g for g in canonical_groups(groups)}
    group = by_id[group_id]
    used: dict[dt.date, int] = {}
    for gid, when in placements.items():
        if gid != group_id and gid in by_id:
            used[when] = used.get(when, 0) + by_id[gid].size
    anchor = near or (known[0].date if known else dt.date.min)

    def order(session: Session) -> tuple[int, int]:
        days = (session.date - anchor).days
        return abs(days), int(days < 0)

    def fits_rules(session: Session) -> bool:
        return (group.fixed_date is None or session.date == group.fixed_date) and (
            group.topic is None or session.topic == group.topic
        )

    found: list[Option] = []
    add_seat = []
    use_date = []
    unavailable = []
    for session in sorted(known, key=order):
        if not fits_rules(session):
            continue
        room = session.seats - used.get(session.date, 0)
        day = f"{session.date:%a %b} {session.date.day}"
        if session.eligible and session.date not in group.unavailable and room < group.size:
            more = group.size - max(room, 0)
            add_seat.append(
                Option(OptionKind.ADD_SEAT, session.date, more,
                       f"Add {_seats(more)} on {day}")
            )  # fmt: skip
        elif session.outside_window and session.date not in group.unavailable:
            if room >= group.size:
                use_date.append(
                    Option(OptionKind.USE_DATE, session.date, 0,
                           f"Use {day} (outside the presentation window)")
                )  # fmt: skip
        elif session.eligible and session.date in group.unavailable and room >= group.size:
            unavailable.append(
                Option(OptionKind.ALLOW_UNAVAILABLE, session.date, 0,
                       f"Allow {day}, which the group marked unavailable")
            )  # fmt: skip
    for kind in (add_seat, use_date, unavailable):
        found.extend(kind[:per_kind])
    return tuple(found)


def _seats(n: int) -> str:
    return "1 seat" if n == 1 else f"{n} seats"


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
    problem: Problem,
    usable: BoolMatrix,
    primary: IntArray,
    tiebreak: IntArray,
    *,
    spread: bool = False,
    unplaced_cost: int | None = None,
    time_limit: float | None = None,
) -> tuple[IntArray | None, float]:
    """The session index of each group minimising (total primary, total tie-break)
    lexicographically over the usable pairs, the seats in `problem.free` respected, and the
    proven relative gap (0.0: optimal). A group's index is -1 when it is left unplaced, which
    `unplaced_cost` (in primary units) allows; None when groups of different sizes cannot be
    packed. `spread` (one size only): fill every session's first seats before any next ones.
    Precondition, unless `unplaced_cost`: `diagnose` found nothing."""
    n, k = usable.shape
    if n == 0:
        return np.zeros(0, dtype=np.int64), 0.0
    unit = problem.uniform_size
    if unit is not None:
        slots = np.minimum(problem.free // unit, n)
        columns = np.repeat(np.arange(k), slots)
        starts = np.repeat(np.cumsum(slots) - slots, slots)
        rank = np.arange(columns.size, dtype=np.int64) - starts  # seat order within a session
        spread_step = int(tiebreak.max(initial=0)) + 1
        slot_tiebreak = tiebreak[:, columns] + (rank * spread_step if spread else 0)
        # Any complete placement's tie-break total is at most n * max, so one unit of primary
        # cost outweighs every tie-break difference.
        weight = n * int(slot_tiebreak.max(initial=0)) + 1
        matrix = (primary[:, columns] * weight + slot_tiebreak).astype(np.float64)
        matrix[~usable[:, columns]] = np.inf
        if unplaced_cost is not None:
            matrix = np.hstack([matrix, np.full((n, n), float(unplaced_cost * weight))])
        try:
            rows, picked = linear_sum_assignment(matrix)
        except ValueError:  # no complete assignment: diagnose said why
            return None, 0.0
        chosen = np.full(n, -1, dtype=np.int64)
        real = picked < columns.size
        chosen[rows[real]] = columns[picked[real]]
        return chosen, 0.0

    weight = n * int(tiebreak.max(initial=0)) + 1
    cost = primary * weight + tiebreak
    gi, sj = np.nonzero(usable)
    count = gi.size
    extra = n if unplaced_cost is not None else 0
    one_each = csr_matrix(
        (
            np.ones(count + extra),
            (np.concatenate([gi, np.arange(extra)]), np.arange(count + extra)),
        ),
        shape=(n, count + extra),
    )
    seats = csr_matrix(
        (problem.sizes[gi].astype(np.float64), (sj, np.arange(count))), shape=(k, count + extra)
    )
    objective = np.concatenate(
        [cost[gi, sj].astype(np.float64), np.full(extra, float((unplaced_cost or 0) * weight))]
    )
    settings: _OptionsMILP = {"mip_rel_gap": 0.0}
    if time_limit is not None:
        settings["time_limit"] = float(time_limit)
    result = milp(
        objective,
        integrality=np.ones(count + extra, dtype=np.int64),
        bounds=Bounds(0, 1),
        constraints=[
            LinearConstraint(one_each, 1, 1),
            LinearConstraint(seats, -np.inf, problem.free.astype(np.float64)),
        ],
        options=settings,
    )
    if result.status == 2:  # infeasible
        return None, 0.0
    if result.x is None:
        if time_limit is not None:
            raise ScheduleInfeasible(
                [
                    InfeasibilityReason(
                        ReasonCode.TIME_LIMIT,
                        f"no schedule was found within the time limit ({time_limit:g} s); "
                        "allow the solver more time or loosen the constraints",
                        tuple(g.id for g in problem.groups),
                    )
                ]
            )
        raise RuntimeError(f"scheduling MILP did not finish: {result.message}")
    chosen = np.full(n, -1, dtype=np.int64)
    taken = np.asarray(result.x)[:count] > 0.5
    chosen[gi[taken]] = sj[taken]
    left = np.asarray(result.x)[count:] > 0.5
    if (chosen < 0).sum() != left.sum():
        raise RuntimeError("scheduling MILP returned a group without a session")
    gap = 0.0
    if result.status != 0:
        bound = float(getattr(result, "mip_dual_bound", 0.0) or 0.0)
        found = float(result.fun)
        gap = max(0.0, (found - bound) / abs(found)) if found else 0.0
    return chosen, gap


def _assignment(group: Group, session: Session, cost: int) -> Assignment:
    rank = group.choice_rank(session)
    return Assignment(group.id, session.date, cost, None if rank is None else rank + 1)


def _schedule(placed: list[Assignment], unranked: int, gap: float = 0.0) -> Schedule:
    placed.sort(key=lambda a: (a.date, group_sort_key(a.group_id)))
    return Schedule(tuple(placed), sum(a.cost for a in placed), unranked, gap)
