"""`{% load people %}` then `{{ user|display_name }}`: see `courses.people`."""

from __future__ import annotations

from typing import Any

from django import template

from courses import people

register = template.Library()


@register.filter
def display_name(user: Any) -> str:
    return people.display_name(user)
