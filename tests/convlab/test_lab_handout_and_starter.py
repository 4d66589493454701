"""A lab's own handout (Markdown, written by staff) and an uploaded starter file (issue #16):
the handout is shown escaped, never as markup; a starter file must be .py; only staff set them."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from convlab import services
from convlab.models import Assignment
from tests.convlab.test_assignment_pages import FORM, create_url, edit_url, form_errors
from tests.factories import make_user

pytestmark = pytest.mark.django_db

STARTER = b'"""Lab 2 starter."""\n\n\ndef conv_transpose2d(x, w):\n    raise NotImplementedError\n'
XSS = (
    "# Lab 2\n\n"
    "Read **this** first: <script>alert('handout')</script>\n\n"
    '<img src=x onerror="alert(1)">\n\n'
    "- [a link](javascript:alert(2))\n"
    "- [the paper](https://arxiv.org/abs/1603.07285)\n"
)


@pytest.fixture
def lab(course: Any) -> Assignment:
    return services.assignment_create(
        course=course,
        title="Lab 2",
        slug="lab-2",
        suite="transposed-convolutions",
        opens_at=dt.datetime(2017, 9, 1, 9, tzinfo=dt.UTC),
        due_at=dt.datetime(2030, 1, 20, 23, tzinfo=dt.UTC),
    )


def page_url(lab: Assignment) -> str:
    return f"/courses/{lab.course_id}/labs/{lab.slug}/"


def starter_url(lab: Assignment) -> str:
    return f"/courses/{lab.course_id}/labs/{lab.slug}/starter.py"


def edit_form(lab: Assignment, **changes: Any) -> dict[str, Any]:
    data = {
        **FORM,
        "title": lab.title,
        "slug": lab.slug,
        "opens_at": "2017-09-01T05:00",
        "due_at": "2030-01-20T18:00",
    }
    data.update(changes)
    return data


def test_staff_create_a_lab_with_a_handout_and_a_starter_file(client, course, tara):
    client.force_login(tara)
    upload = SimpleUploadedFile("lab3_starter.py", STARTER, content_type="text/x-python")
    response = client.post(
        create_url(course),
        {**FORM, "handout": "# Lab 3\n\nWrite **two** functions.", "starter": upload},
    )
    assert response.status_code == 302, form_errors(response)
    lab = Assignment.objects.get(course=course)
    assert lab.handout.startswith("# Lab 3")
    assert (lab.starter_name, lab.starter.encode()) == ("lab3_starter.py", STARTER)


def test_the_lab_page_shows_the_handout_with_its_html_escaped(client, lab, ines, alice):
    client.force_login(ines)
    response = client.post(edit_url(lab), edit_form(lab, handout=XSS))
    assert response.status_code == 302, form_errors(response)

    client.force_login(alice)
    body = client.get(page_url(lab)).content.decode()
    handout = body.split('id="handout-h"')[1]
    assert "<strong>this</strong>" in handout
    assert '<a href="https://arxiv.org/abs/1603.07285"' in handout
    # The markup in the handout is shown as text, never run.
    assert "<script>alert" not in body
    assert "&lt;script&gt;alert(&#x27;handout&#x27;)&lt;/script&gt;" in handout
    assert "<img" not in handout
    assert 'href="javascript:' not in body
    # The suite's own handout gives way to the lab's.
    assert "<h3>Lab 2</h3>" in handout
    assert "summed where they overlap" not in handout


def test_the_starter_link_serves_the_uploaded_file(client, lab, ines, alice):
    client.force_login(ines)
    upload = SimpleUploadedFile("my starter.py", STARTER)
    response = client.post(edit_url(lab), edit_form(lab, starter=upload))
    assert response.status_code == 302, form_errors(response)

    client.force_login(alice)
    response = client.get(starter_url(lab))
    assert response.status_code == 200
    assert response.content == STARTER
    assert response["Content-Disposition"] == 'attachment; filename="my_starter.py"'
    assert response["Content-Type"] == "text/x-python; charset=utf-8"


def test_staff_remove_the_uploaded_starter_and_students_get_the_suites_again(
    client, lab, ines, alice
):
    services.assignment_update(assignment=lab, starter=STARTER.decode(), starter_name="s.py")
    client.force_login(ines)
    assert "Now: s.py." in client.get(edit_url(lab)).content.decode()
    response = client.post(edit_url(lab), edit_form(lab, remove_starter="on"))
    assert response.status_code == 302, form_errors(response)
    client.force_login(alice)
    served = client.get(starter_url(lab)).content.decode()
    assert "def conv_transpose2d(" in served
    assert "NotImplementedError" in served
    assert served.encode() != STARTER


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("starter.ipynb", b"{}", "“starter.ipynb” is not a .py file"),
        ("starter.txt", STARTER, "“starter.txt” is not a .py file"),
        ("starter.py", "déf".encode("latin-1"), "“starter.py” is not UTF-8 text"),
        (
            "starter.py",
            b"x" * 200_001,
            "“starter.py” is 200,001 bytes; a starter file may be 200 KB",
        ),
    ],
)
def test_it_refuses_a_starter_file_that_is_not_python_naming_the_field(
    client, lab, ines, name, content, says
):
    client.force_login(ines)
    upload = SimpleUploadedFile(name, content)
    response = client.post(edit_url(lab), edit_form(lab, starter=upload, handout="# Changed"))
    assert response.status_code == 400
    assert list(form_errors(response)) == ["starter"]
    assert f"Starter file (.py): {says}" in html.unescape(response.content.decode())
    lab.refresh_from_db()
    assert (lab.starter, lab.handout) == ("", "")


def test_the_service_refuses_a_starter_without_a_py_name(lab):
    with pytest.raises(ValidationError) as refused:
        services.assignment_update(assignment=lab, starter="x = 1\n", starter_name="x.txt")
    assert refused.value.message_dict == {
        "starter": ["The starter file must be Python source ending in .py."]
    }
    lab.refresh_from_db()
    assert lab.starter == ""


def test_it_refuses_a_handout_that_is_too_long(client, lab, ines):
    client.force_login(ines)
    response = client.post(edit_url(lab), edit_form(lab, handout="x" * 50_001))
    assert response.status_code == 400
    assert list(form_errors(response)) == ["handout"]


def test_students_and_strangers_cannot_set_the_handout_or_starter(client, lab, alice):
    stranger = make_user("stranger")
    upload = SimpleUploadedFile("evil.py", b"import os\n")
    for user, status in ((alice, 403), (stranger, 404)):
        client.force_login(user)
        response = client.post(edit_url(lab), edit_form(lab, handout="# Mine", starter=upload))
        assert response.status_code == status
    lab.refresh_from_db()
    assert (lab.handout, lab.starter) == ("", "")
