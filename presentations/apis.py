"""REST API of the presentations app: groups, schedules, swaps, slides, the change log."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from courseportal.confirm import ConfirmInput
from courseportal.openapi import refused_response
from courseportal.parsers import JSONParser
from courseportal.types import AuthenticatedRequest
from courses.models import Membership, Role
from courses.permissions import (
    IsCourseMember,
    IsCourseStaffOrReadOnly,
    request_membership,
    require_staff,
)
from presentations import schema, selectors
from presentations.serializers import (
    AdjustInput,
    ChangeOutput,
    GroupInput,
    GroupOutput,
    InvitationInput,
    InvitationOutput,
    PreferencesInput,
    ScheduleOutput,
    SlidesFileInput,
    SlidesLinkInput,
    StudentGroupInput,
    SwapInput,
    SwapOutput,
)
from presentations.services.groups import group_create, group_delete, group_update
from presentations.services.invitations import (
    invitation_accept,
    invitation_create,
    invitation_decline,
    invitation_withdraw,
)
from presentations.services.schedules import schedule_adjust, schedule_generate, schedule_publish
from presentations.services.slides import slides_set_link, slides_upload
from presentations.services.swaps import swap_accept, swap_approve, swap_reject, swap_request


def _require_group_member_or_staff(membership: Membership, group: Any) -> None:
    if not membership.is_staff_role and membership.user_id not in selectors.group_member_ids(group):
        raise PermissionDenied("Only the group's members and staff may do this.")


class GroupListApi(APIView):
    permission_classes = [IsCourseMember]

    @extend_schema(
        summary="List the presenter groups",
        responses=GroupOutput(many=True),
        examples=schema.GROUP_LIST,
    )
    def get(self, request: Request, course_id: int) -> Response:
        course = request_membership(request, self).course
        return Response(GroupOutput(selectors.group_list(course=course), many=True).data)

    @extend_schema(
        summary="Form a presenter group (staff: any students; a student: themselves alone)",
        description="Staff form a group of any students of the course. A student starts a "
        "group with themselves alone (`members` omitted, or their own username) and invites "
        "classmates, who join by accepting (`.../invitations/`).",
        request=GroupInput,
        responses={201: GroupOutput},
        examples=schema.GROUP_CREATE,
    )
    def post(self, request: Request, course_id: int) -> Response:
        membership = request_membership(request, self)
        if membership.is_staff_role:
            serializer: GroupInput | StudentGroupInput = GroupInput(data=request.data)
        elif membership.role == Role.STUDENT:
            # Checked before any username is looked up: the answer must not tell which exist.
            members = request.data.get("members") if hasattr(request.data, "get") else None
            if members is not None and members != [request.user.get_username()]:
                raise PermissionDenied(
                    "A student's group starts with themselves alone: invite classmates to join."
                )
            serializer = StudentGroupInput(data=request.data)
        else:
            raise PermissionDenied("Students and staff form groups.")
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.setdefault("members", [])  # staff must name them: group_create says so
        if not membership.is_staff_role:
            if "fixed_date" in request.data or "topic" in request.data:
                raise PermissionDenied("Only staff fix a group's date or topic.")
            data["members"] = [request.user]
        group = group_create(course=membership.course, **data)
        group = selectors.group_get(course=membership.course, group_id=group.pk)
        return Response(GroupOutput(group).data, status=status.HTTP_201_CREATED)


class GroupDetailApi(APIView):
    permission_classes = [IsCourseMember]

    @extend_schema(
        summary="Read a presenter group", responses=GroupOutput, examples=schema.GROUP_DETAIL
    )
    def get(self, request: Request, course_id: int, group_id: int) -> Response:
        course = request_membership(request, self).course
        return Response(GroupOutput(selectors.group_get(course=course, group_id=group_id)).data)

    @extend_schema(
        summary="Change a group (members: their date preferences; staff: anything)",
        request=GroupInput(partial=True),
        responses=GroupOutput,
        examples=schema.GROUP_UPDATE,
    )
    def patch(self, request: Request, course_id: int, group_id: int) -> Response:
        membership = request_membership(request, self)
        group = selectors.group_get(course=membership.course, group_id=group_id)
        _require_group_member_or_staff(membership, group)
        input_class = GroupInput if membership.is_staff_role else PreferencesInput
        serializer = input_class(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        extra = (
            set(request.data) - set(serializer.fields) if hasattr(request.data, "keys") else set()
        )
        if extra:
            raise PermissionDenied(f"You may not change: {', '.join(sorted(extra))}.")
        group_update(group=group, **serializer.validated_data)
        group = selectors.group_get(course=membership.course, group_id=group_id)
        return Response(GroupOutput(group).data)

    @extend_schema(
        summary="Delete a presenter group (staff)",
        responses={
            204: None,
            400: refused_response(
                "The group is on the published schedule: unpublish or reschedule it first.",
                "group",
                "the group is on the published schedule",
            ),
        },
    )
    def delete(self, request: Request, course_id: int, group_id: int) -> Response:
        membership = request_membership(request, self)
        require_staff(membership)
        group_delete(group=selectors.group_get(course=membership.course, group_id=group_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ScheduleListApi(APIView):
    permission_classes = [IsCourseStaffOrReadOnly]

    @extend_schema(
        summary="List schedules (students see the published one; staff also drafts)",
        responses=ScheduleOutput(many=True),
        examples=schema.SCHEDULE_LIST,
    )
    def get(self, request: Request, course_id: int) -> Response:
        membership = request_membership(request, self)
        schedules = selectors.schedule_list(
            course=membership.course, include_drafts=membership.is_staff_role
        )
        return Response(ScheduleOutput(schedules, many=True).data)

    @extend_schema(
        summary="Run the scheduler: a new optimal draft (staff)",
        request=None,
        responses={201: ScheduleOutput},
        examples=schema.SCHEDULE_CREATE,
    )
    def post(self, request: AuthenticatedRequest, course_id: int) -> Response:
        """Run the scheduler: a new optimal draft over every group."""
        membership = request_membership(request, self)
        schedule = schedule_generate(course=membership.course, actor=request.user)
        schedule = selectors.schedule_get(
            course=membership.course, schedule_id=schedule.pk, include_drafts=True
        )
        return Response(ScheduleOutput(schedule).data, status=status.HTTP_201_CREATED)


class ScheduleDetailApi(APIView):
    permission_classes = [IsCourseStaffOrReadOnly]

    def _get(self, request: Request, schedule_id: int) -> Any:
        membership = request_membership(request, self)
        return selectors.schedule_get(
            course=membership.course,
            schedule_id=schedule_id,
            include_drafts=membership.is_staff_role,
        )

    @extend_schema(
        summary="Read a schedule", responses=ScheduleOutput, examples=schema.SCHEDULE_DETAIL
    )
    def get(self, request: Request, course_id: int, schedule_id: int) -> Response:
        return Response(ScheduleOutput(self._get(request, schedule_id)).data)

    @extend_schema(
        summary="Move groups of a draft by hand (staff; constraints re-checked)",
        request=AdjustInput,
        responses=ScheduleOutput,
        examples=schema.SCHEDULE_ADJUST,
    )
    def patch(self, request: AuthenticatedRequest, course_id: int, schedule_id: int) -> Response:
        """Move groups of a draft by hand (constraints re-checked)."""
        schedule = self._get(request, schedule_id)
        serializer = AdjustInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        placements = {p["group"]: p["date"] for p in serializer.validated_data["placements"]}
        schedule_adjust(schedule=schedule, placements=placements, actor=request.user)
        return Response(ScheduleOutput(self._get(request, schedule_id)).data)


class SchedulePublishApi(APIView):
    permission_classes = [IsCourseStaffOrReadOnly]

    @extend_schema(
        summary="Publish a draft (staff; the previous schedule is superseded)",
        description='A bulk action: the body must be `{"confirm": true}` (a 400 naming '
        "`confirm` otherwise, and nothing is published).",
        request=ConfirmInput,
        responses=ScheduleOutput,
        examples=schema.SCHEDULE_PUBLISH,
    )
    def post(self, request: AuthenticatedRequest, course_id: int, schedule_id: int) -> Response:
        membership = request_membership(request, self)
        schedule = selectors.schedule_get(
            course=membership.course, schedule_id=schedule_id, include_drafts=True
        )
        ConfirmInput(data=request.data).is_valid(raise_exception=True)
        schedule_publish(schedule=schedule, actor=request.user)
        schedule = selectors.schedule_get(
            course=membership.course, schedule_id=schedule_id, include_drafts=True
        )
        return Response(ScheduleOutput(schedule).data)


class SwapListApi(APIView):
    permission_classes = [IsCourseMember]

    @extend_schema(
        summary="List the swap requests you may see",
        responses=SwapOutput(many=True),
        examples=schema.SWAP_LIST,
    )
    def get(self, request: Request, course_id: int) -> Response:
        membership = request_membership(request, self)
        return Response(SwapOutput(selectors.swap_list(membership=membership), many=True).data)

    @extend_schema(
        summary="Ask another group to trade presentation dates",
        request=SwapInput,
        responses={201: SwapOutput},
        examples=schema.SWAP_CREATE,
    )
    def post(self, request: AuthenticatedRequest, course_id: int) -> Response:
        """Ask another group to trade presentation dates with yours."""
        membership = request_membership(request, self)
        serializer = SwapInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        own = selectors.group_of_user(course=membership.course, user=request.user)
        if own is None:
            raise PermissionDenied("You are not in a presenter group of this course.")
        other = (
            selectors.group_list(course=membership.course)
            .filter(pk=serializer.validated_data["to_group"])
            .first()
        )
        if other is None:
            raise ValidationError({"to_group": "no such group in this course"})
        swap = swap_request(from_group=own, to_group=other, actor=request.user)
        return Response(SwapOutput(swap).data, status=status.HTTP_201_CREATED)


class SwapDecisionApi(APIView):
    """POST .../swaps/{id}/accept/ (the other group), approve/ (staff), reject/ (either)."""

    permission_classes = [IsCourseMember]
    decision = ""

    @extend_schema(
        summary="Decide a swap: accept (the other group), approve (staff), reject (either)",
        request=None,
        responses=SwapOutput,
        examples=schema.SWAP_DECISION,
    )
    def post(self, request: AuthenticatedRequest, course_id: int, swap_id: int) -> Response:
        membership = request_membership(request, self)
        swap = selectors.swap_get(membership=membership, swap_id=swap_id)
        if swap is None:
            raise NotFound("No such swap request.")
        if self.decision == "accept":
            swap = swap_accept(swap=swap, actor=request.user)
        elif self.decision == "approve":
            require_staff(membership)
            swap = swap_approve(swap=swap, actor=request.user)
        else:
            swap = swap_reject(swap=swap, actor=request.user, is_staff=membership.is_staff_role)
        return Response(SwapOutput(selectors.swap_get(membership=membership, swap_id=swap.pk)).data)


class SlidesApi(APIView):
    """PUT an https link (Google Slides, Drive) or POST a PDF as multipart `slides_file`."""

    permission_classes = [IsCourseMember]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def _group(self, request: Request, group_id: int) -> Any:
        membership = request_membership(request, self)
        group = selectors.group_get(course=membership.course, group_id=group_id)
        _require_group_member_or_staff(membership, group)
        return group

    @extend_schema(
        summary="Link the group's slides (Google Slides or Drive, https)",
        request={"application/json": SlidesLinkInput},
        responses=GroupOutput,
        examples=schema.SLIDES_PUT,
    )
    def put(self, request: Request, course_id: int, group_id: int) -> Response:
        group = self._group(request, group_id)
        serializer = SlidesLinkInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        slides_set_link(group=group, url=serializer.validated_data["slides_link"])
        return Response(GroupOutput(self._group(request, group_id)).data)

    @extend_schema(
        summary="Upload the group's slides as a PDF",
        request={"multipart/form-data": SlidesFileInput},
        responses=GroupOutput,
        examples=schema.SLIDES_POST,
    )
    def post(self, request: Request, course_id: int, group_id: int) -> Response:
        group = self._group(request, group_id)
        serializer = SlidesFileInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        slides_upload(group=group, upload=serializer.validated_data["slides_file"])
        return Response(GroupOutput(self._group(request, group_id)).data)


class ChangeLogApi(APIView):
    permission_classes = [IsCourseMember]

    @extend_schema(
        summary="The schedule's change log, newest first",
        responses=ChangeOutput(many=True),
        examples=schema.CHANGES,
    )
    def get(self, request: Request, course_id: int) -> Response:
        course = request_membership(request, self).course
        return Response(ChangeOutput(selectors.change_log(course=course)[:200], many=True).data)


class InvitationListApi(APIView):
    permission_classes = [IsCourseMember]

    @extend_schema(
        summary="List invitations (yours and your group's; staff: all)",
        responses=InvitationOutput(many=True),
        examples=schema.INVITATION_LIST,
    )
    def get(self, request: Request, course_id: int) -> Response:
        membership = request_membership(request, self)
        invitations = selectors.invitation_list(membership=membership)[:500]
        return Response(InvitationOutput(invitations, many=True).data)

    @extend_schema(
        summary="Invite a classmate into your presenter group (a member of the group)",
        description="The classmate is named by `username` or by `user_id`. Whether no account "
        "has that username or the account is not a student of this course, the answer is the "
        "same 400. The classmate joins only by accepting.",
        request=InvitationInput,
        responses={201: InvitationOutput},
        examples=schema.INVITATION_CREATE,
    )
    def post(self, request: AuthenticatedRequest, course_id: int) -> Response:
        membership = request_membership(request, self)
        if membership.role != Role.STUDENT:
            raise PermissionDenied("Students invite classmates; staff add members directly.")
        own = selectors.group_of_user(course=membership.course, user=request.user)
        if own is None:
            raise PermissionDenied("You are not in a presenter group: start one first.")
        serializer = InvitationInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        invitation = invitation_create(group=own, actor=request.user, **serializer.validated_data)
        invitation = selectors.invitation_get(membership=membership, invitation_id=invitation.pk)
        return Response(InvitationOutput(invitation).data, status=status.HTTP_201_CREATED)


class InvitationDecisionApi(APIView):
    """POST .../invitations/{id}/accept/ or decline/ (the invited student), withdraw/ (a
    member of the inviting group, or staff)."""

    permission_classes = [IsCourseMember]
    decision = ""

    @extend_schema(
        summary="Answer an invitation: accept or decline (the invited student), withdraw (the "
        "group, or staff)",
        request=None,
        responses=InvitationOutput,
        examples=schema.INVITATION_DECISION,
    )
    def post(self, request: AuthenticatedRequest, course_id: int, invitation_id: int) -> Response:
        membership = request_membership(request, self)
        invitation = selectors.invitation_get(membership=membership, invitation_id=invitation_id)
        if self.decision == "withdraw":
            _require_group_member_or_staff(membership, invitation.group)
            invitation_withdraw(invitation=invitation)
        elif invitation.invitee_id != request.user.pk:
            raise PermissionDenied("Only the invited student accepts or declines.")
        elif self.decision == "accept":
            invitation_accept(invitation=invitation, actor=request.user)
        else:
            invitation_decline(invitation=invitation, actor=request.user)
        invitation = selectors.invitation_get(membership=membership, invitation_id=invitation_id)
        return Response(InvitationOutput(invitation).data)
