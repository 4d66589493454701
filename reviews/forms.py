from __future__ import annotations

from django import forms

from reviews.models import FIELD_MAX_CHARS, RatingTag

SCALE = [(n, str(n)) for n in range(1, 6)]
# Rating and confidence start blank: a student who never chooses must not publish "1/5" under
# their name. The empty first option is what makes the browser's `required` check apply.
CHOOSE = ("", "Choose…")


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
    rating = forms.TypedChoiceField(
        choices=[CHOOSE, *SCALE],
        coerce=int,
        empty_value=None,
        label="Overall rating (1–5)",
        error_messages={"required": "Choose a rating from 1 to 5."},
    )
    confidence = forms.TypedChoiceField(
        choices=[CHOOSE, *SCALE],
        coerce=int,
        empty_value=None,
        label="Confidence (1–5)",
        error_messages={"required": "Choose how confident you are, from 1 to 5."},
    )
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
