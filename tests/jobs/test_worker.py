"""Staff jobs through real worker processes: a large roster import and a bulk regrade."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from convlab import services as convlab_services
from convlab.models import GradingRun, Submission
from courses.models import Membership
from jobs.models import Job
from roster.jobs import JOB_ABOVE_ROWS
from tests.convlab.service.conftest import REFERENCE, wait_final
from tests.factories import make_member
from tests.jobs.conftest import wait_job

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

ROWS = JOB_ABOVE_ROWS + 100


def large_roster() -> bytes:
    lines = ["First Name,Last Name,SID,Email,Role,Section"]
    lines += [f"Student,{i:04},{900000 + i},s{i:04}@gatech.edu,Student,A" for i in range(ROWS)]
    return ("\n".join(lines) + "\n").encode()


def test_it_previews_and_applies_a_large_roster_as_jobs(api, client, course, tara, jobs_worker):
    api.force_authenticate(tara)
    url = f"/api/v1/courses/{course.pk}/roster/"
    upload = SimpleUploadedFile("roster.csv", large_roster(), content_type="text/csv")
    started = api.post(url + "preview/", {"file": upload}, format="multipart")
    assert started.status_code == 202, started.json()
    assert started.json()["status"] == "queued"
    preview = wait_job(started.json()["id"])
    assert (preview.status, preview.done, preview.total) == ("done", ROWS, ROWS)
    assert preview.result is not None
    assert preview.result["counts"]["create"] == ROWS
    assert Membership.objects.filter(course=course).count() == 1  # a preview writes nothing

    # Apply from the job page's button: the preview job hands its file to an apply job.
    client.force_login(tara)
    response = client.post(f"/courses/{course.pk}/roster/apply/", {"job": preview.pk})
    assert response.status_code == 302
    applied = wait_job(Job.objects.exclude(pk=preview.pk).get().pk)
    assert (applied.status, applied.done, applied.total) == ("done", ROWS, ROWS)
    assert applied.result is not None
    assert applied.result["applied"] is True
    assert Membership.objects.filter(course=course, role="student").count() == ROWS
    # The page stops polling once the job is over, and shows the figures.
    html = client.get(f"/courses/{course.pk}/jobs/{applied.pk}/progress/").text
    assert f'data-done="{ROWS}" data-total="{ROWS}"' in html
    assert "hx-get" not in html
    detail = api.get(f"/api/v1/courses/{course.pk}/jobs/{applied.pk}/").json()
    assert (detail["status"], detail["percent"], detail["done"]) == ("done", 100, ROWS)


def test_it_fails_an_apply_job_with_bad_rows_and_applies_nothing(api, course, tara, jobs_worker):
    api.force_authenticate(tara)
    text = large_roster() + b"Bad,Row,1,not-an-email,Student,A\n"
    upload = SimpleUploadedFile("roster.csv", text, content_type="text/csv")
    started = api.post(f"/api/v1/courses/{course.pk}/roster/apply/", {"file": upload})
    assert started.status_code == 202
    job = wait_job(started.json()["id"])
    assert job.status == "failed"
    assert job.message == "1 rows have errors; nothing was applied"
    assert job.result is not None
    assert job.result["errors"] == [
        {"row": ROWS + 2, "column": "Email", "message": '"not-an-email" is not an email'}
    ]
    assert Membership.objects.filter(course=course).count() == 1


def test_it_regrades_every_submission_of_a_lab_as_a_job(
    api, course, lab, tara, alice, grading_worker, jobs_worker
):
    carol = make_member(course, "carol", "student")
    made = [
        convlab_services.submission_create(
            assignment=lab, student=student, submitted_by=student, content=REFERENCE
        ).submission
        for student in (alice, carol)
    ]
    for submission in made:
        assert wait_final(submission.pk).status == "done"
    api.force_authenticate(tara)
    started = api.post(
        f"/api/v1/courses/{course.pk}/jobs/",
        {"kind": "bulk_regrade", "assignment": lab.slug, "confirm": True},
        format="json",
    )
    assert started.status_code == 202, started.json()
    job = wait_job(started.json()["id"])
    assert (job.status, job.done, job.total) == ("done", 2, 2), job.message
    assert job.result is not None
    assert job.result["regraded"] == 2
    assert job.result["gradable"] == 2
    for submission in made:
        runs = GradingRun.objects.filter(submission=submission).order_by("number")
        assert [run.status for run in runs] == ["done", "done"]
        assert Submission.objects.get(pk=submission.pk).status == "done"
