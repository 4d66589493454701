"""Staff job pages: start a bulk regrade, follow a job; nobody else sees them."""

from __future__ import annotations

import pytest

from jobs.models import Job
from tests.factories import make_member

pytestmark = pytest.mark.django_db


def test_it_starts_a_bulk_regrade_from_the_page(client, course, lab, tara):
    client.force_login(tara)
    page = client.get(f"/courses/{course.pk}/jobs/")
    assert page.status_code == 200
    assert lab.title in page.text
    response = client.post(f"/courses/{course.pk}/jobs/", {"assignment": lab.pk})
    job = Job.objects.get()
    assert response.headers["Location"] == f"/courses/{course.pk}/jobs/{job.pk}/"
    html = client.get(response.headers["Location"]).text
    assert "Bulk regrade" in html
    assert f'hx-get="/courses/{course.pk}/jobs/{job.pk}/progress/"' in html
    assert 'hx-trigger="every 1s"' in html


def test_it_answers_a_bad_form_with_400(client, course, lab, tara):
    client.force_login(tara)
    for data in ({}, {"assignment": "abc"}, {"assignment": 999999}):
        response = client.post(f"/courses/{course.pk}/jobs/", data)
        assert response.status_code == 400
        assert "errorlist" in response.text
    response = client.post(
        f"/courses/{course.pk}/jobs/", {"kind": "roster_import", "assignment": lab.pk}
    )
    assert response.status_code == 400
    assert "There is no job kind &#x27;roster_import&#x27; to start." in response.text
    assert not Job.objects.exists()


def test_it_shows_progress_and_stops_polling_when_over(client, course, lab, tara):
    job = Job.objects.create(
        course=course, kind="bulk_regrade", status="running", done=3, total=12, message="Regraded 3"
    )
    client.force_login(tara)
    url = f"/courses/{course.pk}/jobs/{job.pk}/progress/"
    running = client.get(url).text
    assert '<progress max="12" value="3">25%</progress>' in running
    assert "hx-get" in running
    Job.objects.filter(pk=job.pk).update(
        status="done", done=12, result={"regraded": 12, "gradable": 12, "not_gradable": 0}
    )
    over = client.get(url).text
    assert "hx-get" not in over
    assert "Regraded: 12" in over


def test_it_keeps_job_pages_from_everyone_but_the_courses_staff(client, course, lab, alice, bob):
    job = Job.objects.create(course=course, kind="bulk_regrade", input={"assignment_id": lab.pk})
    robot = make_member(course, "robot", "autograder")
    urls = [
        f"/courses/{course.pk}/jobs/",
        f"/courses/{course.pk}/jobs/{job.pk}/",
        f"/courses/{course.pk}/jobs/{job.pk}/progress/",
    ]
    for url in urls:
        assert client.get(url).status_code == 302  # anonymous: to the login page
    for user, status in ((alice, 403), (robot, 403), (bob, 404)):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == status
        assert client.post(urls[0], {"assignment": lab.pk}).status_code == status
    assert Job.objects.count() == 1
