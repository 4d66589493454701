"""The media folder not writable: submissions still go through, since their source is kept in
the database (issue #20), and nothing is written under MEDIA_ROOT for them."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_django import Settings

from convlab.models import Submission
from tests.convlab.service.conftest import REFERENCE, submit_url

pytestmark = pytest.mark.django_db


def writable(folder: Path) -> bool:
    probe = folder / ".probe"
    try:
        probe.write_bytes(b"")
    except OSError:
        return False
    probe.unlink()
    return True


@pytest.fixture
def read_only_media(settings: Settings, tmp_path: Path) -> Iterator[Path]:
    """MEDIA_ROOT on a folder this test owns and makes read-only. chmod is enough for a normal
    user; root ignores it, so as root the folder is also made immutable (chattr +i), and where
    the file system has no such flag (overlayfs), a plain file takes the folder's place."""
    media = tmp_path / "media"
    media.mkdir()
    settings.MEDIA_ROOT = media
    media.chmod(stat.S_IRUSR | stat.S_IXUSR)
    immutable = False
    if writable(media) and os.geteuid() == 0 and shutil.which("chattr"):
        done = subprocess.run(["chattr", "+i", str(media)], capture_output=True, check=False)
        immutable = done.returncode == 0 and not writable(media)
    if writable(media):
        media.chmod(stat.S_IRWXU)
        media.rmdir()
        media.write_bytes(b"")  # "media" is a file: nothing can be saved under it
    yield media
    if immutable:
        subprocess.run(["chattr", "-i", str(media)], check=True)
    if media.is_dir():
        media.chmod(stat.S_IRWXU)


def test_the_api_takes_a_submission_with_nothing_written_to_the_media_folder(
    api, lab, alice, read_only_media
):
    api.force_authenticate(alice)
    response = api.post(submit_url(lab), {"source": REFERENCE.decode()}, format="json")
    assert response.status_code == 202, response.content
    saved = Submission.objects.get()
    assert saved.source_text() == REFERENCE.decode()
    assert not saved.file
    assert not read_only_media.is_dir() or list(read_only_media.rglob("*")) == []


def test_the_upload_page_takes_a_submission_with_nothing_written_to_the_media_folder(
    client, lab, alice, read_only_media
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(alice)
    page = f"/courses/{lab.course_id}/labs/{lab.slug}/"
    upload = SimpleUploadedFile("solution.py", REFERENCE, content_type="text/x-python")
    assert client.post(page, {"file": upload}).status_code == 302
    saved = Submission.objects.get()
    assert saved.source == REFERENCE.decode()
    # Its download comes from the database too.
    download = client.get(f"/submissions/{saved.pk}/source.py")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == REFERENCE
    assert not read_only_media.is_dir() or list(read_only_media.rglob("*")) == []
