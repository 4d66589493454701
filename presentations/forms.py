"""Forms of the presentations app's staff pages: a presenter group's name, members and ranked
dates. The rules (students only, one group each, seats, presentation days) are the services'."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.contrib.auth.models import User

from courses.people import display_name

PREFERENCE_CHOICES = 3  # ranked dates offered on the form; more are kept when a group has them


def _ordinal(n: int) -> str:
    return {1: "1st", 2: "2nd", 3: "3rd"}.get(n, f"{n}th")


class RankedDatesWidget(forms.MultiWidget):
    def decompress(self, value: Any) -> list[str]:
        days = [d.isoformat() if isinstance(d, dt.date) else str(d) for d in value or []]
        return days + [""] * (len(self.widgets) - len(days))


class RankedDatesField(forms.MultiValueField):
    """Ranked dates, best first, one select each; blanks are skipped, the order is kept. Any
    date is accepted here: the service says why one cannot be ranked (no class that day)."""

    def __init__(self, *, dates: Sequence[dt.date], count: int, **kwargs: Any) -> None:
        choices = [("", "—"), *((d.isoformat(), f"{d:%a, %b} {d.day}") for d in dates)]
        fields = [forms.DateField(required=False) for _ in range(count)]
        widget = RankedDatesWidget(
            widgets=[
                forms.Select(choices=choices, attrs={"aria-label": f"{_ordinal(i + 1)} choice"})
                for i in range(count)
            ]
        )
        super().__init__(
            fields=fields, widget=widget, require_all_fields=False, required=False, **kwargs
        )

    def compress(self, data_list: list[dt.date | None]) -> list[dt.date]:
        return [day for day in data_list if day is not None]


class GroupForm(forms.Form):
    """A group's name, members and ranked dates. `members` accepts any active member of the
    course so that the service, not the form, says why one cannot join (a TA, a student in
    another group); the boxes offer only the students who can."""

    name = forms.CharField(max_length=100, label="Group name")
    members = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label="Members",
        help_text="Students of the course who are in no other group.",
    )

    def __init__(
        self,
        *args: Any,
        course_users: Any,
        offered: Iterable[User],
        dates: Sequence[dt.date],
        preferences: Sequence[dt.date] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        members = self.fields["members"]
        assert isinstance(members, forms.ModelMultipleChoiceField)
        members.queryset = course_users
        # After the queryset: setting it resets the widget's choices to the whole queryset.
        members.widget.choices = [(user.pk, _person(user)) for user in offered]
        count = max(PREFERENCE_CHOICES, len(preferences))
        self.fields["preferences"] = RankedDatesField(
            # A ranked date that is no longer offered (the calendar changed) stays visible.
            dates=sorted({*dates, *preferences}),
            count=count,
            label="Preferred dates, best first",
            help_text="Optional. Only days with student presentations.",
        )
        if preferences:
            self.initial.setdefault("preferences", list(preferences))


def _person(user: User) -> str:
    name = display_name(user)
    return name if name == user.username else f"{name} ({user.username})"
