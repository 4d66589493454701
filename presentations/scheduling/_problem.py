"""The placement problem shared by `solve` and `repair`, and its infeasibility diagnosis.

A problem is: groups to place, the eligible sessions with their seats (`capacity`, the full
presenters-per-class) and the seats still free (`free`: equal to capacity for a fresh schedule,
capacity minus the groups that stay for a repair), and for every group the sessions its hard
constraints allow (`candidate`).

Diagnosis first checks each group on its own (too large, fixed to a date without presentations,
unavailable on every date, ...), then looks for a set of groups that compete for too few places:
by Hall's theorem a complete placement exists iff no set of groups needs more places than the
sessions they can use offer together. A maximum flow finds the worst such set when there is one
(the source side of a minimum cut), which is exactly the "14 groups need a slot; 12 eligible slots
remain between ..." explanation. When groups have different sizes that flow is a relaxation (it
may split a group across sessions), so the solver can still find no packing of whole groups; it
then reports CANNOT_PACK.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.sparse import coo_array, coo_matrix, csr_array
from scipy.sparse.csgraph import (
    breadth_first_order,
    connected_components,
    maximum_flow,
)

from presentations.scheduling.model import Group, InfeasibilityReason, ReasonCode, Session

BoolMatrix = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]

_NAMES_SHOWN = 8
_DATES_SHOWN = 4


@dataclass(frozen=True)
class Problem:
    groups: tuple[Group, ...]  # canonical order
    sessions: tuple[Session, ...]  # eligible sessions, by date
    known: dict[dt.date, Session]  # every session given, eligible or not, for labels
    capacity: IntArray  # seats per eligible session
    free: IntArray  # seats still free per eligible session

    @property
    def sizes(self) -> IntArray:
        return np.array([g.size for g in self.groups], dtype=np.int64)

    @property
    def uniform_size(self) -> int | None:
        """The common size when every group has the same size: then places are counted in
        slots (one group each) and the problem is a transportation problem."""
        sizes = {g.size for g in self.groups}
        return sizes.pop() if len(sizes) == 1 else None


def candidate_matrix(problem: Problem) -> BoolMatrix:
    """groups x sessions: the sessions each group's date, topic and availability allow."""
    n, k = len(problem.groups), len(problem.sessions)
    allowed = np.zeros((n, k), dtype=np.bool_)
    for i, group in enumerate(problem.groups):
        for j, session in enumerate(problem.sessions):
            allowed[i, j] = (
                (group.fixed_date is None or session.date == group.fixed_date)
                and (group.topic is None or session.topic == group.topic)
                and session.date not in group.unavailable
            )
    return allowed


def usable_matrix(problem: Problem, allowed: BoolMatrix) -> BoolMatrix:
    """Candidates where the whole group also fits in the seats still free."""
    return allowed & (problem.sizes[:, None] <= problem.free[None, :])


def diagnose(problem: Problem, allowed: BoolMatrix) -> list[InfeasibilityReason]:
    """Every reason why no complete placement exists (empty: the flow relaxation is feasible,
    which for groups of one size means a schedule exists)."""
    n, k = allowed.shape
    if n == 0:
        return []
    if k == 0:
        return [
            InfeasibilityReason(
                code=ReasonCode.NOT_ENOUGH_SLOTS,
                message=f"{_count(n, 'group')} need{_s(n)} a slot; no eligible slots remain",
                group_ids=tuple(g.id for g in problem.groups),
                needed=n if problem.uniform_size else int(problem.sizes.sum()),
            )
        ]
    reasons: list[InfeasibilityReason] = []
    placeable: list[int] = []
    for i, group in enumerate(problem.groups):
        reason = _group_reason(problem, group, allowed[i])
        if reason is None:
            placeable.append(i)
        else:
            reasons.append(reason)
    reasons.extend(_hall_reasons(problem, allowed, placeable))
    return reasons


