from __future__ import annotations

from django import forms

from reviews.models import FIELD_MAX_CHARS, RatingTag

SCALE = [(n, str(n)) for n in range(1, 6)]


class ReviewForm(forms.Form):
    summary = forms.CharField(
        max_length=FIELD_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What the paper does, in your own words.",
    )
    strengths = forms.CharField(
        max_length=FIELD_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What is good about it. Reviews say good and bad.",
    )
    weaknesses = forms.CharField(
        max_length=FIELD_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Be specific: a section, figure, table, equation, number or baseline.",
    )
    questions = forms.CharField(
        max_length=FIELD_MAX_CHARS,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Questions and suggestions",
    )
    rating = forms.TypedChoiceField(choices=SCALE, coerce=int, label="Overall rating (1–5)")
    confidence = forms.TypedChoiceField(choices=SCALE, coerce=int, label="Confidence (1–5)")
    acknowledged = forms.BooleanField(
        required=False,
        label="I have read the writing guidance and want to submit as is",
    )


class RatingForm(forms.Form):
    helpful = forms.TypedChoiceField(
        choices=[("true", "Helpful"), ("false", "Not helpful")],
        coerce=lambda value: value == "true",
        widget=forms.RadioSelect,
    )
    tags = forms.MultipleChoiceField(
        choices=RatingTag.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
