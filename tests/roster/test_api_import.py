"""Roster import over the API: preview, per-row errors with nothing applied, idempotent apply,
deactivation instead of deletion, invitations, and who may not import."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from courses.models import Membership
from tests.factories import PASSWORD, make_member
from tests.roster.conftest import membership_of, snapshot, upload

pytestmark = pytest.mark.django_db

GRADESCOPE = (
    "First Name,Last Name,SID,Email,Role,Section\n"
    "Alice,Liddell,900001,alice@example.edu,Student,A\n"
    "Carol,Chen,900003,carol@gatech.edu,Student,B\n"
    "Tara,Ng,,tara@example.edu,TA,\n"
)


def test_it_previews_the_changes_without_making_them(api, course, tara, alice):
    make_member(course, "dan", "student")  # not in the file: would be deactivated
    before = snapshot()
    api.force_authenticate(tara)
    response = upload(api, course, GRADESCOPE)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["applied"] is False
    assert body["format"] == "gradescope"
    assert body["counts"] == {
        "create": 1,
        "add": 0,
        "update": 1,
        "reactivate": 0,
        "unchanged": 1,
        "deactivate": 1,
        "errors": 0,
        "changes": 3,
    }
    actions = {r["email"]: (r["action"], r["changes"]) for r in body["rows"]}
    assert actions["carol@gatech.edu"] == ("create", [])
    assert actions["alice@example.edu"] == (
        "update",
        ["section: '' → 'A'", "SIS user id: '' → '900001'"],
    )
    assert actions["tara@example.edu"] == ("unchanged", [])
    assert [d["username"] for d in body["deactivate"]] == ["dan"]
    assert snapshot() == before
    assert mail.outbox == []


def test_it_reports_bad_rows_and_applies_nothing(
    api, course, tara, alice, django_capture_on_commit_callbacks
):
    text = (
        "Name,Email,SID,Role\n"
        "Alice Liddell,alice@example.edu,900001,Student\n"
        "No Email,,900002,Student\n"
        "Carol Chen,carol@gatech.edu,900001,Student\n"
        "Olly Observer,olly@gatech.edu,900004,Observer\n"
        "Dee Dee,dee@gatech.edu,900005,Student\n"
    )
    before = snapshot()
    api.force_authenticate(tara)
    preview = upload(api, course, text).json()
    expected = [
        {"row": 3, "column": "Email", "message": "the email is missing"},
        {"row": 4, "column": "SID", "message": "SIS id 900001 is already on row 2"},
        {
            "row": 5,
            "column": "Role",
            "message": 'unknown role "Observer": use Student, TA or Instructor',
        },
    ]
    assert preview["errors"] == expected
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = upload(api, course, text, "apply")
    assert response.status_code == 400
    assert callbacks == []
    body = response.json()
    assert body["file"] == ["3 rows have errors; nothing was applied"]
    assert body["errors"] == expected
    assert body["applied"] is False
    assert snapshot() == before
    assert mail.outbox == []


def test_it_applies_once_and_a_second_import_changes_nothing(
    api, course, tara, alice, django_capture_on_commit_callbacks
):
    api.force_authenticate(tara)
    with django_capture_on_commit_callbacks(execute=True):
        first = upload(api, course, GRADESCOPE, "apply")
    assert first.status_code == 200, first.json()
    assert first.json()["applied"] is True
    assert first.json()["counts"]["changes"] == 2
    carol = membership_of(course, "carol@gatech.edu")
    assert (carol.role, carol.section, carol.sis_id, carol.is_active) == (
        "student",
        "B",
        "900003",
        True,
    )
    assert (carol.user.username, carol.user.first_name, carol.user.last_name) == (
        "carol.chen",  # never the e-mail address (issue #14, finding 13)
        "Carol",
        "Chen",
    )
    assert not carol.user.has_usable_password()
    after_first = snapshot()
    assert [m.to for m in mail.outbox] == [["carol@gatech.edu"]]
    with django_capture_on_commit_callbacks(execute=True):
        second = upload(api, course, GRADESCOPE, "apply")
    assert second.status_code == 200
    assert second.json()["counts"]["changes"] == 0
    assert second.json()["counts"]["unchanged"] == 3
    assert snapshot() == after_first
    assert len(mail.outbox) == 1


def test_it_deactivates_students_missing_from_the_roster_and_never_deletes_them(
    api, course, tara, ines, alice
):
    api.force_authenticate(tara)
    response = upload(api, course, "Email\ncarol@gatech.edu\n", "apply")
    assert response.json()["counts"]["deactivate"] == 1
    gone = membership_of(course, "alice@example.edu")
    assert gone.is_active is False
    assert gone.user.is_active  # the account stays: other courses, the record
    # Staff are never deactivated by a student roster.
    assert Membership.objects.get(course=course, user=tara).is_active
    assert Membership.objects.get(course=course, user=ines).is_active
    # The deactivated student loses access to the course.
    api.force_authenticate(alice)
    assert api.get(f"/api/v1/courses/{course.pk}/").status_code == 404
    assert api.get("/api/v1/courses/").json() == []
    # On the roster again: reactivated, access back.
    api.force_authenticate(tara)
    back = upload(api, course, "Email\ncarol@gatech.edu\nalice@example.edu\n", "apply")
    assert back.json()["counts"]["reactivate"] == 1
    api.force_authenticate(alice)
    assert api.get(f"/api/v1/courses/{course.pk}/").status_code == 200


def test_it_emails_new_people_a_link_that_sets_their_password(
    api, client, course, tara, alice, django_capture_on_commit_callbacks
):
    api.force_authenticate(tara)
    with django_capture_on_commit_callbacks(execute=True):
        upload(api, course, GRADESCOPE, "apply")
    (message,) = mail.outbox  # carol only: alice and tara have accounts
    assert message.to == ["carol@gatech.edu"]
    assert "CS 7643" in message.subject
    found = re.search(r"http://testserver(/accounts/set-password/\S+/)", str(message.body))
    assert found is not None
    link = found.group(1)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    assert "Your username is <strong>carol.chen</strong>" in form_page.text
    new_password = "a-long-new-passphrase-7643"
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert done.status_code == 302
    assert done.headers["Location"] == "/accounts/login/"
    assert client.login(username="carol.chen", password=new_password)
    client.logout()
    # The link works once.
    again = client.get(link, follow=True)
    assert "expired or was already used" in again.text


def test_it_adds_existing_accounts_by_email_whatever_its_case_without_inviting(
    api, course, tara, django_capture_on_commit_callbacks
):
    get_user_model().objects.create_user(username="zoe", email="ZOE@GaTech.edu")
    api.force_authenticate(tara)
    with django_capture_on_commit_callbacks(execute=True):
        body = upload(api, course, "Email\nzoe@gatech.edu\n", "apply").json()
    assert body["counts"]["add"] == 1
    assert Membership.objects.get(course=course, user__username="zoe").role == "student"
    assert mail.outbox == []


def test_it_refuses_role_changes_it_must_not_make(api, course, tara, ines):
    robot = make_member(course, "robot", "autograder")
    api.force_authenticate(tara)
    text = (
        "Email,Role\n"
        "ines@example.edu,Student\n"  # staff roles are not a roster's to change
        "robot@example.edu,Student\n"  # the autograder account
        "newprof@gatech.edu,Instructor\n"  # only instructors add instructors
    )
    body = upload(api, course, text, "apply").json()
    assert [(e["row"], e["column"], e["message"]) for e in body["errors"]] == [
        (2, "Role", "ines@example.edu is a Instructor: a roster does not change staff"),
        (3, "Email", "robot@example.edu is the course's autograder account"),
        (4, "Role", "only the course's instructors add instructors"),
    ]
    assert Membership.objects.get(user=robot).role == "autograder"
    api.force_authenticate(ines)
    ok = upload(api, course, "Email,Role\nnewprof@gatech.edu,Instructor\n", "apply")
    assert ok.status_code == 200
    assert membership_of(course, "newprof@gatech.edu").role == "instructor"


def test_it_lets_staff_promote_a_student_to_ta(api, course, tara, alice):
    api.force_authenticate(tara)
    body = upload(api, course, "Email,Role\nalice@example.edu,TA\n", "apply").json()
    assert body["rows"][0]["changes"] == ["role: 'student' → 'ta'"]
    assert membership_of(course, "alice@example.edu").role == "ta"


def test_it_refuses_a_sis_id_that_another_member_holds(api, course, tara, alice):
    api.force_authenticate(tara)
    upload(api, course, "Email,SID\nalice@example.edu,900001\n", "apply")
    body = upload(api, course, "Email,SID\ncarol@gatech.edu,900001\n", "apply").json()
    assert body["errors"] == [
        {
            "row": 2,
            "column": "SID",
            "message": "SIS id 900001 belongs to alice@example.edu in this course",
        }
    ]


def test_it_keeps_what_a_file_has_no_column_for(api, course, tara, alice):
    api.force_authenticate(tara)
    upload(api, course, "Email,SID,Section\nalice@example.edu,900001,A\n", "apply")
    # A Canvas gradebook without the section column, listing a TA as a plain row.
    text = 'Student,SIS User ID,Email\n"Liddell, Alice",900001,alice@example.edu\n'
    text += '"Ng, Tara",,tara@example.edu\n'
    body = upload(api, course, text, "apply").json()
    # Only the name as Canvas writes it is new (kept for the Canvas grade export).
    assert [r["changes"] for r in body["rows"]] == [
        ["name in the LMS: '' → 'Liddell, Alice'"],
        ["name in the LMS: '' → 'Ng, Tara'"],
    ], body
    alice_now = membership_of(course, "alice@example.edu")
    assert (alice_now.section, alice_now.role) == ("A", "student")


def test_it_refuses_an_email_that_is_another_accounts_username(api, course, tara):
    get_user_model().objects.create_user(username="sam@gatech.edu", email="sam.other@gatech.edu")
    api.force_authenticate(tara)
    body = upload(api, course, "Email\nsam@gatech.edu\n", "apply").json()
    assert body["errors"][0]["message"] == "an account named sam@gatech.edu has another email"


def test_it_accepts_an_email_longer_than_a_username_may_be(api, course, tara):
    """The username is no longer the e-mail address, so its 150 characters limit nothing."""
    email = "a" * 140 + "@gatech.edu"
    api.force_authenticate(tara)
    response = upload(api, course, f"Email\n{email}\n", "apply")
    assert response.status_code == 200, response.json()
    assert membership_of(course, email).user.username == "student"


@pytest.mark.parametrize("action", ["preview", "apply"])
def test_it_lets_only_the_courses_staff_import(api, course, alice, bob, action):
    before = snapshot()
    api.force_authenticate(None)
    assert upload(api, course, GRADESCOPE, action).status_code == 401
    api.force_authenticate(alice)
    assert upload(api, course, GRADESCOPE, action).status_code == 403
    api.force_authenticate(bob)
    assert upload(api, course, GRADESCOPE, action).status_code == 404
    robot = make_member(course, "robot", "autograder")
    api.force_authenticate(robot)
    assert upload(api, course, GRADESCOPE, action).status_code == 403
    other_ta = make_member(bob.memberships.get().course, "ted", "ta")
    api.force_authenticate(other_ta)
    assert upload(api, course, GRADESCOPE, action).status_code == 404
    assert Membership.objects.filter(course=course, user__email="carol@gatech.edu").count() == 0
    assert len(snapshot()[1]) == len(before[1]) + 2  # only the two memberships made here


@pytest.mark.parametrize("action", ["preview", "apply"])
def test_it_answers_bad_uploads_with_400_naming_the_file(api, course, tara, action):
    api.force_authenticate(tara)
    url = f"/api/v1/courses/{course.pk}/roster/{action}/"
    missing = api.post(url, {}, format="multipart")
    assert missing.status_code == 400
    assert "file" in missing.json()
    as_json = api.post(url, {"csv": "Email\na@x.edu"}, format="json")
    assert as_json.status_code == 400
    assert "file" in as_json.json()
    cases = {
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00": "binary file",
        b"Name,Section\nAnn,A\n": 'no "Email", "SIS User ID" or "SIS Login ID" column',
        b"": "empty",
    }
    for content, message in cases.items():
        response = upload(api, course, content, action)
        assert response.status_code == 400, content[:20]
        assert message in " ".join(response.json()["file"])
    # Too large: refused before it is read (courseportal/limits.py), naming the field too.
    too_large = upload(api, course, b"Email\n" + b"a" * (2 * 2**20), action)
    assert too_large.status_code == 413
    assert too_large.json()["file"] == ["the file is larger than 2 MiB"]
    assert Membership.objects.filter(course=course).count() == 1


def test_it_hands_a_large_file_to_a_job(api, course, tara, monkeypatch):
    from jobs.models import Job
    from roster import jobs

    monkeypatch.setattr(jobs, "JOB_ABOVE_ROWS", 2)
    api.force_authenticate(tara)
    text = "Email\na@gatech.edu\nb@gatech.edu\nc@gatech.edu\n"
    response = upload(api, course, text, "apply")
    assert response.status_code == 202
    job = Job.objects.get()
    assert response.headers["Location"] == f"/api/v1/courses/{course.pk}/jobs/{job.pk}/"
    assert (job.kind, job.input["apply"], job.input["importer_role"]) == (
        "roster_import",
        True,
        "ta",
    )
    assert job.input["content"] == text
    assert Membership.objects.filter(course=course).count() == 1  # the job applies it


def test_it_can_log_in_with_the_factory_password(client, alice):
    # The fixtures' accounts have usable passwords: a roster never touches them.
    assert client.login(username="alice", password=PASSWORD)
