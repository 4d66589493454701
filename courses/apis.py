"""REST API of the course core, under /api/v1/. Views are thin: validate, call, serialize."""

from __future__ import annotations

import functools
from typing import Any

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.serializer_helpers import ReturnList
from rest_framework.views import APIView

from courseportal import caching
from courseportal.openapi import error_response, refused_response
from courseportal.types import AuthenticatedRequest
from courses import schema, selectors, services
from courses.academic_calendar import ClassSession
from courses.permissions import (
    IsCourseInstructor,
    IsCourseInstructorOrReadOnly,
    IsCourseMember,
    IsCourseStaffOrReadOnly,
    request_membership,
)
from courses.serializers import (
    AnnouncementInput,
    AnnouncementOutput,
    CalendarExceptionInput,
    CalendarExceptionOutput,
    CourseInput,
    CourseOutput,
    SessionOutput,
    StaffInput,
    StaffOutput,
    TokenInput,
    TokenOutput,
)
from courses.services import api_token_create, api_token_revoke


class CanCreateCourses(BasePermission):
    message = "Only site administrators create courses."

    def has_permission(self, request: Request, view: Any) -> bool:
        return request.method != "POST" or request.user.has_perm("courses.add_course")


class CourseListApi(APIView):
    permission_classes = [IsAuthenticated, CanCreateCourses]

    @extend_schema(
        summary="List your courses, with your role in each",
        responses=CourseOutput(many=True),
        examples=schema.COURSE_LIST,
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        courses = selectors.course_list_for_user(user=request.user)
        roles = selectors.membership_roles_by_course(user=request.user)
        return Response(CourseOutput(courses, many=True, context={"roles": roles}).data)

    @extend_schema(
        summary="Create a course (site administrators)",
        request=CourseInput,
        responses={201: CourseOutput},
        examples=schema.COURSE_CREATE,
    )
    def post(self, request: Request) -> Response:
        serializer = CourseInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        course = services.course_create(**serializer.validated_data)
        return Response(CourseOutput(course).data, status=status.HTTP_201_CREATED)


class CourseDetailApi(APIView):
    permission_classes = [IsCourseInstructorOrReadOnly]

    @extend_schema(summary="Read a course", responses=CourseOutput, examples=schema.COURSE_DETAIL)
    def get(self, request: Request, course_id: int) -> Response:
        membership = request_membership(request, self)
        roles = {membership.course_id: membership.role}
        return Response(CourseOutput(membership.course, context={"roles": roles}).data)

    @extend_schema(
        summary="Change a course (instructors)",
        request=CourseInput(partial=True),
        responses=CourseOutput,
        examples=schema.COURSE_UPDATE,
    )
    def patch(self, request: Request, course_id: int) -> Response:
        membership = request_membership(request, self)
        serializer = CourseInput(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        course = services.course_update(course=membership.course, **serializer.validated_data)
        roles = {course.pk: membership.role}
        return Response(CourseOutput(course, context={"roles": roles}).data)


@functools.lru_cache(maxsize=256)
def _serialized_sessions(zone: str, sessions: tuple[ClassSession, ...]) -> ReturnList:
    """The serialized sessions, kept per distinct term: serializing thirty sessions cost more
    than the rest of the request. The key is the whole content (frozen values) and the time
    zone the times are written in, since aware datetimes compare equal across zones. The
    result is shared: it is rendered, never changed."""
    # many=True makes a ListSerializer, whose data is a list; the stubs keep SessionOutput's type.
    return SessionOutput(sessions, many=True).data  # type: ignore[return-value]


def _sessions_data(sessions: list[ClassSession]) -> ReturnList:
    return _serialized_sessions(timezone.get_current_timezone_name(), tuple(sessions))


class CourseSessionListApi(APIView):
    permission_classes = [IsCourseMember]

    @extend_schema(
        summary="Every class date: meetings, holidays, breaks and guest lectures",
        responses=SessionOutput(many=True),
        examples=schema.SESSION_LIST,
    )
    def get(self, request: Request, course_id: int) -> HttpResponse:
        course = request_membership(request, self).course
        zone = timezone.get_current_timezone_name()
        return caching.api_response(
            request,
            ("sessions", course.pk, zone),
            scopes=[caching.course_scope(course.pk)],
            build=lambda: (_sessions_data(selectors.course_sessions(course=course)), True),
        )


class CalendarExceptionListApi(APIView):
    permission_classes = [IsCourseStaffOrReadOnly]

    @extend_schema(
        summary="List the calendar's exceptions",
        responses=CalendarExceptionOutput(many=True),
        examples=schema.EXCEPTION_LIST,
    )
    def get(self, request: Request, course_id: int) -> Response:
        course = request_membership(request, self).course
        exceptions_ = selectors.calendar_exception_list(course=course)
        return Response(CalendarExceptionOutput(exceptions_, many=True).data)

    @extend_schema(
        summary="Add a no-class day or a guest lecture (TAs and instructors)",
        description="A change that would move presenter groups of the published schedule needs "
        '`"confirm": true`; without it: 400 naming `confirm`, with the `moves` it would make.',
        request=CalendarExceptionInput,
        responses={201: CalendarExceptionOutput},
        examples=schema.EXCEPTION_CREATE,
    )
    def post(self, request: AuthenticatedRequest, course_id: int) -> Response:
        course = request_membership(request, self).course
        serializer = CalendarExceptionInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        # Not a field of the input (it is no part of the exception): read as DRF reads one.
        raw = request.data.get("confirm", False) if isinstance(request.data, dict) else False
        try:
            confirmed = serializers.BooleanField().to_internal_value(raw)
        except serializers.ValidationError:
            return Response(
                {"confirm": ["true or false (true: make a change that moves presenter groups)."]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        if not confirmed:
            moves = services.calendar_exception_moves(course=course, **fields)
            if moves:
                return Response(
                    {
                        "confirm": [
                            f"This change moves {len(moves)} presenter group(s) of the "
                            'published schedule; send "confirm": true to make it. Nothing was '
                            "done."
                        ],
                        "moves": [
                            {
                                "group": move.group,
                                "from_date": move.from_date.isoformat(),
                                "to_date": move.to_date.isoformat() if move.to_date else None,
                            }
                            for move in moves
                        ],
                    },
                    status=status.HTTP_400_BAD_REQUEST,
                )
        exception = services.calendar_exception_create(course=course, actor=request.user, **fields)
        return Response(CalendarExceptionOutput(exception).data, status=status.HTTP_201_CREATED)


class CalendarExceptionDetailApi(APIView):
    permission_classes = [IsCourseStaffOrReadOnly]

    def _get(self, request: Request, exception_id: int) -> Any:
        course = request_membership(request, self).course
        return get_object_or_404(selectors.calendar_exception_list(course=course), pk=exception_id)

    @extend_schema(
        summary="Read a calendar exception",
        responses=CalendarExceptionOutput,
        examples=schema.EXCEPTION_DETAIL,
    )
    def get(self, request: Request, course_id: int, exception_id: int) -> Response:
        return Response(CalendarExceptionOutput(self._get(request, exception_id)).data)

    @extend_schema(
        summary="Replace a calendar exception (TAs and instructors)",
        request=CalendarExceptionInput,
        responses=CalendarExceptionOutput,
        examples=schema.EXCEPTION_REPLACE,
    )
    def put(self, request: AuthenticatedRequest, course_id: int, exception_id: int) -> Response:
        return self._update(request, exception_id, partial=False)

    @extend_schema(
        summary="Change a calendar exception (TAs and instructors)",
        request=CalendarExceptionInput(partial=True),
        responses=CalendarExceptionOutput,
        examples=schema.EXCEPTION_UPDATE,
    )
    def patch(self, request: AuthenticatedRequest, course_id: int, exception_id: int) -> Response:
        return self._update(request, exception_id, partial=True)

    def _update(
        self, request: AuthenticatedRequest, exception_id: int, *, partial: bool
    ) -> Response:
        exception = self._get(request, exception_id)
        serializer = CalendarExceptionInput(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        exception = services.calendar_exception_update(
            exception=exception, actor=request.user, **serializer.validated_data
        )
        return Response(CalendarExceptionOutput(exception).data)

    @extend_schema(
        summary="Delete a calendar exception (TAs and instructors)", responses={204: None}
    )
    def delete(self, request: AuthenticatedRequest, course_id: int, exception_id: int) -> Response:
        services.calendar_exception_delete(
            exception=self._get(request, exception_id), actor=request.user
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class AnnouncementListApi(APIView):
    permission_classes = [IsCourseStaffOrReadOnly]

    @extend_schema(
        summary="List announcements, pinned first",
        responses=AnnouncementOutput(many=True),
        examples=schema.ANNOUNCEMENT_LIST,
    )
    def get(self, request: Request, course_id: int) -> Response:
        course = request_membership(request, self).course
        return Response(
            AnnouncementOutput(selectors.announcement_list(course=course), many=True).data
        )

    @extend_schema(
        summary="Post an announcement (TAs and instructors)",
        request=AnnouncementInput,
        responses={201: AnnouncementOutput},
        examples=schema.ANNOUNCEMENT_CREATE,
    )
    def post(self, request: AuthenticatedRequest, course_id: int) -> Response:
        course = request_membership(request, self).course
        serializer = AnnouncementInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        announcement = services.announcement_create(
            course=course, author=request.user, **serializer.validated_data
        )
        return Response(AnnouncementOutput(announcement).data, status=status.HTTP_201_CREATED)


class AnnouncementDetailApi(APIView):
    permission_classes = [IsCourseStaffOrReadOnly]

    def _get(self, request: Request, announcement_id: int) -> Any:
        course = request_membership(request, self).course
        return get_object_or_404(selectors.announcement_list(course=course), pk=announcement_id)

    @extend_schema(
        summary="Read an announcement",
        responses=AnnouncementOutput,
        examples=schema.ANNOUNCEMENT_DETAIL,
    )
    def get(self, request: Request, course_id: int, announcement_id: int) -> Response:
        return Response(AnnouncementOutput(self._get(request, announcement_id)).data)

    @extend_schema(
        summary="Change an announcement (TAs and instructors)",
        request=AnnouncementInput(partial=True),
        responses=AnnouncementOutput,
        examples=schema.ANNOUNCEMENT_UPDATE,
    )
    def patch(self, request: Request, course_id: int, announcement_id: int) -> Response:
        announcement = self._get(request, announcement_id)
        serializer = AnnouncementInput(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        announcement = services.announcement_update(
            announcement=announcement, **serializer.validated_data
        )
        return Response(AnnouncementOutput(announcement).data)

    @extend_schema(summary="Delete an announcement (TAs and instructors)", responses={204: None})
    def delete(self, request: Request, course_id: int, announcement_id: int) -> Response:
        services.announcement_delete(announcement=self._get(request, announcement_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class StaffListApi(APIView):
    """The course's TAs and instructors; instructors add TAs and co-instructors."""

    permission_classes = [IsCourseInstructor]

    @extend_schema(
        summary="List the course's TAs and instructors (instructors)",
        responses={
            200: StaffOutput(many=True),
            403: error_response(
                "Signed in as a member of the course, but not one of its instructors.",
                "Only the course's instructors may see or change this.",
                summary="Not an instructor",
            ),
        },
        examples=schema.STAFF_LIST,
    )
    def get(self, request: Request, course_id: int) -> Response:
        course = request_membership(request, self).course
        return Response(StaffOutput(selectors.staff_list(course=course), many=True).data)

    @extend_schema(
        summary="Make an existing account a TA or a co-instructor (instructors)",
        description="A TA may be made an instructor; a student of the course may not become "
        "staff, and an instructor is not made a TA (remove them as an instructor first).",
        request=StaffInput,
        responses={201: StaffOutput},
        examples=schema.STAFF_ADD,
    )
    def post(self, request: Request, course_id: int) -> Response:
        course = request_membership(request, self).course
        serializer = StaffInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        added = services.membership_add_staff(course=course, **serializer.validated_data)
        return Response(StaffOutput(added).data, status=status.HTTP_201_CREATED)


class StaffDetailApi(APIView):
    permission_classes = [IsCourseInstructor]

    @extend_schema(
        summary="Remove a TA or an instructor (instructors; never the last instructor)",
        description="The membership is deactivated, not deleted: what they graded keeps its "
        "author. Removing the course's only instructor answers 400.",
        responses={
            204: None,
            400: refused_response(
                "The course's only instructor: add another instructor first.",
                "membership",
                "Dhruv Batra is the only instructor of CS 7643, so they cannot be removed: add "
                "another instructor first",
            ),
        },
    )
    def delete(self, request: Request, course_id: int, membership_id: int) -> Response:
        course = request_membership(request, self).course
        target = get_object_or_404(selectors.staff_list(course=course), pk=membership_id)
        services.membership_remove_staff(membership=target)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenListApi(APIView):
    """Your personal API tokens. A token's key is shown once, when it is made."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="List your API tokens (never their keys)",
        responses=TokenOutput(many=True),
        examples=schema.TOKEN_LIST,
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        tokens = selectors.api_token_list(user=request.user)
        return Response(TokenOutput(tokens, many=True).data)

    @extend_schema(
        summary="Create an API token: its key is in this answer only",
        request=TokenInput,
        responses={201: schema.TokenCreatedOutput},
        examples=schema.TOKEN_CREATE,
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        serializer = TokenInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        token, key = api_token_create(user=request.user, name=serializer.validated_data["name"])
        return Response(
            {"id": token.pk, "name": token.name, "key": key}, status=status.HTTP_201_CREATED
        )


class TokenDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="Revoke one of your API tokens", responses={204: None})
    def delete(self, request: AuthenticatedRequest, token_id: int) -> Response:
        token = selectors.api_token_get(user=request.user, token_id=token_id)
        if token is None:
            return Response({"detail": "No such token."}, status=status.HTTP_404_NOT_FOUND)
        api_token_revoke(token=token)
        return Response(status=status.HTTP_204_NO_CONTENT)
