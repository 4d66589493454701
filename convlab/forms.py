from __future__ import annotations

from typing import Any

from django import forms

from convlab.models import Assignment


class UploadForm(forms.Form):
    """A student's upload: a Python source file, refused here (before an attempt is used)
    when it is anything else: a notebook, a text file, a binary file, another encoding."""

    file = forms.FileField(label="Your solution (.py)")

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        name = upload.name or ""
        if not name.lower().endswith(".py"):
            raise forms.ValidationError(
                f"Your solution file “{name}” is not a .py file. Upload your solution as a "
                "Python source file ending in .py (notebooks and text files are not graded; "
                "in Jupyter use File › Download as › Python). No attempt was used.",
                code="not_python",
            )
        content = upload.read()
        upload.seek(0)
        if b"\x00" in content:
            raise forms.ValidationError(
                f"Your solution file “{name}” is a binary file, not Python source text. "
                "No attempt was used.",
                code="binary",
            )
        try:
            content.decode("utf-8")
        except UnicodeDecodeError as error:
            raise forms.ValidationError(
                f"Your solution file “{name}” is not UTF-8 text (byte {error.start}); save it "
                "as UTF-8 and upload it again. No attempt was used.",
                code="not_utf8",
            ) from None
        return upload


class BulkRegradeForm(forms.Form):
    """The jobs page's form of a bulk regrade: a lab of the course."""

    assignment = forms.ModelChoiceField(queryset=Assignment.objects.none())

    def __init__(self, *args: Any, course_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assignment"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Assignment.objects.filter(course_id=course_id)
