from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from reviews.models import FIELD_MAX_CHARS, RatingTag
from reviews.reading_list import MAX_BYTES

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


class PaperForm(forms.Form):
    """A paper as staff add or change it. The class day is chosen among the course's days with
    papers (`session_choices`); services.paper_create checks it again, as for the API."""

    session_date = forms.TypedChoiceField(
        label="Class day",
        coerce=dt.date.fromisoformat,
        help_text="The class the paper is read for.",
    )
    title = forms.CharField(max_length=300)
    authors = forms.CharField(max_length=500, required=False)
    link = forms.URLField(
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text="Where students find the paper (arXiv, the proceedings).",
    )
    review_deadline = forms.DateTimeField(
        label="Reviews due",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="In the course's time zone. Leave empty for 23:59 the day before the class. "
        "Reviews become public to the class at this time.",
    )

    def __init__(self, *args: Any, session_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["session_date"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "Choose a class day…"), *session_choices]


class ReadingListForm(forms.Form):
    file = forms.FileField(
        label="Reading list (CSV)",
        help_text="Columns: date, title, authors, url, reviews_due (see the format below).",
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(f"The file is larger than {MAX_BYTES // 1024} KiB.")
        return upload