def _group_reason(
    problem: Problem, group: Group, allowed: npt.NDArray[np.bool_]
) -> InfeasibilityReason | None:
    """Why this group cannot be placed whatever the others do, or None."""
    sessions = problem.sessions
    who = f"group {group.display}"

    def reason(
        code: ReasonCode, message: str, dates: Sequence[dt.date] = ()
    ) -> InfeasibilityReason:
        return InfeasibilityReason(code, message, (group.id,), tuple(dates))

    if group.fixed_date is not None:
        day = group.fixed_date
        if not any(s.date == day for s in sessions):
            known = problem.known.get(day)
            why = f"({known.label})" if known is not None and known.label else "(not a class date)"
            return reason(
                ReasonCode.FIXED_DATE_NOT_ELIGIBLE,
                f"{who} is fixed to {day}, which has no presentations {why}",
                [day],
            )
    candidates = [
        s
        for s in sessions
        if (group.fixed_date is None or s.date == group.fixed_date)
        and (group.topic is None or s.topic == group.topic)
    ]
    if not candidates:
        topic = group.topic or ""
        where = f" on {group.fixed_date}" if group.fixed_date is not None else ""
        return reason(
            ReasonCode.TOPIC_NOT_OFFERED,
            f"{who} presents on topic {topic!r}, which no eligible session{where} has",
        )
    if not allowed.any():
        dates = [s.date for s in candidates]
        if group.fixed_date is not None:
            return reason(
                ReasonCode.FIXED_DATE_UNAVAILABLE,
                f"{who} is fixed to {group.fixed_date} but unavailable that day",
                dates,
            )
        scope = "eligible date" if len(candidates) == len(sessions) else "eligible date it may use"
        return reason(
            ReasonCode.UNAVAILABLE_ON_EVERY_DATE,
            f"{who} is unavailable on every {scope} ({_describe_dates(dates)})",
            dates,
        )
    index = {s.date: j for j, s in enumerate(sessions)}
    open_dates = [s.date for s in sessions if allowed[index[s.date]]]
    largest = max(int(problem.capacity[index[d]]) for d in open_dates)
    if group.size > largest:
        return reason(
            ReasonCode.GROUP_TOO_LARGE,
            f"{who} has {_count(group.size, 'student')}; "
            f"a session it can attend seats at most {largest}",
            open_dates,
        )
    most_free = max(int(problem.free[index[d]]) for d in open_dates)
    # Some seats are free, but no date has enough of them together for this group. (When no
    # seat is free at all, the Hall sets below say it better, for all such groups at once.)
    if 0 < most_free < group.size:
        return InfeasibilityReason(
            ReasonCode.NOT_ENOUGH_SLOTS,
            f"{who} needs {_count(group.size, 'seat')} in one session; "
            f"at most {most_free} remain{_s(most_free)} on any date it can attend "
            f"({_describe_dates(open_dates)})",
            (group.id,),
            tuple(open_dates),
            needed=group.size,
            available=most_free,
        )
    return None


