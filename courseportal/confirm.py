"""Confirmation of bulk and destructive actions, checked on the server.

A form that starts such an action carries a required checkbox named `confirm` ("I understand
..."). A browser enforces `required`, but a stale page, a script or a crafted POST may not: the
view asks `confirmation_refused` first and, when the box was not ticked, answers 400 with a page
that names the box and offers the same form again, so the action runs only once confirmed (also
without JavaScript).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from rest_framework import serializers

CONFIRM_FIELD = "confirm"


def confirmation_refused(
    request: HttpRequest,
    *,
    title: str,
    label: str,
    consequence: str,
    action_url: str,
    button: str,
    back_url: str,
) -> HttpResponse | None:
    """None when the POST ticked `confirm`; otherwise the 400 page asking for it (nothing done).

    `label` is the checkbox's text, `consequence` says in a sentence what the action will do.
    """
    if request.POST.get(CONFIRM_FIELD) == "yes":
        return None
    return render(
        request,
        "confirm_required.html",
        {
            "title": title,
            "label": label,
            "consequence": consequence,
            "action_url": action_url,
            "button": button,
            "back_url": back_url,
            "field": CONFIRM_FIELD,
        },
        status=400,
    )


API_CONFIRM_MESSAGE = 'Send "confirm": true to confirm this bulk action; nothing was done.'


class ConfirmInput(serializers.Serializer[Any]):
    """The API's body of a bulk action (regrade all, publish): ``{"confirm": true}``. Without
    it the answer is a 400 naming ``confirm`` and nothing is done, so that a script that
    posts to the wrong URL, or an empty body, starts nothing."""

    confirm = serializers.BooleanField(
        help_text="Must be true: you confirm the bulk action.",
        error_messages=dict.fromkeys(("required", "invalid", "null"), API_CONFIRM_MESSAGE),
    )

    def validate_confirm(self, value: bool) -> bool:
        if value is not True:
            raise serializers.ValidationError(API_CONFIRM_MESSAGE)
        return value
