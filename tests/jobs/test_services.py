"""The job runner in this process: claim once, progress, outcome, and failures that never
leave a job running forever. (A real worker runs them in test_worker.py.)"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from courses.models import Course
from jobs import registry, services
from jobs.models import Job
from jobs.tasks import run_job

pytestmark = pytest.mark.django_db


@pytest.fixture
def kinds(monkeypatch):
    """Register test kinds for one test only."""
    table = dict(registry.KINDS)
    monkeypatch.setattr(registry, "KINDS", table)
    return table


def make_job(course: Course, kind: str, **input_: Any) -> Job:
    return Job.objects.create(course=course, kind=kind, input=input_)


def test_it_refuses_an_unknown_kind(course):
    with pytest.raises(ValidationError) as error:
        services.job_create(course=course, kind="nope", created_by=None, input={})
    assert "kind" in error.value.message_dict
    assert not Job.objects.exists()


def test_it_runs_a_job_once_and_records_progress_and_result(course, kinds):
    calls = []

    def count(job, progress):
        calls.append(job.pk)
        for done in range(1, 4):
            progress(done, 3, f"step {done}")
        return {"counted": 3, "message": "Counted to 3"}

    registry.register(registry.JobKind(name="count", label="Count", run=count))
    job = make_job(course, "count")
    run_job.apply(args=(job.pk,), task_id="task-1")
    run_job.apply(args=(job.pk,), task_id="task-2")  # a duplicate delivery finds it taken
    job.refresh_from_db()
    assert calls == [job.pk]
    assert (job.status, job.done, job.total, job.percent) == ("done", 3, 3, 100)
    assert (job.result, job.message) == ({"counted": 3, "message": "Counted to 3"}, "Counted to 3")
    assert job.started_at is not None
    assert job.finished_at is not None
    assert job.started_at <= job.finished_at


def test_it_fails_a_job_whose_kind_crashes_and_says_so(course, kinds):
    def crash(job, progress):
        progress(1, 10, "working")
        raise RuntimeError("secret internals")

    registry.register(registry.JobKind(name="crash", label="Crash", run=crash))
    job = make_job(course, "crash")
    run_job.apply(args=(job.pk,))
    job.refresh_from_db()
    assert job.status == "failed"
    assert job.message == "the job failed on our side; the error is logged"
    assert "secret" not in job.message


def test_it_fails_a_job_whose_kind_refuses_and_keeps_its_result(course, kinds):
    def refuse(job, progress):
        raise registry.JobFailed("3 rows have errors", {"errors": [1, 2, 3]})

    registry.register(registry.JobKind(name="refuse", label="Refuse", run=refuse))
    job = make_job(course, "refuse")
    run_job.apply(args=(job.pk,))
    job.refresh_from_db()
    assert (job.status, job.message, job.result) == (
        "failed",
        "3 rows have errors",
        {"errors": [1, 2, 3]},
    )


def test_it_fails_a_waiting_job_of_a_kind_that_cannot_be_polled(course, kinds):
    registry.register(
        registry.JobKind(name="wait", label="Wait", run=lambda job, progress: registry.Waiting())
    )
    job = make_job(course, "wait")
    run_job.apply(args=(job.pk,))
    job.refresh_from_db()
    assert job.status == "failed"


def test_it_clamps_progress_and_ignores_it_once_the_job_is_over(course):
    job = make_job(course, "roster_import")
    Job.objects.filter(pk=job.pk).update(status="running")
    services.job_progress(job_id=job.pk, done=12, total=10, message="x" * 900)
    job.refresh_from_db()
    assert (job.done, job.total, len(job.message)) == (10, 10, 500)
    services.job_finish(job_id=job.pk, result={})
    services.job_progress(job_id=job.pk, done=1, total=10)
    job.refresh_from_db()
    assert (job.status, job.done) == ("done", 10)


def test_it_finishes_a_bulk_regrade_of_a_lab_without_submissions_at_once(course, lab):
    job = make_job(course, "bulk_regrade", assignment_id=lab.pk)
    run_job.apply(args=(job.pk,))
    job.refresh_from_db()
    assert job.result is not None
    assert (job.status, job.result["regraded"]) == ("done", 0)


def test_it_fails_a_bulk_regrade_of_a_deleted_lab(course):
    job = make_job(course, "bulk_regrade", assignment_id=424242)
    run_job.apply(args=(job.pk,))
    job.refresh_from_db()
    assert (job.status, job.message) == ("failed", "the assignment no longer exists")


def test_it_previews_a_roster_in_a_job(course, tara):
    job = make_job(
        course,
        "roster_import",
        content="Email\nnew@gatech.edu\n",
        apply=False,
        importer_role="ta",
        base_url="https://portal.example.edu",
    )
    run_job.apply(args=(job.pk,))
    job.refresh_from_db()
    assert (job.status, job.done, job.total) == ("done", 1, 1)
    assert job.result is not None
    assert job.result["counts"]["create"] == 1
    assert job.message == "Preview: 1 changes, 0 rows with errors"
