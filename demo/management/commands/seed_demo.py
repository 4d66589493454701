from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand

from demo.seed import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = (
        "Create (or refresh) the demo courses: CS 7643 in the current term, and the seed course "
        "CS 7643 Fall 2017 (archived), with their staff and students."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = seed_demo(current_term=True)
        archived, current = result.course, result.current
        assert current is not None  # current_term=True always makes it
        self.stdout.write(
            self.style.SUCCESS(
                f"Current course: {current} (id {current.pk}), classes "
                f"{current.first_day:%Y-%m-%d} to {current.last_day:%Y-%m-%d}"
            )
        )
        self.stdout.write(f"Archived course: {archived} (id {archived.pk})")
        self.stdout.write(
            "Lab submissions of the current course are graded once the worker runs (make run "
            "starts it)."
        )
        self.stdout.write(f"Log in at /accounts/login/ with password {DEMO_PASSWORD!r} as:")
        for role, names in result.usernames.items():
            self.stdout.write(f"  {role:<11} {', '.join(names)}")
        self.stdout.write(f"API token of the autograder account: {result.token}")
        # The port scripts/run-portal.sh serves on (PORT=8080 make run).
        port = os.environ.get("PORT", "8000")
        self.stdout.write(
            f"  curl -H 'Authorization: Bearer {result.token}' "
            f"http://127.0.0.1:{port}/api/v1/courses/{current.pk}/sessions/"
        )
