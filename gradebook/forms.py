from __future__ import annotations

from django import forms


class PresentationGradeForm(forms.Form):
    group = forms.IntegerField(min_value=1, max_value=10**18, widget=forms.HiddenInput)
    score = forms.FloatField(label="Score")
    comment = forms.CharField(max_length=2_000, required=False, label="Comment")
