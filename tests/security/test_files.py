"""Uploaded files and heatmaps reach only those allowed to see them, through views that check.

Nothing under MEDIA_ROOT is served by URL: submissions are downloaded through
/submissions/<id>/source.py, slides through the course's slides.pdf view, and heatmaps are
inside the results, which only the submission's pages and API show.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING

import pytest
from django.core.files.base import ContentFile
from django.http import StreamingHttpResponse
from django.test import Client

from convlab.models import Submission
from presentations.models import PresenterGroup
from tests.factories import make_member
from tests.security.site import World

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = base64.b64encode(b"\x89PNG\r\n\x1a\nheatmap").decode()


def get(world: World, username: str | None, url: str) -> TestResponse:
    client = Client()
    if username is not None:
        client.force_login(world.users[username])
    return client.get(url)


@pytest.fixture
def outsider(world, bob):
    """A student of another course (and a TA there), to show nothing leaks across courses."""
    world.users["bob"] = bob
    world.users["other-ta"] = make_member(bob.memberships.first().course, "other-ta", "ta")
    return world


@pytest.fixture
def heatmap(world):
    submission = world.submission
    results = submission.results
    results["tests"][0]["extra_data"] = {"heatmaps_png_base64": [PNG]}
    Submission.objects.filter(pk=submission.pk).update(results=results)
    return submission


@pytest.mark.parametrize(
    ("viewer", "status"),
    [("student1", 200), ("ta", 200), ("instructor", 200), ("autograder", 200),
     ("student3", 404), ("bob", 404), ("other-ta", 404)],
)  # fmt: skip
def test_a_submitted_file_goes_only_to_its_student_and_the_course_staff(outsider, viewer, status):
    submission = outsider.submission
    response = get(outsider, viewer, f"/submissions/{submission.pk}/source.py")
    assert response.status_code == status
    if status == 200:
        assert isinstance(response, StreamingHttpResponse)
        assert response.getvalue() == b"print('hi')\n"
        assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        disposition = response.headers["Content-Disposition"]
        assert disposition == 'attachment; filename="transposed-convolutions-attempt-1.py"'


def test_anonymous_visitors_are_sent_to_log_in_for_files(world):
    group = PresenterGroup.objects.get(course=world.course, name="Explanations")
    group.slides_file.save("group-x.pdf", ContentFile(PDF))
    for url in (
        f"/submissions/{world.submission.pk}/source.py",
        f"/submissions/{world.submission.pk}/",
        f"/courses/{world.course.pk}/presentations/groups/{group.pk}/slides.pdf",
    ):
        response = get(world, None, url)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/accounts/login/")
    results = Client().get(f"/api/v1/submissions/{world.submission.pk}/results.json")
    assert results.status_code == 401


def test_no_uploaded_file_is_served_from_a_media_url(world, settings):
    group = PresenterGroup.objects.get(course=world.course, name="Explanations")
    group.slides_file.save("group-x.pdf", ContentFile(PDF))
    client = Client()
    client.force_login(world.users["instructor"])
    for stored in (world.submission.file, group.slides_file):
        assert (settings.MEDIA_ROOT / stored.name).exists()
        for url in (f"/media/{stored.name}", f"/{stored.name}", f"/static/{stored.name}"):
            assert client.get(url).status_code == 404, url


@pytest.mark.parametrize(
    ("viewer", "status"),
    [("student1", 200), ("ta", 200), ("instructor", 200),
     ("student3", 404), ("bob", 404), ("other-ta", 404)],
)  # fmt: skip
def test_heatmaps_show_only_to_the_student_and_the_course_staff(outsider, heatmap, viewer, status):
    for url in (f"/submissions/{heatmap.pk}/", f"/submissions/{heatmap.pk}/status/"):
        response = get(outsider, viewer, url)
        assert response.status_code == status
        assert (PNG in response.text) is (status == 200)
    client = Client()
    client.force_login(outsider.users[viewer])
    api = client.get(f"/api/v1/submissions/{heatmap.pk}/results.json")
    assert api.status_code == status
    assert (PNG in api.text) is (status == 200)


@pytest.mark.parametrize(
    ("viewer", "status"),
    # The slides are shown to the whole class: every member of the course may open them.
    [("student1", 200), ("student3", 200), ("ta", 200), ("instructor", 200),
     ("bob", 404), ("other-ta", 404)],
)  # fmt: skip
def test_slides_go_only_to_members_of_the_course(outsider, viewer, status):
    group = PresenterGroup.objects.get(course=outsider.course, name="Explanations")
    group.slides_file.save("group-x.pdf", ContentFile(PDF))
    url = f"/courses/{outsider.course.pk}/presentations/groups/{group.pk}/slides.pdf"
    response = get(outsider, viewer, url)
    assert response.status_code == status
    if status == 200:
        assert isinstance(response, StreamingHttpResponse)
        assert response.getvalue() == PDF
        assert response.headers["Content-Type"] == "application/pdf"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Content-Disposition"] == 'inline; filename="Explanations.pdf"'


def test_a_slides_file_name_from_a_group_name_cannot_break_the_header(world):
    group = PresenterGroup.objects.get(course=world.course, name="Explanations")
    PresenterGroup.objects.filter(pk=group.pk).update(name='a"; filename="x.html\r\nX-Evil: 1')
    group.refresh_from_db()
    group.slides_file.save("group-x.pdf", ContentFile(PDF))
    url = f"/courses/{world.course.pk}/presentations/groups/{group.pk}/slides.pdf"
    response = get(world, "student3", url)
    assert response.status_code == 200
    assert "X-Evil" not in response.headers
    assert response.headers["Content-Type"] == "application/pdf"


def test_a_missing_or_unknown_file_is_a_404_not_a_500(world):
    submission = world.submission
    submission.file.storage.delete(submission.file.name)
    assert get(world, "student1", f"/submissions/{submission.pk}/source.py").status_code == 404
    assert get(world, "instructor", "/submissions/999999/source.py").status_code == 404
