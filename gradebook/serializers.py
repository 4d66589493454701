from __future__ import annotations

from rest_framework import serializers

from gradebook.models import GradePolicy
from gradebook.selectors import presentation_grade_of
from presentations.models import PresenterGroup


class GradeColumnOutput(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    points_possible = serializers.FloatField()


class GradedItemOutput(serializers.Serializer):
    column = serializers.CharField()
    name = serializers.CharField()
    raw_score = serializers.FloatField(allow_null=True)
    max_score = serializers.FloatField()
    late_days = serializers.IntegerField()
    penalty = serializers.FloatField()
    final_score = serializers.FloatField(allow_null=True)
    note = serializers.CharField()


class StudentGradesOutput(serializers.Serializer):
    user_id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField()
    email = serializers.CharField()
    scores = serializers.DictField(child=serializers.FloatField())
    items = GradedItemOutput(many=True)


class StudentDetailOutput(serializers.Serializer):
    columns = GradeColumnOutput(many=True)
    student = StudentGradesOutput()


class PresentationGradeInput(serializers.Serializer):
    group = serializers.IntegerField(min_value=1, max_value=10**18)
    score = serializers.FloatField()
    comment = serializers.CharField(max_length=2_000, required=False, allow_blank=True)


class PresentationGradeOutput(serializers.Serializer):
    """A presenter group with its score (null until staff enter one)."""

    group = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    members = serializers.SerializerMethodField()
    score = serializers.SerializerMethodField()
    comment = serializers.SerializerMethodField()

    def get_members(self, group: PresenterGroup) -> list[str]:
        return [member.user.username for member in group.members.all()]

    def get_score(self, group: PresenterGroup) -> float | None:
        grade = presentation_grade_of(group)
        return grade.score if grade is not None else None

    def get_comment(self, group: PresenterGroup) -> str:
        grade = presentation_grade_of(group)
        return grade.comment if grade is not None else ""


class GradePolicyInput(serializers.Serializer):
    review_points = serializers.FloatField(min_value=0, max_value=1000, required=False)
    late_review_fraction = serializers.FloatField(min_value=0, max_value=1, required=False)
    presentation_points = serializers.FloatField(min_value=0.01, max_value=1000, required=False)


class GradePolicyOutput(serializers.ModelSerializer):
    class Meta:
        model = GradePolicy
        fields = ["review_points", "late_review_fraction", "presentation_points"]
