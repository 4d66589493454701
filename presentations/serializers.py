from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from rest_framework import serializers

from courseportal.openapi import json_output
from courses.people import display_name
from presentations.models import (
    GroupInvitation,
    PresentationSchedule,
    PresenterGroup,
    ScheduleChange,
    SwapRequest,
)
from presentations.schema import DATE_LIST, MOVES


class GroupOutput(serializers.ModelSerializer):
    members = serializers.SerializerMethodField(
        help_text="the members' display names (full name, else 'Member #<id>'), never usernames"
    )
    preferences = json_output(DATE_LIST)
    unavailable = json_output(DATE_LIST)
    # Read as text: a URLField with blank=True documents '' as matching two schemas at once.
    slides_link = serializers.CharField(read_only=True, help_text="an https link, or empty")

    class Meta:
        model = PresenterGroup
        fields = [
            "id",
            "name",
            "members",
            "topic",
            "fixed_date",
            "preferences",
            "unavailable",
            "slides_link",
            "slides_updated_at",
        ]

    def get_members(self, group: PresenterGroup) -> list[str]:
        return [display_name(member.user) for member in group.members.all()]


class GroupInput(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    members = serializers.ListField(
        child=serializers.CharField(max_length=150),
        min_length=1,
        max_length=50,
        required=False,
        help_text="staff: the members' usernames (required); a student: omit it, or give only "
        "your own username (the group starts with you; classmates join by invitation)",
    )
    topic = serializers.CharField(max_length=200, required=False, allow_blank=True)
    fixed_date = serializers.DateField(required=False, allow_null=True)
    preferences = serializers.ListField(
        child=serializers.DateField(), required=False, max_length=60
    )
    unavailable = serializers.ListField(
        child=serializers.DateField(), required=False, max_length=200
    )

    def validate_members(self, usernames: list[str]) -> list[Any]:
        users = {u.username: u for u in get_user_model().objects.filter(username__in=usernames)}
        unknown = [name for name in usernames if name not in users]
        if unknown:
            raise serializers.ValidationError(f"unknown users: {', '.join(unknown)}")
        return [users[name] for name in usernames]


class StudentGroupInput(serializers.Serializer):
    """What a student gives to start a group: it starts with them alone; classmates join by
    accepting an invitation."""

    name = serializers.CharField(max_length=100)
    members = serializers.ListField(
        child=serializers.CharField(max_length=150),
        required=False,
        max_length=1,
        help_text="optional: your own username only",
    )
    preferences = serializers.ListField(
        child=serializers.DateField(), required=False, max_length=60
    )
    unavailable = serializers.ListField(
        child=serializers.DateField(), required=False, max_length=200
    )


class InvitationInput(serializers.Serializer):
    """The classmate to invite: by username, or by the id the group page's picker uses."""

    username = serializers.CharField(max_length=150, required=False)
    user_id = serializers.IntegerField(min_value=1, max_value=2**31 - 1, required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("username" in attrs) == ("user_id" in attrs):
            raise serializers.ValidationError(
                {"username": "give the classmate's username or user_id (one of them)"}
            )
        return attrs


class InvitationOutput(serializers.ModelSerializer):
    group_name = serializers.CharField(source="group.name")
    group_members = serializers.SerializerMethodField(
        help_text="the display names of the group's members"
    )
    invitee = serializers.SerializerMethodField(help_text="the invited student's display name")
    invited_by = serializers.SerializerMethodField(help_text="the inviting student's display name")

    class Meta:
        model = GroupInvitation
        fields = [
            "id",
            "group",
            "group_name",
            "group_members",
            "invitee",
            "invited_by",
            "status",
            "created_at",
            "decided_at",
        ]

    def get_group_members(self, invitation: GroupInvitation) -> list[str]:
        return [display_name(member.user) for member in invitation.group.members.all()]

    def get_invitee(self, invitation: GroupInvitation) -> str:
        return display_name(invitation.invitee)

    def get_invited_by(self, invitation: GroupInvitation) -> str | None:
        return display_name(invitation.invited_by) if invitation.invited_by else None


class PreferencesInput(serializers.Serializer):
    """What a group's own members may change."""

    preferences = serializers.ListField(
        child=serializers.DateField(), required=False, max_length=60
    )
    unavailable = serializers.ListField(
        child=serializers.DateField(), required=False, max_length=200
    )


class SlotOutput(serializers.Serializer):
    group = serializers.IntegerField(source="group_id")
    group_name = serializers.CharField(source="group.name")
    date = serializers.DateField()
    order = serializers.IntegerField()
    choice = serializers.IntegerField(allow_null=True)


class ScheduleOutput(serializers.ModelSerializer):
    slots = SlotOutput(many=True)

    class Meta:
        model = PresentationSchedule
        fields = ["id", "version", "status", "total_cost", "created_at", "published_at", "slots"]


class PlacementInput(serializers.Serializer):
    group = serializers.IntegerField(min_value=1)
    date = serializers.DateField()


class AdjustInput(serializers.Serializer):
    # many=True passes max_length on to the ListSerializer; the stubs lack it there.
    placements = PlacementInput(many=True, allow_empty=False, max_length=1000)  # type: ignore[call-arg]


class SwapOutput(serializers.ModelSerializer):
    from_group_name = serializers.CharField(source="from_group.name")
    to_group_name = serializers.CharField(source="to_group.name")

    class Meta:
        model = SwapRequest
        fields = [
            "id",
            "from_group",
            "from_group_name",
            "to_group",
            "to_group_name",
            # The dates the groups trade (each one's date when the swap was requested).
            "from_date",
            "to_date",
            "status",
            "created_at",
            "decided_at",
        ]


class SwapInput(serializers.Serializer):
    to_group = serializers.IntegerField(min_value=1)


class SlidesLinkInput(serializers.Serializer):
    slides_link = serializers.CharField(max_length=500)


class SlidesFileInput(serializers.Serializer):
    slides_file = serializers.FileField()


class ChangeOutput(serializers.ModelSerializer):
    moves = json_output(MOVES)

    class Meta:
        model = ScheduleChange
        fields = ["id", "kind", "message", "moves", "created_at"]
