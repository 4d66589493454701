"""Uploads in an S3-compatible bucket (issue #20): a real S3 server (moto's, from PyPI) listens on
the loopback; the portal's default storage is django-storages' S3Storage pointed at it, as
COURSEPORTAL_S3_BUCKET and its companions configure it in production."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
import time_machine
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from moto.server import ThreadedMotoServer

from courses.models import Membership
from presentations.models import PresenterGroup
from tests.presentations.conftest import demo, publish, users

pytestmark = pytest.mark.django_db
__all__ = ["demo", "users"]  # fixtures
ROOT = Path(__file__).resolve().parents[2]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
BEFORE_DEADLINE = dt.datetime(2017, 9, 1, 12, 0, tzinfo=dt.UTC)  # the seed course's term
KEYS = {"access_key": "portal-test-key", "secret_key": "portal-test-secret"}


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """An S3-compatible server on 127.0.0.1, on a free port, for this module's tests."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def s3_client(endpoint: str) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=KEYS["access_key"],
        aws_secret_access_key=KEYS["secret_key"],
    )


@pytest.fixture
def bucket(settings, s3_endpoint, tmp_path):
    """A new bucket, and the default storage pointed at it (as settings.py builds it)."""
    name = f"slides-{uuid.uuid4().hex[:12]}"
    s3_client(s3_endpoint).create_bucket(Bucket=name)
    settings.MEDIA_ROOT = tmp_path / "media"  # must stay empty: nothing goes to the disk
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": name,
                "endpoint_url": s3_endpoint,
                "region_name": "us-east-1",
                **KEYS,
                "default_acl": "private",
                "querystring_auth": True,
                "querystring_expire": 2,
                "file_overwrite": False,
            },
        },
    }
    return name


@pytest.fixture
def uploaded(api, demo, users, bucket):
    """student2's group has uploaded its slides PDF through the REST API."""
    publish(api, demo, users["instructor"])
    group = PresenterGroup.objects.get(name="Visualizations")
    api.force_authenticate(users["student2"])
    upload = SimpleUploadedFile("talk.pdf", PDF, content_type="application/pdf")
    with time_machine.travel(BEFORE_DEADLINE, tick=False):
        response = api.post(
            f"/api/v1/courses/{demo.pk}/groups/{group.pk}/slides/",
            {"slides_file": upload},
            format="multipart",
        )
    assert response.status_code == 200, response.json()
    group.refresh_from_db()
    return group


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 - loopback test
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, b""


def test_an_uploaded_pdf_lands_in_the_bucket_and_not_on_disk(
    uploaded, bucket, s3_endpoint, settings
):
    listed = s3_client(s3_endpoint).list_objects_v2(Bucket=bucket)
    keys = [entry["Key"] for entry in listed.get("Contents", [])]
    assert keys == [uploaded.slides_file.name]
    body = s3_client(s3_endpoint).get_object(Bucket=bucket, Key=keys[0])["Body"].read()
    assert body == PDF
    assert not Path(settings.MEDIA_ROOT).exists()


def test_the_object_is_private(uploaded, bucket, s3_endpoint):
    acl = s3_client(s3_endpoint).get_object_acl(Bucket=bucket, Key=uploaded.slides_file.name)
    public = "http://acs.amazonaws.com/groups/global/AllUsers"
    assert all(grant["Grantee"].get("URI") != public for grant in acl["Grants"])
    # Guessing the object's address without a signature: refused by the bucket.
    status, body = fetch(f"{s3_endpoint}/{bucket}/{uploaded.slides_file.name}")
    assert status == 403
    assert body != PDF


def test_a_course_member_downloads_the_slides_through_the_app(client, uploaded, users):
    page = f"/courses/{uploaded.course_id}/presentations/groups/{uploaded.pk}/slides.pdf"
    client.force_login(users["student5"])  # a classmate in another group
    served = client.get(page)
    assert served.status_code == 200
    assert served["Content-Type"] == "application/pdf"
    assert b"".join(served.streaming_content) == PDF


