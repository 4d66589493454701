"""`{% load review_labels %}` then `{{ key|category_label }}`: see `reviews.guidance_adapter`."""

from __future__ import annotations

from django import template

from reviews import guidance_adapter

register = template.Library()


@register.filter
def category_label(category: str) -> str:
    return guidance_adapter.category_label(str(category))
