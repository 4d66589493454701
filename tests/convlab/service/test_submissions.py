"""Submissions through the API and the pages, graded by a real worker process."""

from __future__ import annotations

import pytest

from convlab.models import GradingRun, Submission
from convlab.suites import transposed_convolutions as suite
from tests.convlab.grading.test_transposed_convolutions import BUGS
from tests.convlab.service.conftest import REFERENCE, submit_url, wait_final

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
OVERLAP_BUG = REFERENCE + BUGS[suite.OVERLAP][1].encode()


def test_it_grades_an_api_submission_end_to_end(api, lab, alice, grading_worker):
    api.force_authenticate(alice)
    response = api.post(submit_url(lab), {"source": REFERENCE.decode()}, format="json")
    assert response.status_code == 202, response.json()
    assert response.headers["Location"].endswith(f"/api/v1/submissions/{response.json()['id']}/")
    submission = wait_final(response.json()["id"])
    assert (submission.status, submission.gradable) == ("done", True)
    assert submission.max_score is not None
    assert submission.score == submission.max_score > 0
    assert submission.queued_at is not None
    assert submission.started_at is not None
    assert submission.finished_at is not None
    assert submission.received_at <= submission.queued_at <= submission.started_at
    assert submission.started_at <= submission.finished_at
    results = api.get(f"/api/v1/submissions/{submission.pk}/results.json").json()
    assert {"score", "max_score", "execution_time", "output", "tests", "stdout_visibility"} <= set(
        results
    )
    assert all(
        {"name", "score", "max_score", "output", "visibility"} <= set(t) for t in results["tests"]
    )
    assert GradingRun.objects.get(submission=submission).status == "done"


def test_it_names_the_overlap_misconception_and_draws_a_heatmap(api, lab, alice, grading_worker):
    api.force_authenticate(alice)
    response = api.post(submit_url(lab), {"source": OVERLAP_BUG.decode()}, format="json")
    submission = wait_final(response.json()["id"])
    assert submission.status == "done"
    assert submission.score is not None
    assert submission.max_score is not None
    assert submission.score < submission.max_score
    detail = api.get(f"/api/v1/submissions/{submission.pk}/").json()
    failed = [t for t in detail["results"]["tests"] if suite.OVERLAP in t["tags"]]
    assert failed, [t["tags"] for t in detail["results"]["tests"]]
    assert failed[0]["extra_data"]["heatmaps_png_base64"]


def test_it_grades_an_upload_from_the_page(client, lab, alice, grading_worker):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(alice)
    page = f"/courses/{lab.course_id}/labs/{lab.slug}/"
    upload = SimpleUploadedFile("solution.py", REFERENCE, content_type="text/x-python")
    response = client.post(page, {"file": upload})
    assert response.status_code == 302
    submission = Submission.objects.get()
    assert response.headers["Location"] == f"/submissions/{submission.pk}/"
    wait_final(submission.pk)
    html = client.get(f"/submissions/{submission.pk}/status/").text
    assert 'data-status="done"' in html
    assert "hx-trigger" not in html  # polling stops once the grading is final
    # Before the due date: the 95 points of the checks it is shown; the timed check's 5 open
    # after the due date (docs/convlab-feedback.md, issue 17).
    assert "Score so far: 95 / 95" in html
    assert "1 more check, worth 5 points, opens after the due date" in html
