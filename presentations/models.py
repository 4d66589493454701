from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models

from courses.models import Course


class PresenterGroup(models.Model):
    """One or more students who present together in one class session."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="presenter_groups")
    name = models.CharField(max_length=100)
    # Hard constraints, when set: the paper/topic the group presents, or its date.
    topic = models.CharField(max_length=200, blank=True)
    fixed_date = models.DateField(null=True, blank=True)
    # Ranked choices, best first: ISO dates ("2017-10-12") or topics ("Visualizations").
    preferences = models.JSONField(default=list, blank=True)
    # ISO dates the group cannot present.
    unavailable = models.JSONField(default=list, blank=True)
    slides_link = models.URLField(max_length=500, blank=True)
    slides_file = models.FileField(upload_to="slides/%Y/", blank=True)
    slides_updated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["course", "name"], name="group_name_unique_in_course")
        ]

    def __str__(self) -> str:
        return self.name


class GroupMember(models.Model):
    """A student in a group; a student is in at most one group of a course."""

    group = models.ForeignKey(PresenterGroup, on_delete=models.CASCADE, related_name="members")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="presenter_memberships"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["course", "user"], name="one_group_per_student")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.group}"


class ScheduleStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    SUPERSEDED = "superseded", "Superseded"


class PresentationSchedule(models.Model):
    """One version of a course's presentation schedule. At most one is published at a time;
    publishing a new one supersedes it, so every earlier schedule stays on record."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="schedules")
    version = models.PositiveIntegerField()
    status = models.CharField(
        max_length=16, choices=ScheduleStatus.choices, default=ScheduleStatus.DRAFT
    )
    total_cost = models.IntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # 0 when proven optimal; otherwise the solver's time limit stopped it with this schedule,
    # proven within this fraction of the best possible (0.05: 5 %).
    optimality_gap = models.FloatField(default=0.0)
    # A draft made with "start over": solved without the published schedule as its baseline.
    fresh = models.BooleanField(default=False)

    class Meta:
        ordering = ["course", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["course", "version"], name="schedule_version_unique"),
            models.UniqueConstraint(
                fields=["course"],
                condition=models.Q(status=ScheduleStatus.PUBLISHED),
                name="one_published_schedule",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.course} schedule v{self.version} ({self.status})"

    @property
    def gap_percent(self) -> str:
        """The proven optimality gap as people read it: "2.5 %"."""
        return f"{100 * self.optimality_gap:.1f} %"


class Slot(models.Model):
    schedule = models.ForeignKey(
        PresentationSchedule, on_delete=models.CASCADE, related_name="slots"
    )
    group = models.ForeignKey(PresenterGroup, on_delete=models.CASCADE, related_name="slots")
    date = models.DateField()
    order = models.PositiveSmallIntegerField(default=1)
    cost = models.IntegerField(default=0)
    choice = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["date", "order"]
        constraints = [
            models.UniqueConstraint(fields=["schedule", "group"], name="slot_one_per_group")
        ]

    def __str__(self) -> str:
        return f"{self.group} on {self.date}"


class SwapStatus(models.TextChoices):
    REQUESTED = "requested", "Waiting for the other group"
    ACCEPTED = "accepted", "Waiting for staff approval"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class SwapRequest(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="swap_requests")
    from_group = models.ForeignKey(PresenterGroup, on_delete=models.CASCADE, related_name="+")
    to_group = models.ForeignKey(PresenterGroup, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(
        max_length=16, choices=SwapStatus.choices, default=SwapStatus.REQUESTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The dates the two groups trade: each group's date on the published schedule when the swap
    # was requested. Accepting or approving a swap whose groups have moved since is refused.
    from_date = models.DateField(null=True, blank=True)
    to_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.from_group} ⇄ {self.to_group} ({self.status})"


class ChangeKind(models.TextChoices):
    GENERATED = "generated", "Draft generated"
    ADJUSTED = "adjusted", "Adjusted by hand"
    PUBLISHED = "published", "Published"
    REPAIRED = "repaired", "Repaired after a calendar change"
    SWAPPED = "swapped", "Swap approved"


class ScheduleChange(models.Model):
    """The change log: what happened to the schedule, who did it, and which groups moved."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="schedule_changes")
    schedule = models.ForeignKey(
        PresentationSchedule, null=True, on_delete=models.SET_NULL, related_name="changes"
    )
    kind = models.CharField(max_length=16, choices=ChangeKind.choices)
    message = models.CharField(max_length=500)
    # [{"group": name, "group_id": id, "from": ISO date, "to": ISO date}]
    moves = models.JSONField(default=list, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.message


class ExtraSeats(models.Model):
    """Seats added on one date beyond the course's presenters per class (a staff decision for a
    group no date could take)."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    seats = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["course", "date"], name="extra_seats_one_per_date")
        ]

    def __str__(self) -> str:
        return f"{self.seats} extra seat(s) on {self.date}"


class IssueKind(models.TextChoices):
    UNPLACED = "unplaced", "Needs a new date"
    NOT_ELIGIBLE = "not_eligible", "Presents on a day without presentations"
    UNAVAILABLE = "unavailable", "Presents on a date the group cannot make"
    OVER_CAPACITY = "over_capacity", "Presents on a date with too few seats"
    NO_MEMBERS = "no_members", "Has no active member left"
    OTHER = "other", "Breaks a scheduling rule"


class ScheduleIssue(models.Model):
    """A problem with the published schedule that staff must decide: a group that lost its date
    and that no date could take (UNPLACED), or a rule the published schedule breaks since a
    change of the calendar, the seats, the memberships or a group's dates ("drift"). Open while
    `resolved_at` is empty; students concerned are mailed once, when it opens."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="schedule_issues")
    group = models.ForeignKey(PresenterGroup, on_delete=models.CASCADE, related_name="issues")
    kind = models.CharField(max_length=16, choices=IssueKind.choices)
    date = models.DateField(null=True, blank=True)
    message = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolution = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.message


def _feed_key() -> str:
    return secrets.token_urlsafe(24)


class CalendarFeed(models.Model):
    """A private iCalendar URL for one user; rotating the key revokes the old URL."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    key = models.CharField(max_length=64, unique=True, default=_feed_key)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"feed of {self.user}"


class InvitationStatus(models.TextChoices):
    PENDING = "pending", "Waiting for an answer"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"
    # Accepting became impossible: the invitee joined another group, or left the course.
    CANCELLED = "cancelled", "No longer possible"


class GroupInvitation(models.Model):
    """A student's invitation of a classmate into their presenter group. The classmate joins
    only by accepting it (`presentations.services.invitations`); staff assign members directly."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey(PresenterGroup, on_delete=models.CASCADE, related_name="invitations")
    invitee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_invitations"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        max_length=16, choices=InvitationStatus.choices, default=InvitationStatus.PENDING
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "invitee"],
                condition=models.Q(status=InvitationStatus.PENDING),
                name="one_pending_invitation_per_group_and_student",
            )
        ]

    def __str__(self) -> str:
        return f"{self.invitee} to {self.group} ({self.status})"
