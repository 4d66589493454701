"""Benchmark of presentations.scheduling against an exact integer programme on the same instance.

Run from the repository root: ``python bench/scheduler.py [--repeats N] [--seed S]``. It builds
seeded random instances of 60 sessions (10 seats each) and

- 500 individual presenters (the issue's size; `solve` takes its assignment path), and
- 250 groups of 1 to 3 students, about 500 students (`solve` takes its integer-programme path),

each ranking 5 dates (skewed towards the middle of the term, so popular dates overflow) and
unavailable on 6. It prints a Markdown table: the median wall time of `solve` over the repeats,
its preference cost, and the cost and time of a plain 0-1 programme of the same objective solved
by `scipy.optimize.milp` (HiGHS) to proven optimality, written here independently of the
scheduler; then the time of a `repair` after three classes are cancelled.

Then (issue #18) the repair after regeneration: the published schedule of the 500 presenters,
three classes cancelled, two dates with fewer seats and 20 presenters unavailable on their
date, solved again by `reschedule` with the published schedule as its baseline; the moves it
makes against the fewest possible (an independent 0-1 programme) and against a fresh `solve`.
And a tight instance of 120 groups of 1 to 3 students (seats for all but 4 of them) solved
with a time limit (`--time-limit`, 5 s by default): the time, the schedule's cost, the gap it
proves, and the optimum of the plain programme given up to 120 s.

The figures recorded in docs/benchmarks.md come from this script. Not a test: nothing here
asserts a time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import scipy
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_matrix

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from presentations.scheduling import Group, Session, repair, reschedule, solve

SESSIONS, SEATS, RANKED, UNAVAILABLE = 60, 10, 5, 6
FIRST_DAY = dt.date(2017, 8, 22)


def make_instance(
    groups: int, sizes: tuple[int, ...], seed: int
) -> tuple[list[Session], list[Group]]:
    rng = random.Random(seed)
    days = [FIRST_DAY + dt.timedelta(days=2 * i + (i // 2)) for i in range(SESSIONS)]
    sessions = [Session(day, SEATS) for day in days]
    # A triangular popularity: mid-term dates are wanted most, so first choices collide.
    weights = [1 + min(i, SESSIONS - 1 - i) for i in range(SESSIONS)]
    result = []
    for g in range(groups):
        ranked: list[dt.date] = []
        while len(ranked) < RANKED:
            day = rng.choices(days, weights)[0]
            if day not in ranked:
                ranked.append(day)
        away = frozenset(rng.sample([d for d in days if d not in ranked], UNAVAILABLE))
        result.append(
            Group(f"g{g}", size=rng.choice(sizes), preferences=tuple(ranked), unavailable=away)
        )
    return sessions, result


def exact_cost(
    sessions: list[Session], groups: list[Group], *, time_limit: float | None = None
) -> float:
    """The optimal total preference cost by a plain 0-1 programme: x[g, s] = 1 when group g
    presents in session s; each group once; seats respected; unavailable pairs left out."""
    unranked = max(len(g.preferences) for g in groups)
    rows, cols, costs, sizes = [], [], [], []
    for i, g in enumerate(groups):
        rank = {day: r for r, day in enumerate(g.preferences)}
        for j, s in enumerate(sessions):
            if s.date not in g.unavailable:
                rows.append(i)
                cols.append(j)
                costs.append(rank.get(s.date, unranked))
                sizes.append(g.size)
    count = len(costs)
    index = np.arange(count)
    result = milp(
        np.array(costs, dtype=float),
        integrality=np.ones(count, dtype=np.int64),
        bounds=Bounds(0, 1),
        constraints=[
            LinearConstraint(csr_matrix((np.ones(count), (rows, index))), 1, 1),
            LinearConstraint(
                csr_matrix((np.array(sizes, dtype=float), (cols, index))),
                -np.inf,
                np.array([s.seats for s in sessions], dtype=float),
            ),
        ],
        options={"mip_rel_gap": 0.0, **({"time_limit": time_limit} if time_limit else {})},
    )
    assert result.x is not None, result.message
    return float(result.fun)


def median_seconds(fn: Callable[[], Any], repeats: int) -> float:
    fn()  # warm-up: imports and first-touch allocations are not measured
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--seed", type=int, default=7643)
    parser.add_argument("--time-limit", type=float, default=5.0)
    args = parser.parse_args()
    print(
        f"Python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}, "
        f"{platform.machine()}; median of {args.repeats} runs, seed {args.seed}\n"
    )
    print("| instance | solver path | solve (median) | cost | exact MILP cost | MILP time |")
    print("|---|---|---|---|---|---|")
    cases = [
        ("500 presenters, 60 sessions x 10 seats", 500, (1,), "assignment"),
        ("250 groups of 1-3 (504 students), 60 x 10", 250, (1, 2, 3), "integer programme"),
    ]
    for label, count, sizes, path in cases:
        sessions, groups = make_instance(count, sizes, args.seed)
        if sizes != (1,):
            label = label.replace("504", str(sum(g.size for g in groups)))
        schedule = solve(sessions, groups)
        seconds = median_seconds(functools.partial(solve, sessions, groups), args.repeats)
        start = time.perf_counter()
        exact = exact_cost(sessions, groups)
        milp_seconds = time.perf_counter() - start
        verdict = "optimal" if schedule.total_cost == round(exact) else "NOT OPTIMAL"
        print(
            f"| {label} | {path} | {seconds * 1000:.0f} ms | {schedule.total_cost} ({verdict}) "
            f"| {exact:.0f} | {milp_seconds * 1000:.0f} ms |"
        )

    sessions, groups = make_instance(500, (1,), args.seed)
    published = solve(sessions, groups).placements()
    cancelled = {sessions[k].date for k in (10, 30, 31)}
    after = [Session(s.date, s.seats, eligible=s.date not in cancelled) for s in sessions]
    result = repair(published, after, groups)
    seconds = median_seconds(lambda: repair(published, after, groups), args.repeats)
    print(
        f"\nrepair after cancelling 3 of 60 sessions (500 presenters): {len(result.moves)} moved, "
        f"{seconds * 1000:.0f} ms (median)"
    )
    regeneration(sessions, groups, published, cancelled, args)
    tight(args)


def regeneration(
    sessions: list[Session],
    groups: list[Group],
    published: dict[str, dt.date],
    cancelled: set[dt.date],
    args: argparse.Namespace,
) -> None:
    """Regenerate after a cancellation, fewer seats and new unavailability, published schedule
    as the baseline: moves against the fewest possible and against a fresh solve."""
    rng = random.Random(args.seed + 1)
    fewer = {sessions[k].date for k in (20, 40)}
    after = [
        Session(
            s.date, s.seats - 3 if s.date in fewer else s.seats, eligible=s.date not in cancelled
        )
        for s in sessions
    ]
    away = set(rng.sample(sorted(published), 20))
    changed = [
        Group(g.id, g.size, g.preferences, g.unavailable | {published[g.id]}) if g.id in away else g
        for g in groups
    ]
    result = reschedule(after, changed, published)
    seconds = median_seconds(lambda: reschedule(after, changed, published), args.repeats)
    fresh = solve(after, changed).placements()
    fresh_moves = sum(fresh[gid] != day for gid, day in published.items())
    start = time.perf_counter()
    fewest = fewest_moves(after, changed, published)
    milp_seconds = time.perf_counter() - start
    verdict = "minimal" if len(result.moves) == fewest else "NOT MINIMAL"
    print(
        "\nregeneration after 3 cancellations, 2 dates with 3 seats fewer, 20 newly unavailable "
        f"(500 presenters): reschedule {len(result.moves)} moved ({verdict}; fewest {fewest}, "
        f"MILP {milp_seconds * 1000:.0f} ms), {seconds * 1000:.0f} ms (median); a fresh solve "
        f"would move {fresh_moves}"
    )


def fewest_moves(
    sessions: list[Session], groups: list[Group], published: dict[str, dt.date]
) -> int:
    """The fewest groups off their published date, by a plain 0-1 programme."""
    open_ = [s for s in sessions if s.eligible]
    rows, cols, costs, sizes = [], [], [], []
    for i, g in enumerate(groups):
        for j, s in enumerate(open_):
            if s.date not in g.unavailable:
                rows.append(i)
                cols.append(j)
                costs.append(float(s.date != published[g.id]))
                sizes.append(g.size)
    count = len(costs)
    index = np.arange(count)
    result = milp(
        np.array(costs),
        integrality=np.ones(count, dtype=np.int64),
        bounds=Bounds(0, 1),
        constraints=[
            LinearConstraint(csr_matrix((np.ones(count), (rows, index))), 1, 1),
            LinearConstraint(
                csr_matrix(
                    (np.array(sizes, dtype=float), (cols, index)), shape=(len(open_), count)
                ),
                -np.inf,
                np.array([s.seats for s in open_], dtype=float),
            ),
        ],
    )
    assert result.success, result.message
    return round(result.fun)


def tight(args: argparse.Namespace) -> None:
    """120 groups of 1-3 students, 6 seats a class and just enough classes: a hard packing,
    solved with the time limit."""
    rng = random.Random(args.seed)
    sizes = [rng.choice((1, 2, 3)) for _ in range(120)]
    students = sum(sizes)
    days = [FIRST_DAY + dt.timedelta(days=2 * i + (i // 2)) for i in range(-(-students // 6))]
    groups = []
    for g, size in enumerate(sizes):
        ranked = tuple(rng.sample(days[len(days) // 4 : 3 * len(days) // 4], 3))
        away = frozenset(rng.sample([d for d in days if d not in ranked], 4))
        groups.append(Group(f"g{g}", size=size, preferences=ranked, unavailable=away))
    sessions = [Session(day, 6) for day in days]
    start = time.perf_counter()
    schedule = solve(sessions, groups, time_limit=args.time_limit)
    seconds = time.perf_counter() - start
    start = time.perf_counter()
    exact = exact_cost(sessions, groups, time_limit=120.0)
    milp_seconds = time.perf_counter() - start
    print(
        f"\ntight: 120 groups of 1-3 ({students} students), {len(days)} sessions x 6 seats "
        f"({len(days) * 6} seats), time limit {args.time_limit:g} s: {seconds:.1f} s, cost "
        f"{schedule.total_cost}, proven gap {schedule.gap:.3%}; plain MILP optimum {exact:.0f} "
        f"({milp_seconds:.1f} s)"
    )


if __name__ == "__main__":
    main()
