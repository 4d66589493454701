"""REST API of staff jobs: start one (a kind an app made startable), follow any job's progress."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.views import APIView

from courseportal.openapi import staff_only_response
from courseportal.types import AuthenticatedRequest
from courses.permissions import request_membership
from jobs import registry, schema, selectors, services
from jobs.permissions import IsCourseStaff
from jobs.serializers import JobKindInput, JobOutput, JobSummaryOutput


class JobListApi(APIView):
    permission_classes = [IsCourseStaff]

    @extend_schema(
        summary="List the course's last 100 jobs, newest first (TAs and instructors)",
        responses={200: JobSummaryOutput(many=True), 403: staff_only_response()},
        examples=schema.JOB_LIST,
    )
    def get(self, request: Request, course_id: int) -> Response:
        course = request_membership(request, self).course
        jobs = selectors.job_list(course=course)[:100]
        return Response(JobSummaryOutput(jobs, many=True).data)

    @extend_schema(
        summary="Start a bulk regrade of a lab (TAs and instructors)",
        responses={202: JobOutput},
        examples=schema.JOB_START,
    )
    def post(self, request: AuthenticatedRequest, course_id: int) -> Response:
        """Start a bulk regrade of every submission of an assignment; poll the job's URL."""
        course = request_membership(request, self).course
        chosen = JobKindInput(data=request.data)
        chosen.is_valid(raise_exception=True)
        kind = chosen.validated_data["kind"]
        starter = registry.starters()[kind]
        serializer = starter.api_input(data=request.data)
        serializer.is_valid(raise_exception=True)
        job = services.job_create(
            course=course,
            kind=kind,
            created_by=request.user,
            input=starter.prepare(course, serializer.validated_data),
        )
        body = JobOutput(job).data
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]})

    def request_serializer(self, method: str) -> Any:
        """The body POST documents (courseportal/openapi.py): the startable kind's own input."""
        inputs: dict[str, Serializer[Any] | type[Serializer[Any]]] = {
            kind: starter.api_input for kind, starter in registry.starters().items()
        }
        if method != "POST" or not inputs:
            return None
        if len(inputs) == 1:
            return next(iter(inputs.values()))
        return PolymorphicProxySerializer(
            component_name="JobStartInput", serializers=inputs, resource_type_field_name="kind"
        )


class JobDetailApi(APIView):
    permission_classes = [IsCourseStaff]

    @extend_schema(
        summary="Follow a job: status, progress and, once done, its result",
        responses={200: JobOutput, 403: staff_only_response()},
        examples=schema.JOB_DETAIL,
    )
    def get(self, request: Request, course_id: int, job_id: int) -> Response:
        course = request_membership(request, self).course
        return Response(JobOutput(selectors.job_get(course=course, job_id=job_id)).data)
