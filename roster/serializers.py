from __future__ import annotations

from typing import Any

from rest_framework import serializers

from roster.parsing import MAX_BYTES
from roster.services import MATCHES


class RosterUploadInput(serializers.Serializer):
    file = serializers.FileField(help_text="The Canvas or Gradescope roster export (CSV, UTF-8).")

    def validate_file(self, value: Any) -> Any:
        # Checked before reading, so that an oversized upload is never loaded into memory.
        if value.size > MAX_BYTES:
            raise serializers.ValidationError(f"the file is larger than {MAX_BYTES // 1024} KiB")
        return value


class RowErrorOutput(serializers.Serializer):
    row = serializers.IntegerField()
    column = serializers.CharField()
    message = serializers.CharField()


class PlannedRowOutput(serializers.Serializer):
    row = serializers.IntegerField()
    email = serializers.CharField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    role = serializers.CharField()
    section = serializers.CharField()
    sis_id = serializers.CharField()
    action = serializers.ChoiceField(choices=["create", "add", "update", "reactivate", "unchanged"])
    changes = serializers.ListField(child=serializers.CharField())
    user_id = serializers.IntegerField(allow_null=True)
    membership_id = serializers.IntegerField(allow_null=True)
    match = serializers.ChoiceField(
        choices=list(MATCHES),
        help_text="How the row found its account: by SIS user id, login id, e-mail or (a row "
        "without e-mail) Canvas user id; or new.",
    )
    sis_login_id = serializers.CharField(help_text='Canvas "SIS Login ID", as the file wrote it.')
    lms_user_id = serializers.CharField(help_text='Canvas "ID" (its own user id).')
    lms_name = serializers.CharField(help_text='Canvas "Student" ("Last, First"), as written.')


class DepartureOutput(serializers.Serializer):
    membership_id = serializers.IntegerField()
    username = serializers.CharField()
    email = serializers.CharField()
    name = serializers.CharField()


class RosterPlanOutput(serializers.Serializer):
    applied = serializers.BooleanField()
    format = serializers.CharField()
    columns = serializers.DictField(child=serializers.CharField())
    counts = serializers.DictField(child=serializers.IntegerField())
    # A field named like Serializer.errors: DRF's metaclass takes declared fields off the class.
    errors = RowErrorOutput(many=True)  # type: ignore[assignment]
    rows = PlannedRowOutput(many=True)
    deactivate = DepartureOutput(many=True)
    skipped_rows = serializers.ListField(child=serializers.IntegerField())
    lms_columns = serializers.ListField(
        child=serializers.CharField(),
        help_text="A Canvas gradebook's assignment columns, kept for the Canvas grade export.",
    )


class RosterRejectedOutput(RosterPlanOutput):
    """The 400 of an import: `file` says why. When the file was read but rows were bad, the
    plan comes with it (`errors` names every bad row; nothing was applied); when the file could
    not be read at all (no Email column, not CSV), `file` comes alone, so the plan's fields are
    optional here."""

    def get_fields(self) -> dict[str, serializers.Field]:
        plan = super().get_fields()
        for field in plan.values():
            field.required = False
        return {"file": serializers.ListField(child=serializers.CharField()), **plan}
