from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from demo.seed import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Create (or refresh) the demo course CS 7643 Fall 2017 with its staff and students."

    def handle(self, *args: Any, **options: Any) -> None:
        result = seed_demo()
        course = result.course
        self.stdout.write(self.style.SUCCESS(f"Demo course ready: {course} (id {course.pk})"))
        self.stdout.write(f"Log in at /accounts/login/ with password {DEMO_PASSWORD!r} as:")
        for role, names in result.usernames.items():
            self.stdout.write(f"  {role:<11} {', '.join(names)}")
        self.stdout.write(f"API token of the autograder account: {result.token}")
        self.stdout.write(
            f"  curl -H 'Authorization: Bearer {result.token}' "
            f"http://127.0.0.1:8000/api/v1/courses/{course.pk}/sessions/"
        )
