"""The panels of a course's home page: what is due next for a student, and what needs the
attention of the course's staff. Read across the features, so they live in the aggregator."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db.models import Q

from convlab.models import Assignment, Submission, SubmissionStatus
from courses.models import Course
from presentations.models import PresenterGroup, SwapRequest, SwapStatus
from presentations.selectors import group_of_user, schedule_published
from presentations.services._versions import schedule_placements
from presentations.services.slides import slides_deadline
from reviews.models import Paper, Review


@dataclass(frozen=True)
class LabDue:
    assignment: Assignment
    attempts: int  # the student's submissions so far
    best: float | None  # the best score so far (after penalties), or None


@dataclass(frozen=True)
class PresentationDue:
    group: PresenterGroup
    date: dt.date | None  # None: not on the published schedule (or none published)
    slides_due: dt.datetime | None
    slides_in: bool


@dataclass(frozen=True)
class WhatsDue:
    reviews: list[Paper]  # papers still to review, next deadline first
    labs: list[LabDue]  # open labs, next due first
    presentation: PresentationDue | None  # None: the student is in no group


def whats_due(*, course: Course, user: User, now: dt.datetime, count: int = 3) -> WhatsDue:
    """What ``user`` (a student of ``course``) has to do next, as of ``now``."""
    reviewed = Review.objects.filter(author=user, paper__course=course).values("paper_id")
    papers = list(
        Paper.objects.filter(course=course, review_deadline__gt=now)
        .exclude(pk__in=reviewed)
        .order_by("review_deadline", "pk")[:count]
    )
    open_labs = (
        Assignment.objects.filter(course=course, opens_at__lte=now, due_at__gt=now)
        .filter(Q(closes_at__isnull=True) | Q(closes_at__gt=now))
        .order_by("due_at", "pk")[:count]
    )
    labs = []
    for assignment in open_labs:
        mine = Submission.objects.filter(assignment=assignment, student=user)
        scores = [s for s in mine.values_list("score", flat=True) if s is not None]
        labs.append(LabDue(assignment, mine.count(), max(scores) if scores else None))
    group = group_of_user(course=course, user=user)
    presentation = None
    if group is not None:
        published = schedule_published(course=course)
        day = schedule_placements(published).get(str(group.pk)) if published else None
        presentation = PresentationDue(
            group,
            day,
            slides_deadline(group=group) if day is not None else None,
            bool(group.slides_link or group.slides_file),
        )
    return WhatsDue(papers, labs, presentation)


@dataclass(frozen=True)
class NeedsAttention:
    ungraded: int  # submissions received, queued or running
    not_gradable: int  # submissions whose grading failed
    swaps: int  # swap requests both groups accepted, waiting for staff
    late_reviews: int  # reviews marked late
    reviews_due_today: int  # papers whose review deadline falls in the next 24 hours

    @property
    def anything(self) -> bool:
        return any((self.ungraded, self.not_gradable, self.swaps, self.late_reviews))


def needs_attention(*, course: Course, now: dt.datetime) -> NeedsAttention:
    """What the staff of ``course`` may have to act on, as of ``now``."""
    submissions = Submission.objects.filter(assignment__course=course)
    waiting = (SubmissionStatus.RECEIVED, SubmissionStatus.QUEUED, SubmissionStatus.RUNNING)
    return NeedsAttention(
        ungraded=submissions.filter(status__in=waiting).count(),
        not_gradable=submissions.filter(status=SubmissionStatus.ERROR).count(),
        swaps=SwapRequest.objects.filter(course=course, status=SwapStatus.ACCEPTED).count(),
        late_reviews=Review.objects.filter(paper__course=course, is_late=True).count(),
        reviews_due_today=Paper.objects.filter(
            course=course, review_deadline__gt=now, review_deadline__lte=now + dt.timedelta(1)
        ).count(),
    )
