"""Job kinds: each app registers what its jobs do (in its AppConfig.ready).

A kind that staff start by hand (from the jobs page or `POST /api/v1/courses/{id}/jobs/`) also
brings a Starter: its own API input, page form and the job input it makes of them, so that this
platform knows no feature.

A kind's `run` does the work and returns the result (a JSON-able dict shown to staff), or
Waiting when it has handed the work on to other workers (bulk regrade hands gradings to the
grading queue): then `poll` is called every few seconds, without holding a worker, until it
returns the result. Both report progress through the callable they are given.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django import forms
    from rest_framework import serializers

    from courses.models import Course
    from jobs.models import Job

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class Waiting:
    """The work goes on elsewhere; poll again, with this bookkeeping in `job.state`."""

    state: dict[str, Any] = field(default_factory=dict)


class JobFailed(Exception):
    """The job cannot do what was asked (the message says why); `result` is still shown."""

    def __init__(self, message: str, result: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.result = result


Outcome = dict[str, Any] | Waiting
Step = Callable[["Job", Progress], Outcome]


@dataclass(frozen=True)
class Starter:
    """How staff start a kind by hand.

    `api_input` validates the API's JSON body (its `kind` field included); `form(data,
    course_id=...)` is the page's form. `prepare(course, cleaned_data)` makes the job's input
    from either, raising ValidationError naming the field when the course lacks what was named.
    """

    api_input: type[serializers.Serializer[Any]]
    form: Callable[..., forms.Form]
    prepare: Callable[[Course, dict[str, Any]], dict[str, Any]]
    heading: str
    button: str


@dataclass(frozen=True)
class JobKind:
    name: str
    label: str
    run: Step
    poll: Step | None = None
    starter: Starter | None = None


KINDS: dict[str, JobKind] = {}


def register(kind: JobKind) -> JobKind:
    KINDS[kind.name] = kind
    return kind


def kind_get(name: str) -> JobKind | None:
    return KINDS.get(name)


def starters() -> dict[str, Starter]:
    """The kinds staff may start by hand, by name, in the order their apps registered them."""
    return {kind.name: kind.starter for kind in KINDS.values() if kind.starter is not None}
