"""The scheduler's values: what goes in (sessions, groups) and what comes out (a schedule, moves,
reasons why there is no schedule). Plain frozen dataclasses; no Django.

Capacity unit: **seats, counted in students.** A course's "presenters per class" (6 in the seed)
is the number of students who may present in one session, so a group of two uses two of the six
seats. A group is never split across sessions.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

Choice = dt.date | str
"""One ranked preference: a date (that session) or a topic (any session on that topic)."""


def _is_date(value: object) -> bool:
    # datetime is a subclass of date; a datetime here is a caller's bug, not a class date.
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)


@dataclass(frozen=True)
class Session:
    """One class date as the scheduler sees it.

    `seats`: how many students may present that day (presenters per class). `eligible`: whether
    presentations may be scheduled (the class meets and has presentations); ineligible sessions
    are kept only so that explanations can name them ("No class — Fall break"), with `label`
    saying why. `topic`: the day's topic, matched against groups' fixed topics and topic
    preferences; None when the course does not schedule by topic.
    """

    date: dt.date
    seats: int
    eligible: bool = True
    topic: str | None = None
    label: str = ""
    # The class meets with presentations, but the date is outside the course's presentation
    # window (so not eligible): a date staff may choose to open when a group has no other.
    outside_window: bool = False

    def __post_init__(self) -> None:
        if not _is_date(self.date):
            raise ValueError(f"date: {self.date!r} is not a date")
        if isinstance(self.seats, bool) or not isinstance(self.seats, int) or self.seats < 0:
            raise ValueError(f"seats: {self.seats!r} is not a whole number of seats (0 or more)")


@dataclass(frozen=True)
class Group:
    """A presenter group: one or more students who present together, in one session.

    `id` is the caller's opaque key (for example a primary key as a string); `name`, when given,
    is used in explanations instead. `size`: the number of students (seats used).
    `preferences`: ranked choices, best first; each a date or a topic. `unavailable`: dates the
    group cannot present (hard). `fixed_date` and `topic`, when set, are hard constraints: the
    group presents on that date / in a session whose `Session.topic` equals `topic`.
    """

    id: str
    size: int = 1
    preferences: tuple[Choice, ...] = ()
    unavailable: frozenset[dt.date] = frozenset()
    fixed_date: dt.date | None = None
    topic: str | None = None
    name: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id:
            raise ValueError(f"id: {self.id!r} must be a non-empty string")
        if isinstance(self.size, bool) or not isinstance(self.size, int) or self.size < 1:
            raise ValueError(f"size: {self.size!r} must be a whole number of students, at least 1")
        if not isinstance(self.preferences, tuple):
            raise ValueError("preferences: must be a tuple of dates and topics, best first")
        for choice in self.preferences:
            if not (_is_date(choice) or (isinstance(choice, str) and choice)):
                raise ValueError(f"preferences: {choice!r} is neither a date nor a topic")
        if len(set(self.preferences)) != len(self.preferences):
            raise ValueError("preferences: a choice is ranked twice")
        if not isinstance(self.unavailable, frozenset) or not all(
            _is_date(day) for day in self.unavailable
        ):
            raise ValueError("unavailable: must be a frozenset of dates")
        if self.fixed_date is not None and not _is_date(self.fixed_date):
            raise ValueError(f"fixed_date: {self.fixed_date!r} is not a date")

    @property
    def display(self) -> str:
        return self.name or self.id

    def choice_rank(self, session: Session) -> int | None:
        """The 0-based rank of the best preference that `session` satisfies, or None."""
        for rank, choice in enumerate(self.preferences):
            if choice == (session.date if _is_date(choice) else session.topic):
                return rank
        return None


@dataclass(frozen=True)
class Assignment:
    """Where one group presents, and what that costs it.

    `choice` is the 1-based rank of the preference satisfied (1 = first choice), or None when
    the date satisfies none of its preferences. `cost` is `choice - 1`, or the unranked cost.
    """

    group_id: str
    date: dt.date
    cost: int
    choice: int | None


@dataclass(frozen=True)
class Schedule:
    """A complete assignment: every group exactly once, sorted by date, then by group id."""

    assignments: tuple[Assignment, ...]
    total_cost: int
    unranked_cost: int
    # 0.0 when proven optimal; otherwise the solver stopped at its time limit with this schedule
    # and proved it within `gap` (a fraction: 0.05 is 5 %) of the best possible.
    gap: float = 0.0

    def placements(self) -> dict[str, dt.date]:
        """group id -> date, the form `repair` and `check` take."""
        return {a.group_id: a.date for a in self.assignments}

    def by_date(self) -> dict[dt.date, tuple[str, ...]]:
        """date -> group ids presenting that day (only dates with presenters), in date order."""
        days: dict[dt.date, list[str]] = {}
        for a in self.assignments:
            days.setdefault(a.date, []).append(a.group_id)
        return {day: tuple(ids) for day, ids in days.items()}

    def get(self, group_id: str) -> Assignment:
        """The assignment of one group; KeyError when the group is not in the schedule."""
        for a in self.assignments:
            if a.group_id == group_id:
                return a
        raise KeyError(group_id)


@dataclass(frozen=True)
class Move:
    """One group moved by a repair: from a session that is gone to its new one."""

    group_id: str
    from_date: dt.date
    to_date: dt.date
    cost: int
    choice: int | None


@dataclass(frozen=True)
class Repair:
    """The result of `repair` and `reschedule`: the whole new schedule and the moves that led to
    it (the groups not listed in `moves` present exactly where they did before, or are new).

    `unplaced`: with `allow_unplaced`, the groups that could not be placed anywhere (they are
    not in `schedule`); staff decide for them (see `options`)."""

    schedule: Schedule
    moves: tuple[Move, ...]
    unplaced: tuple[Unplaced, ...] = ()


@dataclass(frozen=True)
class Unplaced:
    """A group no date can take as things stand. `from_date`: the date it had (None for a group
    that had none). `reasons`: why, in plain words."""

    group_id: str
    from_date: dt.date | None
    reasons: tuple[str, ...] = ()


class OptionKind(StrEnum):
    """What staff may allow so that an unplaced group gets a date."""

    ADD_SEAT = "add_seat"  # one more seat (or a few) on a full date the group can attend
    USE_DATE = "use_date"  # a class date outside the presentation window
    ALLOW_UNAVAILABLE = "allow_unavailable"  # a date the group marked unavailable


@dataclass(frozen=True)
class Option:
    """One concrete way to place an unplaced group: `kind` on `date`; `seats`: the seats to add
    (ADD_SEAT), 0 otherwise."""

    kind: OptionKind
    date: dt.date
    seats: int
    message: str


class ReasonCode(StrEnum):
    """Why a schedule cannot be made. The app may map codes to form fields."""

    GROUP_TOO_LARGE = "group_too_large"  # the group has more students than a session seats
    FIXED_DATE_NOT_ELIGIBLE = "fixed_date_not_eligible"  # no presentations on its fixed date
    FIXED_DATE_UNAVAILABLE = "fixed_date_unavailable"  # fixed to a date it is unavailable on
    TOPIC_NOT_OFFERED = "topic_not_offered"  # no eligible session has its fixed topic
    UNAVAILABLE_ON_EVERY_DATE = "unavailable_on_every_date"  # unavailable on every candidate
    NOT_ENOUGH_SLOTS = "not_enough_slots"  # these groups need more places than their dates have
    CANNOT_PACK = "cannot_pack"  # enough seats in total, but whole groups cannot be fitted
    TIME_LIMIT = "time_limit"  # the solver's time ran out before it found any schedule


@dataclass(frozen=True)
class InfeasibilityReason:
    """One precise reason. `group_ids`: the groups concerned (sorted). `dates`: the sessions
    involved. `needed`/`available`: for NOT_ENOUGH_SLOTS and CANNOT_PACK, the places (slots or
    seats, as `message` says) the groups need and the places left; 0 otherwise."""

    code: ReasonCode
    message: str
    group_ids: tuple[str, ...]
    dates: tuple[dt.date, ...] = ()
    needed: int = 0
    available: int = 0
    # The cheapest changes that would remove this reason, in plain words, cheapest first.
    remedies: tuple[str, ...] = ()


class ScheduleInfeasible(Exception):
    """No schedule satisfies the hard constraints. `reasons` says which groups and why; the
    app shows each reason's `message` (a 400 with the reasons as the body)."""

    def __init__(self, reasons: Sequence[InfeasibilityReason]) -> None:
        self.reasons: tuple[InfeasibilityReason, ...] = tuple(reasons)
        super().__init__("; ".join(reason.message for reason in self.reasons))