def test_a_student_of_another_course_gets_nothing(client, uploaded, bob):
    page = f"/courses/{uploaded.course_id}/presentations/groups/{uploaded.pk}/slides.pdf"
    client.force_login(bob)
    refused = client.get(page)
    assert refused.status_code == 404
    assert PDF not in refused.content
    # Nor by guessing another group's number in bob's own course.
    own = Membership.objects.get(user=bob).course_id
    assert (
        client.get(f"/courses/{own}/presentations/groups/{uploaded.pk}/slides.pdf").status_code
        == 404
    )


def seconds_valid(url: str) -> float:
    """How long a presigned URL says it is valid: SigV4's X-Amz-Expires, SigV2's Expires."""
    query = parse_qs(urlsplit(url).query)
    if "X-Amz-Expires" in query:
        return float(query["X-Amz-Expires"][0])
    return float(query["Expires"][0]) - time.time()


def test_storage_urls_are_signed_and_short_lived(uploaded):
    url = default_storage.url(uploaded.slides_file.name)
    assert "Signature=" in url
    assert seconds_valid(url) <= 2  # querystring_expire above; 60 s by default in settings
    assert fetch(url) == (200, PDF)


def test_redirect_mode_sends_members_to_a_signed_url_and_others_nowhere(
    client, uploaded, users, bob, settings
):
    settings.SLIDES_SERVE = "redirect"
    page = f"/courses/{uploaded.course_id}/presentations/groups/{uploaded.pk}/slides.pdf"
    client.force_login(bob)
    assert client.get(page).status_code == 404
    client.force_login(users["student5"])
    answer = client.get(page)
    assert answer.status_code == 302
    assert answer["Cache-Control"] == "private, no-store"
    signed = answer["Location"]
    assert "Signature=" in signed
    assert seconds_valid(signed) <= 2
    with urllib.request.urlopen(signed, timeout=10) as served:  # noqa: S310 - loopback test
        assert served.headers["Content-Type"] == "application/pdf"
        assert served.headers["Content-Disposition"] == 'inline; filename="Visualizations.pdf"'
        assert served.read() == PDF


def test_a_missing_object_is_a_404_not_a_500(client, uploaded, users, bucket, s3_endpoint):
    s3_client(s3_endpoint).delete_object(Bucket=bucket, Key=uploaded.slides_file.name)
    client.force_login(users["student5"])
    page = f"/courses/{uploaded.course_id}/presentations/groups/{uploaded.pk}/slides.pdf"
    assert client.get(page).status_code == 404


def test_an_unreachable_bucket_is_an_error_naming_the_field(api, demo, users, settings):
    publish(api, demo, users["instructor"])
    group = PresenterGroup.objects.get(name="Visualizations")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": "nowhere",
                "endpoint_url": "http://127.0.0.1:9",  # nothing listens on the discard port
                "region_name": "us-east-1",
                **KEYS,
            },
        },
    }
    api.force_authenticate(users["student2"])
    upload = SimpleUploadedFile("talk.pdf", PDF, content_type="application/pdf")
    with time_machine.travel(BEFORE_DEADLINE, tick=False):
        response = api.post(
            f"/api/v1/courses/{demo.pk}/groups/{group.pk}/slides/",
            {"slides_file": upload},
            format="multipart",
        )
    assert response.status_code == 400
    assert "could not be saved" in response.json()["slides_file"][0]
    group.refresh_from_db()
    assert not group.slides_file


SHOW = """
import django; django.setup()
from django.conf import settings
default = settings.STORAGES["default"]
options = default.get("OPTIONS", {})
print(default["BACKEND"], options.get("bucket_name"), options.get("endpoint_url"),
      options.get("default_acl"), options.get("querystring_expire"))
"""


