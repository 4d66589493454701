"""A user's private key for the iCalendar feeds, which calendar apps use instead of a login."""

from __future__ import annotations

from django.contrib.auth.models import User

from presentations.models import CalendarFeed


def calendar_feed_get(*, user: User) -> CalendarFeed:
    feed, _ = CalendarFeed.objects.get_or_create(user=user)
    return feed


def calendar_feed_rotate(*, user: User) -> CalendarFeed:
    """A new private URL; the old one stops working at once."""
    CalendarFeed.objects.filter(user=user).delete()
    return CalendarFeed.objects.create(user=user)
