"""Forms of the course core's pages."""

from __future__ import annotations

from django import forms

from courses import academic_calendar as cal


class CalendarExceptionForm(forms.Form):
    """A change to the term's calendar; the service checks it against the meeting pattern."""

    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(
        choices=[
            (cal.ExceptionKind.NO_CLASS.value, "No class"),
            (cal.ExceptionKind.GUEST_LECTURE.value, "Guest lecture (no papers, no presentations)"),
        ],
        label="What happens",
    )
    reason = forms.ChoiceField(
        choices=[("", "—"), *((r.value, r.value.capitalize()) for r in cal.NoClassReason)],
        required=False,
        label="Why there is no class",
        help_text="For no class only.",
    )
    title = forms.CharField(
        max_length=200, required=False, help_text='Shown to everyone, e.g. "Fall break".'
    )


class TokenForm(forms.Form):
    name = forms.CharField(max_length=100, label="Token name", help_text="e.g. laptop, CI")


class AnnouncementForm(forms.Form):
    title = forms.CharField(max_length=200, help_text='e.g. "HW2 and PS2 are out"')
    body = forms.CharField(
        max_length=10_000,
        required=False,
        label="Message",
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    pinned = forms.BooleanField(required=False, label="Pin it above the others")


class NewAnnouncementForm(AnnouncementForm):
    mail_class = forms.BooleanField(
        required=False,
        label="Also e-mail it to the class",
        help_text="Every student, TA and instructor of the course gets it by e-mail.",
    )


class StaffAddForm(forms.Form):
    who = forms.CharField(
        max_length=254,
        label="Username or e-mail",
        help_text="Of an existing account. New people: import them with the roster first.",
    )
    role = forms.ChoiceField(
        choices=[("ta", "Teaching assistant"), ("instructor", "Instructor (co-instructor)")],
        initial="ta",
        required=False,
        label="Role",
        help_text="An instructor also adds and removes TAs and instructors.",
    )

    def clean_role(self) -> str:
        return self.cleaned_data.get("role") or "ta"
