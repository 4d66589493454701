"""Writes of the reviews app. Every saved state of a review is kept as a ReviewVersion."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from courses.models import Course, Membership, Role
from courses.selectors import course_sessions
from reviews import guidance_adapter
from reviews.models import (
    FIELD_MAX_CHARS,
    Paper,
    RatingTag,
    Review,
    ReviewRating,
    ReviewVersion,
    RevisionStatus,
)
from reviews.reading_list import Problem, ReadingListError, ReadingListRow

REVIEW_FIELDS = ("summary", "strengths", "weaknesses", "questions", "rating", "confidence")


def default_review_deadline(*, course: Course, session_date: dt.date) -> dt.datetime:
    """23:59 course time on the day before the session."""
    day_before = session_date - dt.timedelta(days=1)
    return dt.datetime.combine(day_before, dt.time(23, 59), tzinfo=ZoneInfo(course.time_zone))


def _check_session(course: Course, session_date: dt.date) -> None:
    session = next((s for s in course_sessions(course=course) if s.date == session_date), None)
    if session is None:
        raise ValidationError({"session_date": f"{session_date} is not a class day of the course"})
    if not session.has_papers:
        raise ValidationError({"session_date": f"{session_date} has no papers: {session.label}"})


DEADLINE_YEARS = range(2000, 2100)


def _check_deadline(paper: Paper) -> None:
    # Far-off years are typos (or a fuzzer's), and would be shown with the odd second-offsets
    # of historical time zones, which are not valid RFC 3339.
    if paper.review_deadline.year not in DEADLINE_YEARS:
        first, last = DEADLINE_YEARS[0], DEADLINE_YEARS[-1]
        raise ValidationError({"review_deadline": f"choose a date between {first} and {last}"})


@transaction.atomic
def paper_create(
    *,
    course: Course,
    session_date: dt.date,
    title: str,
    authors: str = "",
    link: str = "",
    review_deadline: dt.datetime | None = None,
) -> Paper:
    _check_session(course, session_date)
    paper = Paper(
        course=course,
        session_date=session_date,
        title=title,
        authors=authors,
        link=link,
        review_deadline=review_deadline
        or default_review_deadline(course=course, session_date=session_date),
    )
    _check_deadline(paper)
    paper.full_clean()
    paper.save()
    return paper


@transaction.atomic
def paper_update(*, paper: Paper, **fields: Any) -> Paper:
    allowed = {"session_date", "title", "authors", "link", "review_deadline"}
    if set(fields) - allowed:
        raise TypeError(f"unknown paper fields: {sorted(set(fields) - allowed)}")
    if "session_date" in fields and fields["session_date"] != paper.session_date:
        _check_session(paper.course, fields["session_date"])
        if "review_deadline" not in fields:
            fields["review_deadline"] = default_review_deadline(
                course=paper.course, session_date=fields["session_date"]
            )
    for name, value in fields.items():
        setattr(paper, name, value)
    _check_deadline(paper)
    paper.full_clean()
    paper.save()
    return paper


def paper_delete(*, paper: Paper) -> None:
    count = paper.reviews.count()
    if count:
        raise ValidationError(
            {"paper": f"{count} review(s) of this paper exist; students' work is never deleted"}
        )
    paper.delete()


def paper_release(*, paper: Paper, now: dt.datetime | None = None) -> Paper:
    """Make the paper's reviews public now, by moving its review deadline to now: reviews are
    public from the deadline on (selectors.paper_is_released), and later ones are marked late."""
    now = now or timezone.now()
    if now >= paper.review_deadline:
        raise ValidationError({"review_deadline": "the reviews of this paper are already public"})
    return paper_update(paper=paper, review_deadline=now)


# The reading list's column for each field of paper_create, to name a refused cell.
READING_LIST_COLUMNS = {
    "session_date": "date",
    "title": "title",
    "authors": "authors",
    "link": "url",
    "review_deadline": "reviews_due",
}


@transaction.atomic
def reading_list_import(*, course: Course, rows: list[ReadingListRow]) -> list[Paper]:
    """Create a paper for every row (reviews/reading_list.py parses the file), or none: any row
    that paper_create refuses raises ReadingListError naming each such row and column."""
    zone = ZoneInfo(course.time_zone)
    papers: list[Paper] = []
    problems: list[Problem] = []
    for row in rows:
        due = row.reviews_due.replace(tzinfo=zone) if row.reviews_due else None
        try:
            with transaction.atomic():
                papers.append(
                    paper_create(
                        course=course,
                        session_date=row.date,
                        title=row.title,
                        authors=row.authors,
                        link=row.url,
                        review_deadline=due,
                    )
                )
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                column = READING_LIST_COLUMNS.get(field)
                problems += [Problem(row.row, column, message) for message in messages]
    if problems:
        # Raising leaves the atomic block: the papers of the good rows are not kept either.
        raise ReadingListError(problems)
    return papers


def _check_review_fields(values: dict[str, Any]) -> None:
    for name in ("summary", "strengths", "weaknesses"):
        if not str(values.get(name, "")).strip():
            raise ValidationError({name: "This field may not be blank."})


def _analyze(review: Review, *, acknowledged: bool) -> dict[str, Any]:
    """The guidance on the review's text; refuse it only if the course requires acknowledging
    open findings and the student has not."""
    analysis = guidance_adapter.analyze_review_fields(
        summary=review.summary,
        strengths=review.strengths,
        weaknesses=review.weaknesses,
        questions=review.questions,
    )
    required = review.paper.course.reviews_require_acknowledgement
    if required and analysis["findings"] and not acknowledged:
        count = len(analysis["findings"])
        raise ValidationError(
            {
                "acknowledged": f"the writing guidance has {count} open finding(s); "
                "revise the review or acknowledge them to submit as is"
            }
        )
    return analysis


def _save_version(
    review: Review, analysis: dict[str, Any], *, now: dt.datetime, after_release: bool
) -> ReviewVersion:
    review.finding_counts = dict(Counter(f["category"] for f in analysis["findings"]))
    review.save(update_fields=["finding_counts"])
    number = review.versions.count() + 1
    return ReviewVersion.objects.create(
        review=review,
        number=number,
        analysis=analysis,
        after_release=after_release,
        created_at=now,
        **{name: getattr(review, name) for name in REVIEW_FIELDS},
    )


def review_create(
    *,
    paper: Paper,
    author: User,
    now: dt.datetime | None = None,
    acknowledged: bool = False,
    **values: Any,
) -> Review:
    """A student's review of a paper of their course; late ones are accepted and marked."""
    now = now or timezone.now()
    is_student = Membership.objects.filter(
        course_id=paper.course_id, user=author, role=Role.STUDENT, is_active=True
    ).exists()
    if not is_student:
        raise ValidationError({"paper": "only students of the paper's course write reviews"})
    _check_review_fields(values)
    review = Review(
        paper=paper,
        author=author,
        submitted_at=now,
        updated_at=now,
        is_late=now > paper.review_deadline,
        **{name: values.get(name, "") for name in REVIEW_FIELDS},
    )
    review.full_clean(validate_unique=False, validate_constraints=False)
    analysis = _analyze(review, acknowledged=acknowledged)
    try:
        with transaction.atomic():
            review.save()
            _save_version(review, analysis, now=now, after_release=False)
    except IntegrityError:
        raise ValidationError({"paper": "you have already reviewed this paper"}) from None
    return review


