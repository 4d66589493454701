"""The submission API without a worker: bad input, permissions, idempotency, limits."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from convlab.models import Assignment, Submission
from tests.convlab.service.conftest import REFERENCE, submit_url
from tests.factories import make_course, make_member

pytestmark = pytest.mark.django_db


def test_it_returns_the_same_submission_for_a_retried_idempotency_key(api, lab, robot, alice):
    api.force_authenticate(robot)
    payload = {"source": REFERENCE.decode(), "student": "alice"}
    first = api.post(submit_url(lab), payload, format="json", HTTP_IDEMPOTENCY_KEY="run-42")
    again = api.post(submit_url(lab), payload, format="json", HTTP_IDEMPOTENCY_KEY="run-42")
    assert first.status_code == again.status_code == 202
    assert first.json()["id"] == again.json()["id"]
    assert Submission.objects.count() == 1
    other = api.post(submit_url(lab), payload, format="json", HTTP_IDEMPOTENCY_KEY="run-43")
    assert other.json()["attempt"] == 2


@pytest.mark.parametrize(
    "changed",
    [{"source": "x = 2\n"}, {"student": "carol"}],
    ids=["another file", "another student"],
)
def test_it_answers_422_when_an_idempotency_key_is_reused_for_another_request(
    api, lab, robot, alice, changed
):
    make_member(lab.course, "carol", "student")
    api.force_authenticate(robot)
    payload = {"source": "x = 1\n", "student": "alice"}
    first = api.post(submit_url(lab), payload, format="json", HTTP_IDEMPOTENCY_KEY="run-42")
    assert first.status_code == 202
    reused = api.post(
        submit_url(lab), {**payload, **changed}, format="json", HTTP_IDEMPOTENCY_KEY="run-42"
    )
    assert reused.status_code == 422
    assert "different" in reused.json()["Idempotency-Key"][0]
    assert list(Submission.objects.values_list("pk", flat=True)) == [first.json()["id"]]


@pytest.mark.parametrize(
    ("payload", "field", "words"),
    [
        ({}, "file", "exactly one"),
        ({"source": ""}, "source", "blank"),
        ({"source": "   \n"}, "file", "empty"),
        ({"source": "x = 1\n" * 50_000}, "file", "larger than 256 KiB"),
        ({"file": SimpleUploadedFile("s.py", b"\xff\xfe\x00\x01binary")}, "file", "binary"),
        ({"file": SimpleUploadedFile("s.py", "café".encode("latin-1"))}, "file", "not UTF-8"),
    ],
)
def test_it_rejects_bad_files_naming_the_problem(api, lab, alice, payload, field, words):
    api.force_authenticate(alice)
    fmt = "multipart" if "file" in payload else "json"
    response = api.post(submit_url(lab), payload, format=fmt)
    assert response.status_code == 400
    assert words in str(response.json()[field])
    assert not Submission.objects.exists()


def test_it_rejects_a_bad_idempotency_key(api, lab, alice):
    api.force_authenticate(alice)
    response = api.post(
        submit_url(lab), {"source": "x = 1\n"}, format="json", HTTP_IDEMPOTENCY_KEY="a b"
    )
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()
    assert not Submission.objects.exists()


def test_it_refuses_unknown_unopened_and_closed_assignments(api, lab, alice):
    api.force_authenticate(alice)
    url = f"/api/v1/courses/{lab.course_id}/assignments/no-such-lab/submissions/"
    assert api.post(url, {"source": "x = 1\n"}, format="json").status_code == 404
    Assignment.objects.filter(pk=lab.pk).update(opens_at=dt.datetime(2098, 1, 1, tzinfo=dt.UTC))
    response = api.post(submit_url(lab), {"source": "x = 1\n"}, format="json")
    assert response.status_code == 400
    assert "opens" in response.json()["assignment"][0]
    Assignment.objects.filter(pk=lab.pk).update(
        opens_at=dt.datetime(2017, 1, 1, tzinfo=dt.UTC),
        closes_at=dt.datetime(2018, 1, 1, tzinfo=dt.UTC),
    )
    response = api.post(submit_url(lab), {"source": "x = 1\n"}, format="json")
    assert response.status_code == 400
    assert "closed" in response.json()["assignment"][0]
    assert not Submission.objects.exists()


def test_it_answers_429_with_retry_after_past_the_daily_limit(api, lab, alice):
    api.force_authenticate(alice)
    for _ in range(3):
        assert api.post(submit_url(lab), {"source": "x = 1\n"}, format="json").status_code == 202
    refused = api.post(submit_url(lab), {"source": "x = 1\n"}, format="json")
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 86_400
    assert Submission.objects.count() == 3
    # A grading that failed on the grader's side gives the attempt back.
    Submission.objects.filter(attempt=1).update(status="error")
    assert api.post(submit_url(lab), {"source": "x = 1\n"}, format="json").status_code == 202


def test_it_keeps_students_to_their_own_submissions(api, lab, alice, course):
    carol = make_member(course, "carol", "student")
    api.force_authenticate(alice)
    mine = api.post(submit_url(lab), {"source": "x = 1\n"}, format="json").json()
    api.force_authenticate(carol)
    assert api.get(f"/api/v1/submissions/{mine['id']}/").status_code == 404
    assert api.get(f"/api/v1/submissions/{mine['id']}/results.json").status_code == 404
    assert api.get(submit_url(lab)).json() == []
    spoof = api.post(submit_url(lab), {"source": "x = 1\n", "student": "alice"}, format="json")
    assert spoof.status_code == 403
    assert api.post(f"/api/v1/submissions/{mine['id']}/regrade/").status_code == 404


def test_it_keeps_staff_actions_from_students(api, lab, alice, tara):
    api.force_authenticate(alice)
    mine = api.post(submit_url(lab), {"source": "x = 1\n"}, format="json").json()
    Submission.objects.filter(pk=mine["id"]).update(status="done")
    assert api.post(f"/api/v1/submissions/{mine['id']}/regrade/").status_code == 403
    regrade_all = f"/api/v1/courses/{lab.course_id}/assignments/{lab.slug}/regrade/"
    assert api.post(regrade_all).status_code == 403
    api.force_authenticate(tara)
    assert api.post(f"/api/v1/submissions/{mine['id']}/regrade/").status_code == 202
    assert api.post(submit_url(lab), {"source": "x = 1\n"}, format="json").status_code == 403


def test_it_keeps_an_autograder_within_its_course(api, lab, robot, alice):
    other = make_course(
        code="CS 4803", term="Spring 2018", first_day="2018-01-09", last_day="2018-04-26"
    )
    outsider = make_member(other, "outsider", "student")
    foreign_robot = make_member(other, "foreign-robot", "autograder")
    api.force_authenticate(robot)
    named_outsider = api.post(
        submit_url(lab), {"source": "x = 1\n", "student": outsider.username}, format="json"
    )
    assert named_outsider.status_code == 400
    assert "student" in named_outsider.json()
    assert api.post(submit_url(lab), {"source": "x = 1\n"}, format="json").status_code == 400
    made = api.post(submit_url(lab), {"source": "x = 1\n", "student": "alice"}, format="json")
    assert made.status_code == 202
    api.force_authenticate(foreign_robot)
    assert api.get(f"/api/v1/submissions/{made.json()['id']}/").status_code == 404
    assert (
        api.post(submit_url(lab), {"source": "x", "student": "alice"}, format="json").status_code
        == 404
    )
    assert Submission.objects.count() == 1


def test_it_shows_students_only_how_many_hidden_checks_passed_before_the_due_date(
    api, lab, alice, tara
):
    api.force_authenticate(alice)
    made = api.post(submit_url(lab), {"source": "x = 1\n"}, format="json").json()
    results = {
        "score": 3, "max_score": 4, "output": "", "tests": [
            {"name": "seen", "visibility": "visible", "status": "passed", "score": 1},
            {"name": "secret a", "visibility": "hidden", "status": "passed", "score": 1},
            {"name": "secret b", "visibility": "hidden", "status": "failed", "score": 0},
            {"name": "later", "visibility": "after_due_date", "status": "passed", "score": 1},
        ],
    }  # fmt: skip
    Submission.objects.filter(pk=made["id"]).update(
        status="done", gradable=True, results=results, score=3, max_score=4
    )
    shown = api.get(f"/api/v1/submissions/{made['id']}/results.json").json()
    assert [t["name"] for t in shown["tests"]] == ["seen"]
    assert shown["hidden_checks"] == {"passed": 1, "total": 2}
    api.force_authenticate(tara)
    assert len(api.get(f"/api/v1/submissions/{made['id']}/results.json").json()["tests"]) == 4
    Assignment.objects.filter(pk=lab.pk).update(due_at=dt.datetime(2018, 1, 1, tzinfo=dt.UTC))
    api.force_authenticate(alice)
    assert len(api.get(f"/api/v1/submissions/{made['id']}/results.json").json()["tests"]) == 4


def test_it_manages_personal_api_tokens(api, client, alice):
    api.force_authenticate(alice)
    made = api.post("/api/v1/tokens/", {"name": "laptop"}, format="json").json()
    assert made["key"].startswith("cp_")
    api.force_authenticate(None)
    assert (
        api.get("/api/v1/courses/", HTTP_AUTHORIZATION=f"Bearer {made['key']}").status_code == 200
    )
    client.force_login(alice)
    assert "laptop" in client.get("/account/").text
    client.post("/account/", {"revoke": str(made["id"])})
    assert (
        api.get("/api/v1/courses/", HTTP_AUTHORIZATION=f"Bearer {made['key']}").status_code == 401
    )


def test_it_shows_a_gpu_submission_waiting_and_lets_staff_grade_it_on_the_cpu(
    api, lab, alice, tara
):
    Assignment.objects.filter(pk=lab.pk).update(needs_gpu=True)
    api.force_authenticate(alice)
    made = api.post(submit_url(lab), {"source": "x = 1\n"}, format="json").json()
    Submission.objects.filter(pk=made["id"]).update(status="queued")
    waiting = api.get(f"/api/v1/submissions/{made['id']}/").json()
    assert (waiting["status"], waiting["waiting_for"]) == ("queued", "a GPU worker")
    assert (
        api.post(f"/api/v1/submissions/{made['id']}/regrade/", {"use_gpu": False}).status_code
        == 403
    )
    api.force_authenticate(tara)
    moved = api.post(
        f"/api/v1/submissions/{made['id']}/regrade/", {"use_gpu": False}, format="json"
    )
    assert moved.status_code == 202, moved.json()
    assert Submission.objects.get().use_gpu is False
