"""The bulk_regrade job kind: regrade every submission of a convlab assignment (staff start it
from the jobs page or `POST /api/v1/courses/{id}/jobs/`).

The regrades go through convlab's own service (submission_regrade: the submission goes back to
received and is queued for the grading workers), so the gradings spread over every grading
worker instead of running one after another in the job. The job then polls: a submission
counts as regraded once it is final again with a grading run newer than the ones it had.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Max

from convlab import services as convlab_services
from convlab.forms import BulkRegradeForm
from convlab.models import FINAL_STATUSES, Assignment, Submission
from convlab.serializers import BulkRegradeInput
from courses.models import Course
from jobs.models import Job
from jobs.registry import JobFailed, JobKind, Outcome, Progress, Starter, Waiting, register

KIND = "bulk_regrade"


def regrade_prepare(course: Course, data: dict[str, Any]) -> dict[str, Any]:
    """The job's input from the page's form (an Assignment) or the API's body (a slug)."""
    assignment = data["assignment"]
    if not isinstance(assignment, Assignment):
        slug = assignment
        assignment = Assignment.objects.filter(course=course, slug=slug).first()
        if assignment is None:
            raise ValidationError({"assignment": f"no lab {slug!r} in this course"})
    return {"assignment_id": assignment.pk}


def _last_runs(ids: list[int]) -> dict[int, int]:
    """The number of each submission's latest grading run (0 when it has none)."""
    rows = Submission.objects.filter(pk__in=ids).annotate(last=Max("runs__number"))
    return {row.pk: row.last or 0 for row in rows}


def regrade_run(job: Job, progress: Progress) -> Outcome:
    assignment = Assignment.objects.filter(
        course_id=job.course_id, pk=job.input.get("assignment_id")
    ).first()
    if assignment is None:
        raise JobFailed("the assignment no longer exists")
    submissions = list(Submission.objects.filter(assignment=assignment).order_by("pk"))
    before = _last_runs([s.pk for s in submissions])
    queued: dict[str, int] = {}
    skipped: list[int] = []
    for index, submission in enumerate(submissions, start=1):
        try:
            convlab_services.submission_regrade(submission=submission)
        except ValidationError:
            skipped.append(submission.pk)  # still being graded: its grading is already fresh
        else:
            queued[str(submission.pk)] = before[submission.pk]
        progress(0, len(queued), f"Queued {index} of {len(submissions)} submissions")
    if not queued:
        return _result(assignment, {}, skipped)
    return Waiting({"assignment_id": assignment.pk, "queued": queued, "skipped": skipped})


def regrade_poll(job: Job, progress: Progress) -> Outcome:
    queued: dict[str, int] = job.state["queued"]
    ids = [int(pk) for pk in queued]
    final = Submission.objects.filter(pk__in=ids, status__in=FINAL_STATUSES)
    latest = _last_runs(list(final.values_list("pk", flat=True)))
    regraded = {pk: run for pk, run in latest.items() if run > queued[str(pk)]}
    progress(len(regraded), len(ids), f"Regraded {len(regraded)} of {len(ids)} submissions")
    if len(regraded) < len(ids):
        return Waiting(job.state)
    assignment = Assignment.objects.get(pk=job.state["assignment_id"])
    return _result(assignment, queued, job.state["skipped"])


def _result(assignment: Assignment, queued: dict[str, int], skipped: list[int]) -> dict[str, Any]:
    counts = Submission.objects.filter(pk__in=[int(pk) for pk in queued])
    graded = counts.filter(gradable=True).count()
    return {
        "assignment": assignment.slug,
        "regraded": len(queued),
        "gradable": graded,
        "not_gradable": len(queued) - graded,
        "skipped_in_progress": skipped,
        "message": f"Regraded {len(queued)} submissions of {assignment.title}"
        + (f"; {len(skipped)} were being graded already" if skipped else ""),
    }


register(
    JobKind(
        name=KIND,
        label="Bulk regrade",
        run=regrade_run,
        poll=regrade_poll,
        starter=Starter(
            api_input=BulkRegradeInput,
            form=BulkRegradeForm,
            prepare=regrade_prepare,
            heading="Regrade every submission of a lab",
            button="Start bulk regrade",
        ),
    )
)
