from __future__ import annotations

from typing import Any

from django import forms

from convlab.models import Assignment


class UploadForm(forms.Form):
    file = forms.FileField(label="Your solution (.py)")


class BulkRegradeForm(forms.Form):
    """The jobs page's form of a bulk regrade: a lab of the course."""

    assignment = forms.ModelChoiceField(queryset=Assignment.objects.none())

    def __init__(self, *args: Any, course_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assignment"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Assignment.objects.filter(course_id=course_id)
