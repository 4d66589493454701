"""``python manage.py check_suite <file.py or slug> [--no-solution]``: a check suite's self-test.

Loads the suite, checks its declarations, draws its cases, computes its references, checks that
each named variant is caught by its own check and grades its reference solution in the sandbox
(convlab.grading.selftest). Prints every problem with the suite's file and line; exits non-zero
when there is an error.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from convlab.grading import suite_file
from convlab.grading.selftest import self_test_file


class Command(BaseCommand):
    help = "Self-test a check suite: its cases, references, variants and reference solution."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("suite", help="a suite's .py file, or the slug of a known suite")
        parser.add_argument(
            "--no-solution",
            action="store_true",
            help="do not grade the reference solution (no sandbox needed)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        given = Path(options["suite"])
        path: Path | None = given if given.suffix == ".py" else None
        if path is None:
            extra = settings.CONVLAB_SUITES_DIR
            path = suite_file(options["suite"], Path(extra) if extra else None)
        if path is None or not path.is_file():
            raise CommandError(f"no such suite file or slug: {options['suite']}")
        result = self_test_file(
            path,
            run_solution=not options["no_solution"],
            insecure=settings.CONVLAB_SANDBOX_INSECURE,
        )
        self.stdout.write(result.report())
        if not result.ok:
            raise CommandError(f"{path}: the suite fails its self-test")