class ViolationCode(StrEnum):
    """What is wrong with a hand-made or swapped schedule (see `check`)."""

    UNKNOWN_GROUP = "unknown_group"
    UNPLACED_GROUP = "unplaced_group"
    NOT_ELIGIBLE = "not_eligible"
    UNAVAILABLE = "unavailable"
    FIXED_DATE = "fixed_date"
    TOPIC = "topic"
    OVER_CAPACITY = "over_capacity"


@dataclass(frozen=True)
class Violation:
    """One broken hard constraint in a given schedule."""

    code: ViolationCode
    message: str
    group_ids: tuple[str, ...]
    date: dt.date | None = None


_DIGITS = re.compile(r"(\d+)")


def group_sort_key(group_id: str) -> tuple[tuple[tuple[int, str], ...], str]:
    """Natural order of group ids ("g2" before "g10"), total thanks to the raw id at the end."""
    parts = tuple(
        (0, f"{int(part):030d}") if part.isdigit() else (1, part)
        for part in _DIGITS.split(group_id)
        if part
    )
    return parts, group_id


def canonical_sessions(sessions: Iterable[Session]) -> tuple[Session, ...]:
    """The sessions sorted by date; ValueError on a date given twice."""
    ordered = tuple(sorted(sessions, key=lambda s: s.date))
    for before, after in itertools.pairwise(ordered):
        if before.date == after.date:
            raise ValueError(f"sessions: {after.date} is given twice")
    return ordered


def canonical_groups(groups: Iterable[Group]) -> tuple[Group, ...]:
    """The groups in natural id order; ValueError on an id given twice."""
    ordered = tuple(sorted(groups, key=lambda g: group_sort_key(g.id)))
    for before, after in itertools.pairwise(ordered):
        if before.id == after.id:
            raise ValueError(f"groups: id {after.id!r} is given twice")
    return ordered