@transaction.atomic
def review_update(
    *,
    review: Review,
    now: dt.datetime | None = None,
    acknowledged: bool = False,
    **values: Any,
) -> Review:
    """Save a new version. After release the edit is kept and marked, never silently replaced."""
    now = now or timezone.now()
    unknown = set(values) - set(REVIEW_FIELDS)
    if unknown:
        raise TypeError(f"unknown review fields: {sorted(unknown)}")
    for name, value in values.items():
        setattr(review, name, value)
    _check_review_fields({name: getattr(review, name) for name in REVIEW_FIELDS})
    review.full_clean(validate_unique=False, validate_constraints=False)
    analysis = _analyze(review, acknowledged=acknowledged)
    released = now >= review.paper.review_deadline
    review.updated_at = now
    review.edited_after_release = review.edited_after_release or released
    if review.revision_status == RevisionStatus.NEEDS_REVISION:
        # The new version answers staff's request: it is kept, and staff see it revised.
        review.revision_status = RevisionStatus.REVISED
        review.revised_at = now
    review.save()
    _save_version(review, analysis, now=now, after_release=released)
    return review


def review_rate(
    *,
    review: Review,
    rater: User,
    helpful: bool,
    tags: list[str],
    now: dt.datetime | None = None,
) -> ReviewRating:
    """Rate someone else's review once it is public; rating again replaces the earlier rating."""
    now = now or timezone.now()
    if now < review.paper.review_deadline:
        raise ValidationError({"review": "reviews can be rated once they are public"})
    if review.author_id == rater.pk:
        raise ValidationError({"review": "you cannot rate your own review"})
    unknown = [tag for tag in tags if tag not in RatingTag.values]
    if unknown:
        raise ValidationError({"tags": f"unknown tags {unknown}; use {RatingTag.values}"})
    rating, _ = ReviewRating.objects.update_or_create(
        review=review, rater=rater, defaults={"helpful": helpful, "tags": sorted(set(tags))}
    )
    return rating


def review_request_revision(
    *, review: Review, requested_by: User, note: str, now: dt.datetime | None = None
) -> Review:
    """Staff ask the author to revise the review, saying why; the author sees the note on their
    review, and their next saved version marks it revised. Asking again replaces the note.
    Who may ask (the course's TAs and instructors) is checked by the caller."""
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": "say what should be revised"})
    if len(note) > FIELD_MAX_CHARS:
        raise ValidationError({"note": f"at most {FIELD_MAX_CHARS} characters"})
    if "\x00" in note:  # PostgreSQL refuses NUL in text; the page form does not filter it
        raise ValidationError({"note": "Null characters are not allowed."})
    review.revision_status = RevisionStatus.NEEDS_REVISION
    review.revision_note = note
    review.revision_requested_by = requested_by
    review.revision_requested_at = now or timezone.now()
    review.revised_at = None
    review.save(
        update_fields=[
            "revision_status",
            "revision_note",
            "revision_requested_by",
            "revision_requested_at",
            "revised_at",
        ]
    )
    return review
