"""The lti_roster_sync job kind: read an LMS course's roster over NRPS in a worker, with
progress, and write it to the portal course (lti/services/nrps.py)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from pylti1p3.exception import LtiException

from jobs.models import Job
from jobs.registry import JobFailed, JobKind, Progress, register
from jobs.services import job_create
from lti.models import CourseContext
from lti.services import nrps

KIND = "lti_roster_sync"


def roster_sync_start(*, context: CourseContext, created_by: User | None) -> Job:
    """Queue a sync of the context's roster (once the surrounding transaction commits)."""
    return job_create(
        course=context.course, kind=KIND, created_by=created_by, input={"context": context.pk}
    )


def roster_sync_run(job: Job, progress: Progress) -> dict[str, Any]:
    context = (
        CourseContext.objects.select_related("registration", "course")
        .filter(pk=job.input.get("context"), course=job.course)
        .first()
    )
    if context is None:
        raise JobFailed("this LMS course is no longer linked to the course")
    try:
        members = nrps.members_fetch(context, progress)
    except (LtiException, ValueError, OSError) as failure:
        raise JobFailed(f"the LMS roster could not be read: {failure}") from None
    result = nrps.roster_sync(context=context, members=members, progress=progress)
    return result.as_dict()


register(JobKind(name=KIND, label="LMS roster sync (LTI)", run=roster_sync_run))