def show_storage(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("COURSEPORTAL_S3_")}
    return subprocess.run(
        [sys.executable, "-c", SHOW],
        cwd=ROOT,
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "courseportal.settings",
            "SECRET_KEY": "x" * 50,
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_settings_keep_the_filesystem_unless_a_bucket_is_named():
    assert show_storage().stdout.split()[0] == "django.core.files.storage.FileSystemStorage"
    chosen = show_storage(
        COURSEPORTAL_S3_BUCKET="portal-media",
        COURSEPORTAL_S3_ENDPOINT_URL="https://s3.example.edu",
        COURSEPORTAL_S3_URL_EXPIRY_S="30",
    )
    assert chosen.stdout.split() == [
        "storages.backends.s3.S3Storage",
        "portal-media",
        "https://s3.example.edu",
        "private",
        "30",
    ]


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("COURSEPORTAL_S3_ENDPOINT_URL", "ftp://s3.example.edu"),
        ("COURSEPORTAL_S3_URL_EXPIRY_S", "0"),
        ("COURSEPORTAL_S3_SERVE", "proxy"),
    ],
)
def test_settings_stop_start_up_on_a_bad_storage_value(name, raw):
    result = show_storage(COURSEPORTAL_S3_BUCKET="portal-media", **{name: raw})
    assert result.returncode != 0
    assert f"ImproperlyConfigured: {name}=" in result.stderr


def test_settings_refuse_redirects_without_a_bucket():
    result = show_storage(COURSEPORTAL_S3_SERVE="redirect")
    assert result.returncode != 0
    assert "needs a bucket: set COURSEPORTAL_S3_BUCKET" in result.stderr


@pytest.fixture
def old_media(tmp_path):
    """MEDIA_ROOT as a single host kept it: slides and an old submission's file."""
    media = tmp_path / "old-media"
    (media / "slides" / "2017").mkdir(parents=True)
    (media / "slides" / "2017" / "group-1.pdf").write_bytes(PDF)
    (media / "submissions" / "7").mkdir(parents=True)
    (media / "submissions" / "7" / "solution.py").write_bytes(b"print('hi')\n")
    return media


def test_copy_media_to_storage_copies_and_verifies_every_file(bucket, s3_endpoint, old_media):
    out = io.StringIO()
    call_command("copy_media_to_storage", source=old_media, stdout=out)
    s3 = s3_client(s3_endpoint)
    for name in ("slides/2017/group-1.pdf", "submissions/7/solution.py"):
        stored = s3.get_object(Bucket=bucket, Key=name)["Body"].read()
        assert stored == (old_media / name).read_bytes()
        digest = hashlib.sha256(stored).hexdigest()
        assert f"copied {name} (sha256 {digest})" in out.getvalue()
    assert "2 copied, 0 already stored" in out.getvalue()
    again = io.StringIO()
    call_command("copy_media_to_storage", source=old_media, stdout=again)
    assert "0 copied, 2 already stored with the same SHA-256, 0 not copied" in again.getvalue()


def test_copy_media_to_storage_never_overwrites_a_different_file(bucket, s3_endpoint, old_media):
    s3_client(s3_endpoint).put_object(
        Bucket=bucket, Key="slides/2017/group-1.pdf", Body=b"%PDF-1.4 someone else's"
    )
    with pytest.raises(CommandError, match=r"group-1\.pdf: a different file is already stored"):
        call_command("copy_media_to_storage", source=old_media, stdout=io.StringIO())
    kept = s3_client(s3_endpoint).get_object(Bucket=bucket, Key="slides/2017/group-1.pdf")
    assert kept["Body"].read() == b"%PDF-1.4 someone else's"


def test_copy_media_to_storage_refuses_without_a_bucket(settings, old_media):
    with pytest.raises(CommandError, match="set COURSEPORTAL_S3_BUCKET"):
        call_command("copy_media_to_storage", source=old_media)
    with pytest.raises(CommandError, match=r"--source: .* is not a folder"):
        call_command("copy_media_to_storage", source=old_media / "missing")


def test_redirect_mode_without_credentials_is_a_404_not_a_500(
    client, uploaded, users, settings, monkeypatch, tmp_path
):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    options = dict(settings.STORAGES["default"]["OPTIONS"], access_key=None, secret_key=None)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": options},
    }
    settings.SLIDES_SERVE = "redirect"
    client.force_login(users["student5"])
    page = f"/courses/{uploaded.course_id}/presentations/groups/{uploaded.pk}/slides.pdf"
    assert client.get(page).status_code == 404
