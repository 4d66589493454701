"""Uploaded files and heatmaps reach only those allowed to see them, through views that check.

Nothing under MEDIA_ROOT is served by URL: submissions are downloaded through
/submissions/<id>/source.py, slides through the course's slides.pdf view, and heatmaps are
inside the results, which only the submission's pages and API show.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import StreamingHttpResponse
from django.test import Client

from convlab.models import Submission
from presentations.models import PresenterGroup
from tests.convlab.service.conftest import submit_url
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


def made_before_sources_in_the_database(submission: Submission) -> Submission:
    """The submission as rows made before issue #20 are: its source only in a file under
    MEDIA_ROOT."""
    source = submission.source_text()
    submission.file.save("attempt-1.py", ContentFile(source.encode()), save=False)
    Submission.objects.filter(pk=submission.pk).update(source="", file=submission.file.name)
    submission.refresh_from_db()
    return submission


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
    submission = made_before_sources_in_the_database(world.submission)
    for stored in (submission.file, group.slides_file):
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
    submission = made_before_sources_in_the_database(world.submission)
    assert get(world, "student1", f"/submissions/{submission.pk}/source.py").status_code == 200
    submission.file.storage.delete(str(submission.file.name))
    assert get(world, "student1", f"/submissions/{submission.pk}/source.py").status_code == 404
    assert get(world, "instructor", "/submissions/999999/source.py").status_code == 404


# --- upload limits (issue #14, finding 13) ---------------------------------------------------

BOUNDARY = "courseportal-test-boundary"
# The test client sets no Content-Type for a body it does not make itself.
MULTIPART: dict[str, Any] = {"CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}"}


class MultipartBody:
    """A multipart body with one file of `size` bytes, made as it is read (nothing held in
    memory), counting what the server read of it."""

    def __init__(self, field: str, size: int) -> None:
        self.head = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{field}"; '
            f'filename="big.py"\r\nContent-Type: text/x-python\r\n\r\n'
        ).encode()
        self.tail = f"\r\n--{BOUNDARY}--\r\n".encode()
        self.size = len(self.head) + size + len(self.tail)
        self.read_bytes = 0

    def read(self, n: int = -1) -> bytes:
        left = self.size - self.read_bytes
        n = left if n is None or n < 0 else min(n, left)
        chunk = bytearray(n)
        for i in range(n):  # only the few bytes of head and tail; the file is all "a"
            at = self.read_bytes + i
            if at < len(self.head):
                chunk[i] = self.head[at]
            elif at >= self.size - len(self.tail):
                chunk[i] = self.tail[at - (self.size - len(self.tail))]
            else:
                chunk[i] = ord("a")
        self.read_bytes += n
        return bytes(chunk)

    def readline(self, limit: int = -1) -> bytes:
        raise AssertionError("multipart bodies are read in chunks")

    def post(self, client: Client, url: str) -> TestResponse:
        environ: dict[str, Any] = {"wsgi.input": self, "CONTENT_LENGTH": str(self.size)}
        return client.generic("POST", url, **environ, **MULTIPART)


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_api_upload_over_its_limit_is_refused_before_a_byte_is_read(lab, alice):
    body = MultipartBody("file", 20 * 2**20)
    response = body.post(logged_in(alice), submit_url(lab))
    assert response.status_code == 413
    assert response.json() == {
        "detail": "Request body too large: file takes at most 256 KiB.",
        "file": ["the file is larger than 256 KiB"],
    }
    assert body.read_bytes == 0
    assert not Submission.objects.exists()


def test_a_page_upload_over_its_limit_is_refused_with_a_page_before_it_is_read(lab, alice):
    body = MultipartBody("file", 20 * 2**20)
    response = body.post(logged_in(alice), f"/courses/{lab.course_id}/labs/{lab.slug}/")
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/html")
    assert "Nothing was saved: the file is larger than 256 KiB." in response.text
    assert body.read_bytes == 0
    assert not Submission.objects.exists()


def test_a_file_past_its_limit_is_stopped_as_it_streams_in(lab, alice, settings):
    # The body's length is within the check on headers; the file is stopped once it passes
    # the limit, whatever the part's own headers say.
    settings.CONVLAB_MAX_SOURCE_BYTES = 1024
    body = MultipartBody("file", 8 * 1024)
    response = body.post(logged_in(alice), submit_url(lab))
    assert response.status_code == 413
    assert response.json()["file"] == ["the file is larger than 1 KiB"]
    assert not Submission.objects.exists()


def test_a_file_at_its_limit_is_taken(lab, alice, settings):
    settings.CONVLAB_MAX_SOURCE_BYTES = 1024
    upload = SimpleUploadedFile("ok.py", b"x = 1\n" + b"#" * 1018, content_type="text/x-python")
    response = logged_in(alice).post(submit_url(lab), {"file": upload})
    assert response.status_code == 202, response.content


def test_a_view_that_names_no_limit_takes_no_file_larger_than_any_form_does(alice, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    too_long = MultipartBody("file", 1024 + 64 * 1024 + 1)  # past courseportal.limits.FORM_OVERHEAD
    response = too_long.post(logged_in(alice), "/account/")
    assert response.status_code == 413
    assert too_long.read_bytes == 0
    # Within the body's length, but the file passes the limit as it streams in.
    assert MultipartBody("file", 1025).post(logged_in(alice), "/account/").status_code == 413


def test_a_body_without_content_length_is_read_as_empty(lab, alice):
    # Chunked transfer: Django under WSGI reads nothing without a Content-Length, so a body
    # cannot slip past the limits by leaving it out.
    body = MultipartBody("file", 2**20)
    client = logged_in(alice)
    environ: dict[str, Any] = {"wsgi.input": body, "HTTP_TRANSFER_ENCODING": "chunked"}
    response = client.generic("POST", submit_url(lab), **environ, **MULTIPART)
    assert response.status_code == 400
    assert body.read_bytes == 0
    assert not Submission.objects.exists()


def test_the_settings_keep_files_small_in_memory(settings):
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE == 256 * 1024
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 2_621_440
    middleware = settings.MIDDLEWARE
    limits = middleware.index("courseportal.limits.BodyLimitMiddleware")
    assert limits < middleware.index("django.middleware.csrf.CsrfViewMiddleware")
