"""A group's slides: due a set number of hours before its session, as an https link to Google
Slides or Drive or as a PDF upload."""

from __future__ import annotations

import datetime as dt
import logging
import re
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from presentations.models import PresenterGroup
from presentations.selectors import schedule_published
from presentations.services._versions import schedule_placements

logger = logging.getLogger(__name__)

PDF_MAGIC = b"%PDF-"
# The authority of an allowed link: a plain ASCII host name and nothing else (no userinfo, port,
# percent-escape, IP literal or trailing dot), so that what we check is the host a browser opens.
_PLAIN_HOST = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*")


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


def slides_link_problem(url: str, hosts: frozenset[str]) -> str | None:
    """Why `url` is not an https link to one of `hosts`, or None when it is.

    Parsers disagree on odd URLs: `https://evil.example\\@docs.google.com/` is docs.google.com to
    urllib but evil.example to a browser (WHATWG reads a backslash as a slash). So anything a
    parser might read two ways is refused rather than interpreted: backslashes, whitespace and
    control characters anywhere, and in the authority userinfo, ports, percent-escapes,
    non-ASCII (IDN look-alikes) and trailing dots. An upper-case host is the same host and passes.
    """
    hint = f"link to Google Slides or Drive ({', '.join(sorted(hosts))})"
    if any(ch == "\\" or ch.isspace() or not ch.isprintable() for ch in url):
        return "the link contains a backslash, a space or a control character"
    parts = urlsplit(url)
    if parts.scheme != "https" or not url.lower().startswith("https://"):
        return "use an https:// link"
    authority = parts.netloc
    if "@" in authority:
        return "the link must not contain a user name or password (@)"
    if not authority.isascii():
        return f"the host name must be plain ASCII: {hint}"
    host = authority.lower()
    if ":" in host:
        return f"the link must not name a port: {hint}"
    if not _PLAIN_HOST.fullmatch(host) or host not in hosts:
        return hint
    return None


def slides_set_link(
    *, group: PresenterGroup, url: str, now: dt.datetime | None = None
) -> PresenterGroup:
    """An https link to Google Slides or a Drive folder; other schemes and hosts are refused."""
    problem = slides_link_problem(url, frozenset(settings.SLIDES_LINK_HOSTS))
    if problem is not None:
        raise ValidationError({"slides_link": problem})
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
    except (OSError, BotoCoreError, ClientError) as error:
        # Media folder missing, read-only or full, or the bucket unreachable or refusing the
        # write: the group keeps its earlier slides.
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
