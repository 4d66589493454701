"""REST API of roster import: preview, then apply. Large files become jobs (202)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from courseportal.parsers import JSONParser
from courseportal.types import AuthenticatedRequest
from courses.models import Membership
from courses.permissions import request_membership
from jobs.permissions import IsCourseStaff
from jobs.serializers import JobOutput
from jobs.services import job_create
from roster import jobs, schema, services
from roster.serializers import (
    RosterPlanOutput,
    RosterRejectedOutput,
    RosterUploadInput,
)


def base_url(request: Request) -> str:
    """Where the set-password links of invitation emails point."""
    return request.build_absolute_uri("/").rstrip("/")


class _RosterApi(APIView):
    permission_classes = [IsCourseStaff]
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    apply = False

    def post(self, request: AuthenticatedRequest, course_id: int) -> Response:
        membership = request_membership(request, self)
        serializer = RosterUploadInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        content = serializer.validated_data["file"].read()
        parsed = services.roster_parse(content=content)
        if parsed.row_count > jobs.JOB_ABOVE_ROWS:
            return self._as_job(request, membership, content)
        if not self.apply:
            plan = services.roster_plan(
                course=membership.course, parsed=parsed, importer_role=membership.role
            )
            return Response(RosterPlanOutput(plan.as_dict()).data)
        try:
            plan = services.roster_apply(
                course=membership.course,
                content=content,
                importer_role=membership.role,
                base_url=base_url(request),
            )
        except services.RosterRejected as rejected:
            body = {"file": [str(rejected)], **RosterPlanOutput(rejected.plan.as_dict()).data}
            return Response(body, status=status.HTTP_400_BAD_REQUEST)
        return Response(RosterPlanOutput(plan.as_dict()).data)

    def _as_job(
        self, request: AuthenticatedRequest, membership: Membership, content: bytes
    ) -> Response:
        job = job_create(
            course=membership.course,
            kind=jobs.KIND,
            created_by=request.user,
            input=jobs.roster_job_input(
                content=content,
                apply=self.apply,
                importer_role=membership.role,
                base_url=base_url(request),
            ),
        )
        body = JobOutput(job).data
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]})


class RosterPreviewApi(_RosterApi):
    """What importing the roster would change, with every bad row; changes nothing."""

    @extend_schema(
        summary="Preview a roster import: the changes and every bad row (TAs and instructors)",
        request={"multipart/form-data": RosterUploadInput},
        responses={200: RosterPlanOutput, 202: JobOutput},
        examples=schema.PREVIEW,
    )
    def post(self, request: AuthenticatedRequest, course_id: int) -> Response:
        return super().post(request, course_id)


class RosterApplyApi(_RosterApi):
    """Import the roster in one transaction; 400 with every bad row, nothing applied."""

    apply = True

    @extend_schema(
        summary="Import a roster, all rows or none (TAs and instructors)",
        request={"multipart/form-data": RosterUploadInput},
        responses={200: RosterPlanOutput, 202: JobOutput, 400: RosterRejectedOutput},
        examples=schema.APPLY,
    )
    def post(self, request: AuthenticatedRequest, course_id: int) -> Response:
        return super().post(request, course_id)
