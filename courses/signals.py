"""Signals of the course core, for apps that react to it without the core importing them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.dispatch import Signal

# Sent after a calendar exception is added, changed or removed, once the transaction commits.
# Arguments: course (Course), actor (User or None), description (str).
calendar_changed = Signal()

# Sent when a bulk write (a roster import) changed a course's memberships, which sends no
# post_save. Arguments: course (Course).
memberships_changed = Signal()

# Sent, inside a savepoint that is then rolled back, while a calendar change is tried out
# before staff confirm it (see courses.services.calendar_exception_moves). Arguments: course
# (Course). A receiver returns a list of `CalendarMove`: what the change would move.
calendar_change_previewed = Signal()


@dataclass(frozen=True)
class CalendarMove:
    """Something a calendar change would move: a presenter group from its date to another, or
    to none (`to_date` None: no date can take it and the staff will have to decide)."""

    group: str
    from_date: dt.date
    to_date: dt.date | None