def _hall_reasons(
    problem: Problem, allowed: BoolMatrix, placeable: list[int]
) -> list[InfeasibilityReason]:
    """The groups (among `placeable`) that compete for too few places, one reason per set of
    groups sharing dates."""
    if not placeable:
        return []
    groups = [problem.groups[i] for i in placeable]
    sizes = {g.size for g in groups}
    # One size among the groups still in question: count in slots, which is exact (Hall).
    unit = sizes.pop() if len(sizes) == 1 else None
    edges = allowed[placeable]
    if unit is None:
        # Seats relaxation: an edge only where the whole group fits in the seats left (or where
        # none are left: no capacity, but the full dates belong in the explanation).
        fits = usable_matrix(problem, allowed) | (problem.free == 0)[None, :]
        edges = (allowed & fits)[placeable]
    k = edges.shape[1]
    n = len(groups)
    demand = np.array([1 if unit else g.size for g in groups], dtype=np.int64)
    places = problem.free // unit if unit else problem.free.copy()
    big = int(demand.sum()) + 1

    source, sink = 0, n + k + 1
    rows: list[IntArray] = []
    cols: list[IntArray] = []
    caps: list[IntArray] = []
    g_nodes = np.arange(1, n + 1, dtype=np.int64)
    s_nodes = np.arange(n + 1, n + k + 1, dtype=np.int64)
    rows.append(np.zeros(n, dtype=np.int64))
    cols.append(g_nodes)
    caps.append(demand)
    gi, sj = np.nonzero(edges)
    rows.append(g_nodes[gi])
    cols.append(s_nodes[sj])
    # Unbounded group -> session edges: then a group on the source side of a minimum cut has
    # all its sessions there too, so the cut reads directly as a Hall set.
    caps.append(np.full(gi.size, big, dtype=np.int64))
    rows.append(s_nodes)
    cols.append(np.full(k, sink, dtype=np.int64))
    caps.append(places.astype(np.int64))
    size = n + k + 2
    capacity = csr_array(
        coo_array(
            (np.concatenate(caps), (np.concatenate(rows), np.concatenate(cols))),
            shape=(size, size),
        ).astype(np.int32)
    )
    flow = maximum_flow(capacity, source, sink)
    if int(flow.flow_value) >= int(demand.sum()):
        return []
    residual = csr_array(capacity - flow.flow)
    residual.data[residual.data < 0] = 0
    residual.eliminate_zeros()
    reached = np.asarray(breadth_first_order(residual, source, directed=True)[0])
    on_source_side = np.zeros(size, dtype=np.bool_)
    on_source_side[reached] = True
    g_in = np.nonzero(on_source_side[g_nodes])[0]
    s_in = np.nonzero(on_source_side[s_nodes])[0]

    # Split the deficient set into groups that share dates, so each reason is self-contained.
    sub = edges[np.ix_(g_in, s_in)]
    m = g_in.size + s_in.size
    bipartite = coo_matrix(
        (
            np.ones(int(sub.sum()), dtype=np.int8),
            (np.nonzero(sub)[0], g_in.size + np.nonzero(sub)[1]),
        ),
        shape=(m, m),
    )
    _, labels = connected_components(bipartite, directed=False)
    labels = np.asarray(labels)
    reasons = []
    for label in sorted(set(labels[: g_in.size].tolist())):
        comp_groups = g_in[labels[: g_in.size] == label]
        comp_sessions = s_in[labels[g_in.size :] == label]
        if int(demand[comp_groups].sum()) <= int(places[comp_sessions].sum()):
            continue
        comp_groups, comp_sessions = _narrowest(edges, demand, places, comp_groups)
        needed = int(demand[comp_groups].sum())
        available = int(places[comp_sessions].sum())
        reason = _shortage(
            problem,
            [groups[i] for i in comp_groups],
            [problem.sessions[j].date for j in comp_sessions],
            needed,
            available,
            all_groups=comp_groups.size == len(problem.groups),
            slots=unit is not None,
        )
        remedies = _remedies(
            problem,
            [groups[i] for i in comp_groups],
            set(comp_sessions.tolist()),
            short=needed - available,
            unit=unit,
        )
        reasons.append(dataclasses.replace(reason, remedies=remedies))
    return reasons


def _deficient(edges: BoolMatrix, demand: IntArray, places: IntArray, rows: IntArray) -> bool:
    """Whether the groups `rows` need more places than the sessions they can use offer
    together, once each is placed where it can (a maximum flow: Hall's condition)."""
    sub = edges[rows]
    cols = np.nonzero(sub.any(axis=0))[0]
    need = int(demand[rows].sum())
    have = int(places[cols].sum())
    if need > have:
        return True
    n, k = rows.size, cols.size
    size = n + k + 2
    gi, sj = np.nonzero(sub[:, cols])
    big = need + 1
    source_rows = np.concatenate([np.zeros(n, dtype=np.int64), 1 + gi, 1 + n + np.arange(k)])
    target_cols = np.concatenate(
        [1 + np.arange(n), 1 + n + sj, np.full(k, size - 1, dtype=np.int64)]
    )
    caps = np.concatenate(
        [demand[rows], np.full(gi.size, big, dtype=np.int64), places[cols]]
    ).astype(np.int32)
    graph = csr_array(coo_array((caps, (source_rows, target_cols)), shape=(size, size)))
    return int(maximum_flow(graph, 0, size - 1).flow_value) < need


def _narrowest(
    edges: BoolMatrix, demand: IntArray, places: IntArray, rows: IntArray
) -> tuple[IntArray, IntArray]:
    """The groups that cause a shortage, not every group that competes for the dates.

    A deletion filter finds an inclusion-minimal deficient set S (no group can be left out and
    still leave too few places); the answer is every group of `rows` confined to the dates S can
    use, so that interchangeable groups are all named (not an arbitrary few of them), with
    those dates."""
    kept = list(rows.tolist())
    for row in list(kept):
        trial = [r for r in kept if r != row]
        if trial and _deficient(edges, demand, places, np.array(trial, dtype=np.int64)):
            kept = trial
    dates = edges[kept].any(axis=0)
    confined = np.array([r for r in rows.tolist() if not (edges[r] & ~dates).any()], dtype=np.int64)
    return confined, np.nonzero(dates)[0]


_REMEDIES_SHOWN = 3


