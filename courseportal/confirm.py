"""Confirmation of bulk and destructive actions, checked on the server.

A form that starts such an action carries a required checkbox named `confirm` ("I understand
..."). A browser enforces `required`, but a stale page, a script or a crafted POST may not: the
view asks `confirmation_refused` first and, when the box was not ticked, answers 400 with a page
that names the box and offers the same form again, so the action runs only once confirmed (also
without JavaScript).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

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
