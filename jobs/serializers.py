from __future__ import annotations

from rest_framework import serializers

from jobs.models import Job
from jobs.registry import starters


class JobOutput(serializers.ModelSerializer):
    created_by = serializers.CharField(source="created_by.get_username", default=None)
    percent = serializers.IntegerField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = [
            "id",
            "url",
            "kind",
            "status",
            "done",
            "total",
            "percent",
            "message",
            "result",
            "created_by",
            "created_at",
            "started_at",
            "finished_at",
        ]

    def get_url(self, job: Job) -> str:
        return f"/api/v1/courses/{job.course_id}/jobs/{job.pk}/"


class JobSummaryOutput(JobOutput):
    class Meta(JobOutput.Meta):
        fields = [f for f in JobOutput.Meta.fields if f != "result"]


class JobKindInput(serializers.Serializer):
    """The `kind` of a job to start: one that staff may start by hand (jobs/registry.py)."""

    kind = serializers.CharField()

    def validate_kind(self, value: str) -> str:
        if value not in starters():
            raise serializers.ValidationError(f'"{value}" is not a valid choice.')
        return value
