"""REST API of staff jobs: start a bulk regrade, follow any job's progress."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from convlab.models import Assignment
from courseportal.courses.permissions import request_membership
from courseportal.jobs import regrade, schema, selectors, services
from courseportal.jobs.permissions import IsCourseStaff
from courseportal.jobs.serializers import BulkRegradeInput, JobOutput, JobSummaryOutput
from courseportal.openapi import staff_only_response


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
        request=BulkRegradeInput,
        responses={202: JobOutput},
        examples=schema.JOB_START,
    )
    def post(self, request: Request, course_id: int) -> Response:
        """Start a bulk regrade of every submission of an assignment; poll the job's URL."""
        course = request_membership(request, self).course
        serializer = BulkRegradeInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        slug = serializer.validated_data["assignment"]
        assignment = Assignment.objects.filter(course=course, slug=slug).first()
        if assignment is None:
            raise ValidationError({"assignment": f"no lab {slug!r} in this course"})
        job = services.job_create(
            course=course,
            kind=regrade.KIND,
            created_by=request.user,
            input={"assignment_id": assignment.pk},
        )
        body = JobOutput(job).data
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]})


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
