"""How course members see each other: by a display name, never by username or e-mail.

A roster-imported account's username is (or was) its e-mail address, so a username shown to a
classmate can leak an address. Pages, API answers, CSV files and calendar feeds that show one
member to another use `display_name`; staff pages may add the username.
"""

from __future__ import annotations

from typing import Any


def display_name(user: Any) -> str:
    """The user's full name; without one, "Member #<id>": stable, neutral, and not derived
    from the username or e-mail. Staff can tell who it is from the id on their pages."""
    name = user.get_full_name().strip() if user is not None else ""
    if name:
        return str(name)
    return f"Member #{user.pk}" if user is not None else "Unknown member"
