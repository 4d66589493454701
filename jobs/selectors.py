"""Reads of jobs."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from courses.models import Course
from jobs.models import Job


def job_list(*, course: Course) -> QuerySet[Job]:
    return Job.objects.filter(course=course).select_related("created_by")


def job_get(*, course: Course, job_id: int) -> Job:
    """The course's job; Http404 for another course's (its existence is not revealed)."""
    return get_object_or_404(job_list(course=course), pk=job_id)
