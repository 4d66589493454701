"""REST API of the gradebook, under /api/v1/courses/<id>/grades/. Exports and scoring are for
the course's TAs and instructors; a student reads their own detail only."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import BaseParser
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from courseportal.openapi import (
    csv_file_response,
    error_response,
    refused_response,
    staff_only_response,
)
from courseportal.types import AuthenticatedRequest
from courses.permissions import IsCourseMember, request_membership, require_staff
from gradebook import exports, schema, selectors, services
from gradebook.serializers import (
    GradePolicyInput,
    GradePolicyOutput,
    PresentationGradeInput,
    PresentationGradeOutput,
    StudentDetailOutput,
)


class FirstRendererNegotiation(BaseContentNegotiation):
    """The CSV views answer CSV whatever the Accept header says (errors in JSON), so that a
    client asking for text/csv gets the file instead of 406 Not Acceptable."""

    def select_parser(self, request: Request, parsers: Iterable[BaseParser]) -> BaseParser | None:
        return next(iter(parsers), None)

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        renderer = next(iter(renderers))
        return renderer, renderer.media_type


def csv_response(body: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"  # grades: never kept by a shared cache
    return response


class _GradeExportApi(APIView):
    """A grade CSV of the course's active students, for staff; subclasses name the format."""

    permission_classes = [IsCourseMember]
    content_negotiation_class = FirstRendererNegotiation
    kind = ""

    def render(self, course: Any, book: Any) -> str:
        raise NotImplementedError

    def get(self, request: Request, course_id: int) -> HttpResponse:
        membership = request_membership(request, self)
        require_staff(membership)
        course = membership.course
        book = selectors.gradebook_compute(course=course, now=timezone.now())
        return csv_response(self.render(course, book), exports.export_filename(course, self.kind))


@extend_schema_view(
    get=extend_schema(
        summary="Download the Canvas gradebook import CSV (TAs and instructors)",
        responses={
            **csv_file_response(
                schema.CanvasGradesCsv,
                "The Canvas import file (text/csv), one row per active student.",
                summary="Three students of CS 7643",
                example=schema.CANVAS_CSV,
            ),
            403: staff_only_response(),
        },
        operation_id="grades_canvas_csv",
    )
)
class CanvasExportApi(_GradeExportApi):
    """The Canvas gradebook import CSV of the course's active students."""

    kind = "canvas"

    def render(self, course: Any, book: Any) -> str:
        return exports.canvas_csv(course=course, book=book)


@extend_schema_view(
    get=extend_schema(
        summary="Download the Gradescope grade CSV (TAs and instructors)",
        responses={
            **csv_file_response(
                schema.GradescopeGradesCsv,
                "The Gradescope grade sheet (text/csv), one row per active student.",
                summary="Three students of CS 7643",
                example=schema.GRADESCOPE_CSV,
            ),
            403: staff_only_response(),
        },
        operation_id="grades_gradescope_csv",
    )
)
class GradescopeExportApi(_GradeExportApi):
    """A Gradescope-compatible CSV (Name, Email, SID, scores) of the course's active students."""

    kind = "gradescope"

    def render(self, course: Any, book: Any) -> str:
        return exports.gradescope_csv(book=book)


class StudentGradesApi(APIView):
    """Every graded item of one student: raw score, late days, penalty and final score."""

    permission_classes = [IsCourseMember]

    @extend_schema(
        summary="One student's graded items (staff: any student; a student: themselves)",
        responses={
            200: StudentDetailOutput,
            403: error_response(
                "The autograder account: it grades submissions but never reads grades.",
                "The autograder account does not read grades.",
                summary="Autograder",
            ),
        },
        examples=schema.STUDENT_DETAIL,
    )
    def get(self, request: Request, course_id: int, student_id: int) -> Response:
        membership = request_membership(request, self)
        book, student = selectors.student_grades_get(
            membership=membership, student_id=student_id, now=timezone.now()
        )
        return Response(StudentDetailOutput({"columns": book.columns, "student": student}).data)


class PresentationGradeListApi(APIView):
    """Presenter groups with their scores; staff set a group's score with POST."""

    permission_classes = [IsCourseMember]

    @extend_schema(
        summary="List the presenter groups with their scores (TAs and instructors)",
        responses={200: PresentationGradeOutput(many=True), 403: staff_only_response()},
        examples=schema.PRESENTATION_LIST,
    )
    def get(self, request: Request, course_id: int) -> Response:
        membership = request_membership(request, self)
        require_staff(membership)
        groups = selectors.presentation_group_list(course=membership.course)
        return Response(PresentationGradeOutput(groups, many=True).data)

    @extend_schema(
        summary="Set a presenter group's score (TAs and instructors)",
        request=PresentationGradeInput,
        responses={200: PresentationGradeOutput},
        examples=schema.PRESENTATION_SET,
    )
    def post(self, request: AuthenticatedRequest, course_id: int) -> Response:
        membership = request_membership(request, self)
        require_staff(membership)
        serializer = PresentationGradeInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        grade = services.presentation_grade_set(
            course=membership.course,
            group_id=data["group"],
            score=data["score"],
            comment=data.get("comment", ""),
            actor=request.user,
        )
        group = selectors.presentation_group_list(course=membership.course).get(pk=grade.group_id)
        return Response(PresentationGradeOutput(group).data, status=status.HTTP_200_OK)


class PresentationGradeDetailApi(APIView):
    permission_classes = [IsCourseMember]

    @extend_schema(
        summary="Remove a presenter group's score (TAs and instructors)",
        responses={
            204: None,
            400: refused_response(
                "The group has no score to remove.",
                "group",
                "presenter group 12 has no score to remove",
            ),
        },
    )
    def delete(self, request: Request, course_id: int, group_id: int) -> Response:
        membership = request_membership(request, self)
        require_staff(membership)
        services.presentation_grade_delete(course=membership.course, group_id=group_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class GradePolicyApi(APIView):
    """Points per review and for the presentation, and what a late review keeps; members read
    it (it is how their grades are made), staff change it."""

    permission_classes = [IsCourseMember]

    @extend_schema(
        summary="Read how reviews and presentations are graded",
        responses=GradePolicyOutput,
        examples=schema.POLICY_READ,
    )
    def get(self, request: Request, course_id: int) -> Response:
        course = request_membership(request, self).course
        return Response(GradePolicyOutput(selectors.grade_policy_get(course=course)).data)

    @extend_schema(
        summary="Change the grading policy (TAs and instructors)",
        request=GradePolicyInput,
        responses=GradePolicyOutput,
        examples=schema.POLICY_UPDATE,
    )
    def patch(self, request: Request, course_id: int) -> Response:
        membership = request_membership(request, self)
        require_staff(membership)
        serializer = GradePolicyInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        policy = services.grade_policy_update(course=membership.course, **serializer.validated_data)
        return Response(GradePolicyOutput(policy).data)
