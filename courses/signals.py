"""Signals of the course core, for apps that react to it without the core importing them."""

from __future__ import annotations

from django.dispatch import Signal

# Sent after a calendar exception is added, changed or removed, once the transaction commits.
# Arguments: course (Course), actor (User or None), description (str).
calendar_changed = Signal()

# Sent when a bulk write (a roster import) changed a course's memberships, which sends no
# post_save. Arguments: course (Course).
memberships_changed = Signal()
