"""The jobs API: who may start and follow jobs, and bad input."""

from __future__ import annotations

import pytest

from courses.models import Course, Membership
from jobs.models import Job
from tests.factories import make_member

pytestmark = pytest.mark.django_db


def jobs_url(course: Course, job_id: int | None = None) -> str:
    base = f"/api/v1/courses/{course.pk}/jobs/"
    return base if job_id is None else f"{base}{job_id}/"


def regrade(api, course, lab):
    return api.post(
        jobs_url(course),
        {"kind": "bulk_regrade", "assignment": lab.slug, "confirm": True},
        format="json",
    )


def test_it_starts_a_bulk_regrade_and_lists_it(
    api, course, lab, tara, django_capture_on_commit_callbacks
):
    api.force_authenticate(tara)
    with django_capture_on_commit_callbacks() as queued:
        response = regrade(api, course, lab)
    assert response.status_code == 202, response.json()
    assert len(queued) == 1  # handed to the broker after the commit
    job = Job.objects.get()
    assert (job.kind, job.input, job.created_by) == (
        "bulk_regrade",
        {"assignment_id": lab.pk},
        tara,
    )
    assert response.json()["url"] == jobs_url(course, job.pk)
    listed = api.get(jobs_url(course)).json()
    assert [(j["id"], j["kind"], j["status"]) for j in listed] == [
        (job.pk, "bulk_regrade", "queued")
    ]
    assert api.get(jobs_url(course, job.pk)).json()["percent"] == 0


def test_it_keeps_jobs_from_everyone_but_the_courses_staff(api, course, lab, tara, alice, bob):
    job = Job.objects.create(course=course, kind="bulk_regrade", input={"assignment_id": lab.pk})
    robot = make_member(course, "robot", "autograder")
    other = bob.memberships.get().course
    other_ta = make_member(other, "ted", "ta")
    api.force_authenticate(None)
    assert api.get(jobs_url(course, job.pk)).status_code == 401
    assert regrade(api, course, lab).status_code == 401
    for user, status in ((alice, 403), (robot, 403), (bob, 404), (other_ta, 404)):
        api.force_authenticate(user)
        assert api.get(jobs_url(course)).status_code == status
        assert api.get(jobs_url(course, job.pk)).status_code == status
        assert regrade(api, course, lab).status_code == status
    # Staff of another course do not reach this course's job through their own course.
    assert api.get(jobs_url(other, job.pk)).status_code == 404
    assert Job.objects.count() == 1


def test_it_answers_bad_input_with_400_naming_the_field(api, course, lab, tara):
    api.force_authenticate(tara)
    cases = [
        ({}, "kind"),
        ({"kind": "format_disk", "assignment": lab.slug}, "kind"),
        ({"kind": "roster_import", "assignment": lab.slug}, "kind"),  # a kind, not startable
        ({"kind": ["bulk_regrade"], "assignment": lab.slug}, "kind"),
        ({"kind": "bulk_regrade", "confirm": True}, "assignment"),
        ({"kind": "bulk_regrade", "assignment": "no such lab", "confirm": True}, "assignment"),
        ({"kind": "bulk_regrade", "assignment": "missing-lab", "confirm": True}, "assignment"),
        # A bulk action: without an explicit confirmation nothing starts.
        ({"kind": "bulk_regrade", "assignment": lab.slug}, "confirm"),
        ({"kind": "bulk_regrade", "assignment": lab.slug, "confirm": False}, "confirm"),
    ]
    for body, field in cases:
        response = api.post(jobs_url(course), body, format="json")
        assert response.status_code == 400, body
        assert field in response.json(), response.json()
    assert api.get(jobs_url(course, 999999)).status_code == 404
    assert not Job.objects.exists()


def test_it_does_not_let_a_deactivated_ta_follow_jobs(api, course, lab, tara):
    job = Job.objects.create(course=course, kind="bulk_regrade", input={"assignment_id": lab.pk})
    Membership.objects.filter(user=tara).update(is_active=False)
    api.force_authenticate(tara)
    assert api.get(jobs_url(course, job.pk)).status_code == 404
