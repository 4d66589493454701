from __future__ import annotations

from typing import Any

from django import forms

from roster.parsing import MAX_BYTES


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label="Roster export (CSV)",
        help_text=(
            "From Canvas (Grades → Export, or its users CSV), Gradescope (Roster → Download "
            "Roster), or any CSV with an Email column."
        ),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(f"The file is larger than {MAX_BYTES // 1024} KiB.")
        return upload


class RosterApplyForm(forms.Form):
    """Apply what was previewed: the previewed file's text, or the preview job that has it."""

    content = forms.CharField(required=False, strip=False, max_length=MAX_BYTES)
    job = forms.IntegerField(required=False, min_value=1)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not data.get("content") and not data.get("job"):
            raise forms.ValidationError("Upload the roster and preview it first.")
        return data