def _remedies(
    problem: Problem, groups: list[Group], dates: set[int], *, short: int, unit: int | None
) -> tuple[str, ...]:
    """The cheapest changes that make room: seats on the dates in question first (one change
    for everyone), then what a single group could be allowed (each frees one of the places)."""
    chosen = [problem.sessions[j].date for j in sorted(dates)]
    seats = short * unit if unit else short
    found = [
        f"add {_count(seats, 'seat')} on {_describe_dates(chosen)}"
        + (f" (for example on {chosen[0]})" if len(chosen) > 1 else "")
    ]
    others = [
        j
        for j, session in enumerate(problem.sessions)
        if j not in dates and int(problem.free[j]) > 0
    ]
    for group in groups:
        if len(found) > _REMEDIES_SHOWN:
            break
        who = f"group {group.display}"
        for j in others:
            day = problem.sessions[j].date
            if group.size > int(problem.free[j]):
                continue
            if group.fixed_date is not None and day != group.fixed_date:
                found.append(f"let {who} present on {day} instead of its fixed date")
                break
            if day in group.unavailable:
                found.append(f"let {who} present on {day}, a date it marked unavailable")
                break
    window = sorted(day for day, session in problem.known.items() if session.outside_window)
    if window:
        found.append(
            f"open {_describe_dates(window)} (outside the presentation window) to presentations"
        )
    return tuple(found[: _REMEDIES_SHOWN + 1])


def _shortage(
    problem: Problem,
    groups: list[Group],
    dates: list[dt.date],
    needed: int,
    available: int,
    *,
    all_groups: bool,
    slots: bool,
) -> InfeasibilityReason:
    n = len(groups)
    if n == 1:
        subject = f"group {groups[0].display}"
    elif all_groups:
        subject = _count(n, "group")
    else:
        names = [g.display for g in groups]
        shown = ", ".join(names[:_NAMES_SHOWN])
        more = f" and {n - _NAMES_SHOWN} more" if n > _NAMES_SHOWN else ""
        subject = f"{n} groups ({shown}{more})"
    if len(dates) == len(problem.sessions):
        where = f"between {dates[0]} and {dates[-1]}"
    else:
        where = f"on {_describe_dates(dates)}"
    verb = "needs" if n == 1 else "need"
    remain = "remains" if available == 1 else "remain"
    if slots:
        message = f"{subject} {verb} a slot; {_count(available, 'eligible slot')} {remain} {where}"
    else:
        students = sum(g.size for g in groups)
        message = (
            f"{subject} ({_count(students, 'student')}) {verb} {_count(needed, 'seat')}; "
            f"{_count(available, 'eligible seat')} {remain} {where}"
        )
    return InfeasibilityReason(
        ReasonCode.NOT_ENOUGH_SLOTS,
        message,
        tuple(g.id for g in groups),
        tuple(dates),
        needed=needed,
        available=available,
    )


def cannot_pack(problem: Problem, usable: BoolMatrix) -> InfeasibilityReason:
    """The reason when the seats suffice in total but no packing of whole groups exists."""
    used = np.nonzero(usable.any(axis=0))[0]
    dates = [problem.sessions[j].date for j in used]
    needed = int(problem.sizes.sum())
    available = int(problem.free[used].sum())
    sizes = ", ".join(str(s) for s in sorted({g.size for g in problem.groups}))
    return InfeasibilityReason(
        ReasonCode.CANNOT_PACK,
        f"{_count(len(problem.groups), 'group')} of sizes {sizes} need {needed} seats and "
        f"{available} remain {_where(problem, dates)}, but whole groups cannot be fitted "
        "into the seats left in each session",
        tuple(g.id for g in problem.groups),
        tuple(dates),
        needed=needed,
        available=available,
    )


def _where(problem: Problem, dates: list[dt.date]) -> str:
    if not dates:
        return "on no date"
    if len(dates) == len(problem.sessions):
        return f"between {dates[0]} and {dates[-1]}"
    return f"on {_describe_dates(dates)}"


def _describe_dates(dates: Sequence[dt.date]) -> str:
    if len(dates) > _DATES_SHOWN:
        return f"{len(dates)} dates between {dates[0]} and {dates[-1]}"
    text = [str(d) for d in dates]
    return text[0] if len(text) == 1 else ", ".join(text[:-1]) + " and " + text[-1]


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _s(n: int) -> str:
    """Verb agreement: "needs"/"remains" for one, "need"/"remain" for several."""
    return "s" if n == 1 else ""
