"""Signals of the course core, for apps that react to it without the core importing them."""

from __future__ import annotations

from django.dispatch import Signal

# Sent after a calendar exception is added, changed or removed, once the transaction commits.
# Arguments: course (Course), actor (User or None), description (str).
calendar_changed = Signal()
