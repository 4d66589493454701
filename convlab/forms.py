from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import slugify

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


STARTER_MAX_BYTES = 200_000


def _when(label: str, help_text: str, *, required: bool = True) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=help_text,
    )


class AssignmentForm(forms.Form):
    """A lab as staff create or change it; times are read in the course's time zone (the view
    activates it). services.assignment_create/update check everything again, as for any caller."""

    title = forms.CharField(max_length=200)
    slug = forms.SlugField(
        label="Short name",
        max_length=64,
        required=False,
        help_text="Part of the lab's address: lowercase letters, digits and hyphens. "
        "Leave it empty to make it from the title.",
    )
    suite = forms.ChoiceField(
        label="Check suite",
        help_text="The checks that grade the lab; its handout and starter file come with it.",
    )
    opens_at = _when(
        "Opens", "Students see the handout, the starter file and the upload from this time."
    )
    due_at = _when("Due", "Work after this time (and the grace period) is late.")
    closes_at = _when(
        "Closes",
        "Late work is accepted until this time, none after it. Leave it empty to accept "
        "late work at any time.",
        required=False,
    )
    grace_minutes = forms.IntegerField(
        label="Grace period (minutes)",
        min_value=0,
        max_value=10_080,
        initial=0,
        help_text="Work this long after the due date still counts as on time.",
    )
    late_penalty_percent_per_day = forms.IntegerField(
        label="Late penalty (% per day)",
        min_value=0,
        max_value=100,
        initial=10,
        help_text="Taken off the score for each day late; a day begun counts as a whole day.",
    )
    max_submissions_per_day = forms.IntegerField(
        label="Attempts per 24 hours",
        min_value=1,
        max_value=1000,
        initial=20,
        help_text="How many times a student may submit in any 24 hours.",
    )
    needs_gpu = forms.BooleanField(
        label="Grade on a GPU worker",
        required=False,
        help_text="Only for a suite that uses a GPU package (CuPy, PyTorch or JAX).",
    )
    handout = forms.CharField(
        label="Handout (Markdown)",
        required=False,
        max_length=50_000,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text="Shown on the lab page instead of the check suite's handout. Markdown: "
        "# headings, - lists, **bold**, *emphasis*, `code`, ``` code blocks, [links](https://…); "
        "HTML is shown as text. Leave it empty to show the suite's handout.",
    )
    starter = forms.FileField(
        label="Starter file (.py)",
        required=False,
        help_text="Students download it instead of the starter file made from the suite "
        "(200 KB at most).",
    )
    remove_starter = forms.BooleanField(
        label="Remove the uploaded starter file (students get the one made from the suite)",
        required=False,
    )

    def __init__(
        self,
        *args: Any,
        suites: list[tuple[str, str]],
        starter_name: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if starter_name:
            self.fields["starter"].help_text = (
                f"Now: {starter_name}. Upload another to replace it. "
                + str(self.fields["starter"].help_text)
            )
        else:
            del self.fields["remove_starter"]
        field = self.fields["suite"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Choose a suite…"), *suites]

    def clean_starter(self) -> tuple[str, str] | None:
        """The uploaded starter file as (its name, its text), or None when none was sent."""
        upload = self.cleaned_data.get("starter")
        if not upload:
            return None
        name = (upload.name or "").rsplit("/", 1)[-1]
        if not name.lower().endswith(".py"):
            raise forms.ValidationError(
                f"“{name}” is not a .py file; the starter file must be Python source ending in "
                ".py.",
                code="not_python",
            )
        if upload.size > STARTER_MAX_BYTES:
            raise forms.ValidationError(
                f"“{name}” is {upload.size:,} bytes; a starter file may be 200 KB "
                f"({STARTER_MAX_BYTES:,} bytes) at most.",
                code="too_big",
            )
        content = upload.read()
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError as error:
            raise forms.ValidationError(
                f"“{name}” is not UTF-8 text (byte {error.start}); save it as UTF-8.",
                code="not_utf8",
            ) from None
        if "\x00" in text:
            raise forms.ValidationError(f"“{name}” is a binary file, not Python source text.")
        return name[:100], text

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("slug") and cleaned.get("title") and "slug" not in self.errors:
            slug = slugify(cleaned["title"])[:64].strip("-")
            if not slug:
                self.add_error(
                    "slug",
                    "The title has no letters or digits to make a short name from; write one.",
                )
            cleaned["slug"] = slug
        return cleaned


class SuiteUploadForm(forms.Form):
    """An instructor's check suite: a .py file, then a short name (from the file's when left
    empty). The file is checked here (type, size, text, Python syntax) without running it; the
    service runs the self-test."""

    suite = forms.FileField(
        label="Check suite (.py)",
        help_text="A suite file as docs/suites.md describes it, with its reference solution "
        "(Assignment(solution=...)); 128 KB at most.",
    )
    slug = forms.SlugField(
        label="Short name",
        max_length=50,
        required=False,
        help_text="How the lab form lists it: lowercase letters, digits and hyphens. Leave it "
        "empty to use the file's name.",
    )

    def clean_suite(self) -> tuple[str, bytes]:
        from convlab.services import SUITE_MAX_BYTES, suite_text_problem

        upload = self.cleaned_data["suite"]
        name = (upload.name or "").rsplit("/", 1)[-1]
        content = upload.read(SUITE_MAX_BYTES + 1)
        problem = suite_text_problem(name, content, upload.size)
        if problem:
            raise forms.ValidationError(problem, code="bad_suite")
        return name, content
