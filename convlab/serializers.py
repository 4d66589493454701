from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from convlab.models import Assignment, Submission, SubmissionStatus
from convlab.schema import ResultsOutput
from convlab.selectors import visible_results
from courseportal.confirm import ConfirmInput


class AssignmentOutput(serializers.ModelSerializer):
    class Meta:
        model = Assignment
        fields = [
            "id",
            "slug",
            "title",
            "suite",
            "opens_at",
            "due_at",
            "closes_at",
            "grace_minutes",
            "late_penalty_percent_per_day",
            "max_submissions_per_day",
            "needs_gpu",
        ]


class SubmitInput(serializers.Serializer):
    """Either a multipart `file` or JSON `source`; an autograder names the `student`."""

    file = serializers.FileField(required=False)
    # A field named like Field.source: DRF's metaclass takes declared fields off the class.
    source = serializers.CharField(  # type: ignore[assignment]
        required=False, trim_whitespace=False, max_length=1_000_000
    )
    student = serializers.CharField(required=False, max_length=150)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("file" in attrs) == ("source" in attrs):
            raise serializers.ValidationError({"file": "send exactly one of `file` or `source`"})
        return attrs


class SubmissionOutput(serializers.ModelSerializer):
    assignment = serializers.CharField(source="assignment.slug")
    student = serializers.CharField(source="student.username")
    url = serializers.SerializerMethodField()
    results = serializers.SerializerMethodField()
    waiting_for = serializers.SerializerMethodField()

    class Meta:
        model = Submission
        fields = [
            "id",
            "url",
            "assignment",
            "student",
            "attempt",
            "sha256",
            "status",
            "waiting_for",
            "gradable",
            "score",
            "raw_score",
            "max_score",
            "late_days",
            "received_at",
            "queued_at",
            "started_at",
            "finished_at",
            "results",
        ]

    def get_url(self, submission: Submission) -> str:
        request = self.context.get("request")
        path = f"/api/v1/submissions/{submission.pk}/"
        return request.build_absolute_uri(path) if request else path

    @extend_schema_field(ResultsOutput)
    def get_results(self, submission: Submission) -> dict[str, Any]:
        return visible_results(
            results=submission.results,
            due_at=submission.assignment.due_at,
            now=timezone.now(),
            full=bool(self.context.get("full")),
        )

    def get_waiting_for(self, submission: Submission) -> str | None:
        if submission.status == SubmissionStatus.QUEUED:
            return "a GPU worker" if submission.use_gpu else "a grading worker"
        return None


class RegradeInput(serializers.Serializer):
    use_gpu = serializers.BooleanField(required=False, allow_null=True, default=None)


class BulkRegradeInput(ConfirmInput):
    kind = serializers.ChoiceField(choices=["bulk_regrade"])
    assignment = serializers.SlugField(help_text="The slug of the convlab assignment.")
