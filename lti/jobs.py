"""The lti_roster_sync job kind: read an LMS course's roster over NRPS in a worker, with
progress, and write it to the portal course (lti/services/nrps.py)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from pylti1p3.exception import LtiException
from rest_framework import serializers

from courses.models import Course
from jobs.models import Job
from jobs.registry import JobFailed, JobKind, Progress, Starter, register
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
    if not context.registration.usable:
        raise JobFailed("the LMS registration is switched off or waits for a site admin's approval")
    try:
        members = nrps.members_fetch(context, progress)
    except (LtiException, ValueError, OSError) as failure:
        raise JobFailed(f"the LMS roster could not be read: {failure}") from None
    result = nrps.roster_sync(context=context, members=members, progress=progress)
    return result.as_dict()


def _syncable(course_id: int) -> Any:
    return CourseContext.objects.filter(
        course_id=course_id, registration__is_active=True, registration__approved_at__isnull=False
    ).exclude(memberships_url="")


class RosterSyncInput(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=[KIND])
    lms_course = serializers.CharField(
        max_length=255, help_text="The LMS course's context id (as its launches named it)."
    )


class RosterSyncForm(forms.Form):
    """The jobs page's form: an LMS course linked to this course that offers NRPS."""

    lms_course = forms.ModelChoiceField(queryset=CourseContext.objects.none(), label="LMS course")

    def __init__(self, *args: Any, course_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["lms_course"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = _syncable(course_id)


def roster_sync_prepare(course: Course, data: dict[str, Any]) -> dict[str, Any]:
    """The job's input from the page's form (a CourseContext) or the API's body (its id)."""
    context = data["lms_course"]
    if not isinstance(context, CourseContext):
        found = _syncable(course.pk).filter(context_id=context).first()
        if found is None:
            raise ValidationError(
                {"lms_course": f"no LMS course {context!r} with a roster service is linked here"}
            )
        context = found
    return {"context": context.pk}


register(
    JobKind(
        name=KIND,
        label="LMS roster sync (LTI)",
        run=roster_sync_run,
        starter=Starter(
            api_input=RosterSyncInput,
            form=RosterSyncForm,
            prepare=roster_sync_prepare,
            heading="Sync the roster from the LMS (LTI Names and Roles)",
            button="Start roster sync",
        ),
    )
)
