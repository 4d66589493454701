"""The staff roster page: upload -> preview table -> apply, and who may not see it."""

from __future__ import annotations

import pytest

from courses.models import Course, Membership
from jobs.models import Job
from tests.factories import make_member, make_user
from tests.roster.conftest import csv_file, membership_of, snapshot

pytestmark = pytest.mark.django_db

ROSTER = (
    "First Name,Last Name,SID,Email,Role,Section\n"
    "Carol,<script>alert(1)</script>,900003,carol@gatech.edu,Student,B\n"
)


def page(course: Course) -> str:
    return f"/courses/{course.pk}/roster/"


def test_it_previews_an_upload_then_applies_it(client, course, tara, alice):
    client.force_login(tara)
    assert client.get(page(course)).status_code == 200
    before = snapshot()
    preview = client.post(page(course), {"file": csv_file(ROSTER)})
    assert preview.status_code == 200
    assert snapshot() == before
    html = preview.text
    assert 'data-action="create"' in html
    assert "alice" in html  # to be deactivated
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Apply 2 changes" in html
    content = preview.context["content"]
    applied = client.post(f"/courses/{course.pk}/roster/apply/", {"content": content}, follow=True)
    assert applied.status_code == 200
    assert "Roster applied: 1 added, 0 updated, 0 reactivated, 1 deactivated." in applied.text
    assert membership_of(course, "carol@gatech.edu").section == "B"
    assert not Membership.objects.get(course=course, user=alice).is_active


def test_it_shows_bad_rows_and_offers_no_apply(client, course, tara):
    client.force_login(tara)
    text = "Email,Role\n,Student\nx@gatech.edu,Observer\n"
    response = client.post(page(course), {"file": csv_file(text)})
    assert response.status_code == 200
    assert 'id="row-errors"' in response.text
    assert "the email is missing" in response.text
    assert "unknown role &quot;Observer&quot;" in response.text
    assert "Apply" not in response.text


def test_it_refuses_to_apply_a_tampered_preview_with_errors(client, course, tara):
    client.force_login(tara)
    before = snapshot()
    response = client.post(f"/courses/{course.pk}/roster/apply/", {"content": "Email\nnot-mail\n"})
    assert response.status_code == 400
    assert "1 rows have errors; nothing was applied" in response.text
    assert snapshot() == before


def test_it_answers_bad_uploads_with_form_errors(client, course, tara):
    client.force_login(tara)
    missing = client.post(page(course), {})
    assert missing.status_code == 400
    assert "This field is required." in missing.text
    binary = client.post(page(course), {"file": csv_file(b"\x00\x01\x02PK")})
    assert binary.status_code == 400
    assert "binary file" in binary.text
    headers = client.post(page(course), {"file": csv_file("Name\nAnn\n")})
    assert headers.status_code == 400
    assert "no &quot;Email&quot;, &quot;SIS User ID&quot; or &quot;SIS Login ID&quot; column" in (
        headers.text
    )
    nothing = client.post(f"/courses/{course.pk}/roster/apply/", {}, follow=True)
    assert "Upload the roster and preview it first." in nothing.text


def test_it_runs_large_files_as_a_job(client, course, tara, monkeypatch):
    from roster import jobs

    monkeypatch.setattr(jobs, "JOB_ABOVE_ROWS", 1)
    client.force_login(tara)
    response = client.post(page(course), {"file": csv_file("Email\na@x.edu\nb@x.edu\n")})
    job = Job.objects.get()
    assert response.status_code == 302
    assert response.headers["Location"] == f"/courses/{course.pk}/jobs/{job.pk}/"
    assert job.input["apply"] is False
    job_page = client.get(response.headers["Location"])
    assert f'hx-get="/courses/{course.pk}/jobs/{job.pk}/progress/"' in job_page.text


def test_it_keeps_the_page_from_students_other_courses_and_anonymous(client, course, alice, bob):
    robot = make_member(course, "robot", "autograder")
    assert client.get(page(course)).status_code == 302  # to the login page
    for user, status in ((alice, 403), (robot, 403), (bob, 404)):
        client.force_login(user)
        assert client.get(page(course)).status_code == status
        assert client.post(page(course), {"file": csv_file(ROSTER)}).status_code == status
        apply = client.post(f"/courses/{course.pk}/roster/apply/", {"content": ROSTER})
        assert apply.status_code == status
    assert not Membership.objects.filter(user__email="carol@gatech.edu").exists()


def test_it_links_the_roster_from_the_course_page_for_staff_only(client, course, tara, alice):
    # The link is in the course home's panel, which the page loads with htmx.
    panel = f"/courses/{course.pk}/panel/"
    client.force_login(tara)
    assert f'hx-get="{panel}"' in client.get(f"/courses/{course.pk}/").text
    assert f'href="/courses/{course.pk}/roster/"' in client.get(panel).text
    client.force_login(alice)
    assert "/roster/" not in client.get(f"/courses/{course.pk}/").text
    assert "/roster/" not in client.get(panel).text


def test_it_shows_a_broken_set_password_link_as_expired(client):
    user = make_user("nobody")
    response = client.get(f"/accounts/set-password/{user.pk}/not-a-token/", follow=True)
    assert response.status_code == 200
    assert "expired or was already used" in response.text
