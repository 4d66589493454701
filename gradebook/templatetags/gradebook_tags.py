from __future__ import annotations

from django import template

from gradebook.exports import number

register = template.Library()


@register.filter
def score(value: float | None) -> str:
    """A score as the exports write it (2.5, 72, 0.3333); an em dash when there is none."""
    return number(value) or "—"
