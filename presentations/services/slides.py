"""A group's slides: due a set number of hours before its session, as an https link to Google
Slides or Drive or as a PDF upload."""

from __future__ import annotations

import datetime as dt
import logging
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from presentations.models import PresenterGroup
from presentations.selectors import schedule_published
from presentations.services._versions import schedule_placements

logger = logging.getLogger(__name__)

PDF_MAGIC = b"%PDF-"


def slides_deadline(*, group: PresenterGroup) -> dt.datetime | None:
    """When slides are due: the course's hours before the start of the group's session."""
    published = schedule_published(course=group.course)
    day = schedule_placements(published).get(str(group.pk)) if published else None
    if day is None:
        return None
    course = group.course
    start = dt.datetime.combine(day, course.meeting_start, tzinfo=ZoneInfo(course.time_zone))
    return start - dt.timedelta(hours=course.slides_due_hours_before)


def _check_slides_window(group: PresenterGroup, field: str, now: dt.datetime) -> None:
    deadline = slides_deadline(group=group)
    if deadline is None:
        raise ValidationError({field: "the group is not on the published schedule yet"})
    if now > deadline:
        raise ValidationError({field: f"slides were due {deadline:%Y-%m-%d %H:%M %Z}"})


def slides_set_link(
    *, group: PresenterGroup, url: str, now: dt.datetime | None = None
) -> PresenterGroup:
    """An https link to Google Slides or a Drive folder; other schemes and hosts are refused."""
    parts = urlsplit(url)
    if parts.scheme != "https":
        raise ValidationError({"slides_link": "use an https:// link"})
    hosts = settings.SLIDES_LINK_HOSTS
    if (parts.hostname or "").lower() not in hosts:
        raise ValidationError(
            {"slides_link": f"link to Google Slides or Drive ({', '.join(sorted(hosts))})"}
        )
    _check_slides_window(group, "slides_link", now or timezone.now())
    group.slides_link = url
    group.slides_updated_at = now or timezone.now()
    group.save(update_fields=["slides_link", "slides_updated_at"])
    return group


def slides_upload(
    *, group: PresenterGroup, upload: UploadedFile, now: dt.datetime | None = None
) -> PresenterGroup:
    """A PDF (checked by its first bytes, not its name) no larger than SLIDES_MAX_BYTES."""
    limit = settings.SLIDES_MAX_BYTES
    if upload.size is None or upload.size > limit:
        raise ValidationError({"slides_file": f"the file is larger than {limit // 2**20} MB"})
    head = upload.read(len(PDF_MAGIC))
    upload.seek(0)
    if head != PDF_MAGIC or not (upload.name or "").lower().endswith(".pdf"):
        raise ValidationError({"slides_file": "upload a PDF file (.pdf)"})
    _check_slides_window(group, "slides_file", now or timezone.now())
    old = group.slides_file.name if group.slides_file else None
    try:
        group.slides_file.save(f"group-{group.pk}.pdf", upload, save=False)
    except OSError as error:
        # Media folder missing, read-only or full: the group keeps its earlier slides.
        logger.error("could not store the slides of group %s: %s", group.pk, error)
        raise ValidationError(
            {
                "slides_file": "the file could not be saved: the portal's storage is not available "
                "right now; please try again later"
            }
        ) from None
    group.slides_updated_at = now or timezone.now()
    group.save(update_fields=["slides_file", "slides_updated_at"])
    if old and old != group.slides_file.name:
        group.slides_file.storage.delete(old)
    return group
