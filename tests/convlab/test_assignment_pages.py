"""The staff pages of labs: create one from a check suite, edit it, open it now. Each bad input
is refused with a 400 naming its field and saves nothing; students get 403, strangers 404."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from convlab import services
from convlab.models import Assignment, Submission
from tests.factories import make_course, make_member

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")  # the time zone of tests.factories.make_course

FORM = {
    "title": "Lab 3: transposed convolutions",
    "slug": "",
    "suite": "transposed-convolutions",
    "opens_at": "2030-01-07T09:00",
    "due_at": "2030-02-07T23:59",
    "closes_at": "",
    "grace_minutes": "15",
    "late_penalty_percent_per_day": "10",
    "max_submissions_per_day": "5",
}


@pytest.fixture
def lab(course: Any) -> Assignment:
    return services.assignment_create(
        course=course,
        title="Lab 2",
        slug="lab-2",
        suite="transposed-convolutions",
        opens_at=dt.datetime(2030, 1, 1, 9, tzinfo=dt.UTC),
        due_at=dt.datetime(2030, 1, 20, 23, tzinfo=dt.UTC),
    )


def create_url(course: Any) -> str:
    return f"/courses/{course.pk}/labs/new/"


def edit_url(lab: Assignment) -> str:
    return f"/courses/{lab.course_id}/labs/{lab.slug}/edit/"


def open_url(lab: Assignment) -> str:
    return f"/courses/{lab.course_id}/labs/{lab.slug}/open/"


def text_of(response: Any) -> str:
    return html.unescape(response.content.decode())


def form_errors(response: Any) -> dict[str, list[str]]:
    return {name: list(errors) for name, errors in response.context["form"].errors.items()}


def submit(lab: Assignment, student: Any) -> Submission:
    return Submission.objects.create(
        assignment=lab,
        student=student,
        file="submissions/x.py",
        sha256="0" * 64,
        attempt=1,
        received_at=timezone.now(),
    )


# --- create ------------------------------------------------------------------------------------


def test_it_creates_a_lab_from_the_built_in_suite(client, course, ines):
    client.force_login(ines)
    response = client.post(create_url(course), FORM)
    assert response.status_code == 302
    assert response["Location"] == f"/courses/{course.pk}/labs/"
    lab = Assignment.objects.get(course=course)
    assert lab.slug == "lab-3-transposed-convolutions"  # made from the title
    assert lab.suite == "transposed-convolutions"
    assert lab.grace_minutes == 15
    assert lab.max_submissions_per_day == 5
    assert lab.closes_at is None
    assert not lab.needs_gpu
    # The times are the course's (New York), not UTC.
    assert lab.opens_at == dt.datetime(2030, 1, 7, 9, tzinfo=NEW_YORK)
    assert lab.due_at == dt.datetime(2030, 2, 7, 23, 59, tzinfo=NEW_YORK)
    page = text_of(client.get(response["Location"]))
    assert "“Lab 3: transposed convolutions” is created." in page


def test_it_lets_a_ta_create_a_lab_with_its_own_short_name(client, course, tara):
    client.force_login(tara)
    response = client.post(
        create_url(course), {**FORM, "slug": "lab-3", "closes_at": "2030-02-10T23:59"}
    )
    assert response.status_code == 302
    lab = Assignment.objects.get(course=course, slug="lab-3")
    assert lab.closes_at == dt.datetime(2030, 2, 10, 23, 59, tzinfo=NEW_YORK)


def test_it_offers_the_built_in_suite(client, course, ines):
    client.force_login(ines)
    response = client.get(create_url(course))
    assert response.status_code == 200
    assert '<option value="transposed-convolutions">' in response.content.decode()
    assert "America/New_York" in text_of(response)


def test_it_offers_a_suite_of_the_course_folder(client, course, ines, settings, tmp_path):
    (tmp_path / "pooling.py").write_text(
        "from convlab.suites.transposed_convolutions import ASSIGNMENT as BUILT_IN\n"
        "import dataclasses\n"
        "ASSIGNMENT = dataclasses.replace(BUILT_IN, slug='pooling', title='Pooling',\n"
        "                                 packages=('numpy', 'cupy'))\n"
    )
    (tmp_path / "broken.py").write_text("raise RuntimeError('half-written')\n")
    settings.CONVLAB_SUITES_DIR = str(tmp_path)
    client.force_login(ines)
    page = client.get(create_url(course)).content.decode()
    assert '<option value="pooling">' in page
    assert '<option value="broken">' not in page  # it could grade nothing
    response = client.post(create_url(course), {**FORM, "suite": "pooling", "needs_gpu": "on"})
    assert response.status_code == 302
    assert Assignment.objects.get(course=course).needs_gpu


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"suite": "no-such-suite"}, "suite"),
        ({"suite": ""}, "suite"),
        ({"opens_at": "not a date"}, "opens_at"),
        ({"due_at": ""}, "due_at"),
        ({"due_at": "2030-01-06T09:00"}, "due_at"),
        ({"closes_at": "2030-02-07T23:00"}, "closes_at"),
        ({"grace_minutes": "-1"}, "grace_minutes"),
        ({"late_penalty_percent_per_day": "101"}, "late_penalty_percent_per_day"),
        ({"max_submissions_per_day": "0"}, "max_submissions_per_day"),
        ({"slug": "Not a slug!"}, "slug"),
        ({"slug": "new"}, "slug"),
        ({"title": "!!!"}, "slug"),
        ({"needs_gpu": "on"}, "needs_gpu"),  # the built-in suite uses NumPy only
    ],
)
def test_it_refuses_bad_input_naming_the_field(client, course, ines, change, field):
    client.force_login(ines)
    response = client.post(create_url(course), {**FORM, **change})
    assert response.status_code == 400
    assert field in form_errors(response), form_errors(response)
    assert 'role="alert"' in response.content.decode()
    assert not Assignment.objects.filter(course=course).exists()


def test_it_refuses_a_short_name_taken_in_the_course(client, course, ines, lab):
    client.force_login(ines)
    response = client.post(create_url(course), {**FORM, "slug": lab.slug})
    assert response.status_code == 400
    assert "already has the short name" in form_errors(response)["slug"][0]
    assert Assignment.objects.filter(course=course).count() == 1


def test_it_lets_another_course_use_the_same_short_name(client, lab):
    other = make_course(code="CS 4803", term="Spring 2031")
    client.force_login(make_member(other, "olga", "instructor"))
    assert client.post(create_url(other), {**FORM, "slug": lab.slug}).status_code == 302


# --- edit ----------------------------------------------------------------------------------------


def test_it_shows_the_lab_in_the_course_time_zone(client, ines, lab):
    client.force_login(ines)
    page = client.get(edit_url(lab)).content.decode()
    assert 'value="2030-01-01T04:00"' in page  # 09:00 UTC is 04:00 in New York
    assert "Open it now" in text_of(client.get(edit_url(lab)))


def test_it_saves_an_edit(client, ines, lab):
    client.force_login(ines)
    response = client.post(
        edit_url(lab),
        {**FORM, "title": "Lab 2 (revised)", "slug": "lab-2", "due_at": "2030-01-25T23:59"},
    )
    assert response.status_code == 302
    lab.refresh_from_db()
    assert lab.title == "Lab 2 (revised)"
    assert lab.due_at == dt.datetime(2030, 1, 25, 23, 59, tzinfo=NEW_YORK)


def test_it_refuses_to_change_the_suite_of_a_lab_with_submissions(
    client, ines, lab, alice, settings, tmp_path
):
    (tmp_path / "pooling.py").write_text(
        "from convlab.suites.transposed_convolutions import ASSIGNMENT\n"
    )
    settings.CONVLAB_SUITES_DIR = str(tmp_path)
    submit(lab, alice)
    client.force_login(ines)
    response = client.post(edit_url(lab), {**FORM, "slug": "lab-2", "suite": "pooling"})
    assert response.status_code == 400
    assert "already has submissions" in form_errors(response)["suite"][0]
    lab.refresh_from_db()
    assert lab.suite == "transposed-convolutions"
    assert lab.title == "Lab 2"  # nothing else was saved either


def test_it_changes_the_suite_of_a_lab_without_submissions(client, ines, lab, settings, tmp_path):
    (tmp_path / "pooling.py").write_text(
        "from convlab.suites.transposed_convolutions import ASSIGNMENT\n"
    )
    settings.CONVLAB_SUITES_DIR = str(tmp_path)
    client.force_login(ines)
    response = client.post(edit_url(lab), {**FORM, "slug": "lab-2", "suite": "pooling"})
    assert response.status_code == 302
    lab.refresh_from_db()
    assert lab.suite == "pooling"


def test_it_edits_a_lab_set_up_otherwise_in_the_admin(client, ines, lab):
    # A GPU flag on a NumPy suite and a closing time before the due date: not what this
    # form allows, but a title change leaves them alone instead of refusing.
    Assignment.objects.filter(pk=lab.pk).update(
        needs_gpu=True, closes_at=lab.due_at - dt.timedelta(hours=1)
    )
    client.force_login(ines)
    form = client.get(edit_url(lab)).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {
        k: v.strftime("%Y-%m-%dT%H:%M") if hasattr(v, "strftime") else v for k, v in data.items()
    }
    # (No file is sent for the starter file field: a browser sends none when none is chosen.)
    data = {
        k: ("on" if v is True else v) for k, v in data.items() if v is not False and v is not None
    }
    response = client.post(edit_url(lab), {**data, "title": "Lab 2 (GPU)"})
    assert response.status_code == 302, form_errors(response)
    lab.refresh_from_db()
    assert lab.title == "Lab 2 (GPU)"
    assert lab.needs_gpu


def test_it_refuses_a_bad_edit_and_keeps_the_lab(client, ines, lab):
    client.force_login(ines)
    response = client.post(
        edit_url(lab), {**FORM, "slug": "lab-2", "title": "Changed", "due_at": "2029-01-01T00:00"}
    )
    assert response.status_code == 400
    assert "due_at" in form_errors(response)
    lab.refresh_from_db()
    assert lab.title == "Lab 2"


def test_it_refuses_a_short_name_another_lab_has(client, course, ines, lab):
    other = services.assignment_create(
        course=course,
        title="Lab 4",
        slug="lab-4",
        suite="transposed-convolutions",
        opens_at=lab.opens_at,
        due_at=lab.due_at,
    )
    client.force_login(ines)
    response = client.post(edit_url(other), {**FORM, "slug": "lab-2"})
    assert response.status_code == 400
    assert "slug" in form_errors(response)


def test_it_keeps_the_seconds_of_a_time_left_as_shown(client, ines, lab):
    Assignment.objects.filter(pk=lab.pk).update(due_at=lab.due_at.replace(second=59))
    client.force_login(ines)
    response = client.post(
        edit_url(lab),
        {**FORM, "slug": "lab-2", "opens_at": "2030-01-01T04:00", "due_at": "2030-01-20T18:00"},
    )
    assert response.status_code == 302
    lab.refresh_from_db()
    assert lab.due_at == dt.datetime(2030, 1, 20, 23, 0, 59, tzinfo=dt.UTC)


# --- open now and the labs list ------------------------------------------------------------------


def test_it_asks_before_opening_a_lab_now(client, ines, lab):
    client.force_login(ines)
    response = client.get(open_url(lab))
    assert response.status_code == 200
    assert "Open now" in text_of(response)
    lab.refresh_from_db()
    assert lab.opens_at == dt.datetime(2030, 1, 1, 9, tzinfo=dt.UTC)


def test_it_opens_a_lab_now(client, ines, lab):
    client.force_login(ines)
    before = timezone.now()
    response = client.post(open_url(lab))
    assert response.status_code == 302
    lab.refresh_from_db()
    assert before <= lab.opens_at <= timezone.now()
    assert "is open to students now" in text_of(client.get(response["Location"]))


def test_it_leaves_an_open_lab_as_it_is(client, ines, lab):
    Assignment.objects.filter(pk=lab.pk).update(opens_at=dt.datetime(2017, 1, 1, tzinfo=dt.UTC))
    client.force_login(ines)
    response = client.post(open_url(lab))
    assert response.status_code == 302
    lab.refresh_from_db()
    assert lab.opens_at == dt.datetime(2017, 1, 1, tzinfo=dt.UTC)
    assert "was open already" in text_of(client.get(response["Location"]))


def test_it_shows_staff_the_controls_and_which_labs_are_not_open(client, course, tara, lab):
    client.force_login(tara)
    page = text_of(client.get(f"/courses/{course.pk}/labs/"))
    assert f'href="/courses/{course.pk}/labs/new/">New assignment</a>' in page
    assert f'href="{edit_url(lab)}">Edit' in page
    assert "not open yet: opens" in page
    assert f'href="{open_url(lab)}"' in page


def test_it_shows_students_none_of_the_controls(client, course, alice, lab):
    client.force_login(alice)
    page = text_of(client.get(f"/courses/{course.pk}/labs/"))
    assert "Lab 2" in page
    assert "New assignment" not in page
    assert edit_url(lab) not in page
    assert "not open yet" not in page


# --- who may ---------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [create_url, edit_url, open_url])
@pytest.mark.parametrize("method", ["get", "post"])
def test_it_answers_403_to_a_student(client, course, alice, lab, url, method):
    client.force_login(alice)
    target = url(course) if url is create_url else url(lab)
    assert getattr(client, method)(target, FORM).status_code == 403
    assert Assignment.objects.count() == 1
    lab.refresh_from_db()
    assert lab.opens_at == dt.datetime(2030, 1, 1, 9, tzinfo=dt.UTC)


@pytest.mark.parametrize("url", [create_url, edit_url, open_url])
def test_it_answers_404_to_a_stranger(client, course, bob, lab, url):
    client.force_login(bob)
    target = url(course) if url is create_url else url(lab)
    assert client.get(target).status_code == 404
    assert client.post(target, FORM).status_code == 404


@pytest.mark.parametrize("url", [create_url, edit_url, open_url])
def test_it_sends_anonymous_visitors_to_log_in(client, course, lab, url):
    target = url(course) if url is create_url else url(lab)
    response = client.get(target)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_it_answers_404_for_a_lab_that_does_not_exist(client, course, ines):
    client.force_login(ines)
    assert client.get(f"/courses/{course.pk}/labs/no-such-lab/edit/").status_code == 404
