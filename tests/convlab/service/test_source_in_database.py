"""The submitted source lives in the database (issue #20); rows from before keep their file,
which the migration copies in and `source_text` still reads."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.core.files.base import ContentFile

from convlab import services
from convlab.models import Submission
from tests.convlab.service.conftest import REFERENCE

pytestmark = pytest.mark.django_db

migration = importlib.import_module("convlab.migrations.0005_submission_source")


@pytest.fixture
def old_row(lab, alice, settings, tmp_path):
    """A submission as rows made before the source was in the database: only its file."""
    settings.MEDIA_ROOT = tmp_path / "media"
    made = services.submission_create(
        assignment=lab, student=alice, submitted_by=alice, content=REFERENCE
    ).submission
    made.file.save("attempt-1.py", ContentFile(REFERENCE), save=False)
    Submission.objects.filter(pk=made.pk).update(source="", file=made.file.name)
    made.refresh_from_db()
    return made


def test_a_new_submission_keeps_its_source_in_its_row_and_writes_no_file(lab, alice):
    made = services.submission_create(
        assignment=lab, student=alice, submitted_by=alice, content=REFERENCE
    ).submission
    stored = Submission.objects.get(pk=made.pk)
    assert stored.source == REFERENCE.decode()
    assert not stored.file


def test_an_old_row_is_still_read_from_its_file(old_row):
    assert old_row.source == ""
    assert old_row.source_text() == REFERENCE.decode()


def test_the_migration_copies_readable_files_into_their_rows(old_row, lab, alice):
    gone = services.submission_create(
        assignment=lab, student=alice, submitted_by=alice, content=b"x = 1\n"
    ).submission
    Submission.objects.filter(pk=gone.pk).update(source="", file="submissions/missing.py")
    migration.copy_files_into_rows(apps, None)
    assert Submission.objects.get(pk=old_row.pk).source == REFERENCE.decode()
    # A file this host cannot read is left as it was (and its row still names it).
    left = Submission.objects.get(pk=gone.pk)
    assert (left.source, left.file.name) == ("", "submissions/missing.py")


def test_an_old_row_whose_file_is_missing_is_not_gradable_here_and_says_why(old_row):
    old_row.file.storage.delete(old_row.file.name)
    with pytest.raises(services.SourceUnavailable, match="not readable on this worker"):
        services.submission_grade(submission=Submission.objects.get(pk=old_row.pk))
