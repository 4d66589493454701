"""``python manage.py convlab_grade <assignment> <file.py> [--json]``: grade a file locally."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from convlab.grading import grade, load_assignment, render_text, to_gradescope


class Command(BaseCommand):
    help = "Grade a student's file on an assignment in the sandbox and print the feedback."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("assignment", help="assignment slug, e.g. transposed-convolutions")
        parser.add_argument("file", type=Path, help="the student's .py file")
        parser.add_argument("--json", action="store_true", help="print Gradescope results.json")
        parser.add_argument("--seed", type=int, default=0, help="case seed (default 0)")
        parser.add_argument("--heatmaps", type=Path, help="write heatmap PNGs to this folder")

    def handle(self, *args: Any, **options: Any) -> None:
        extra = settings.CONVLAB_SUITES_DIR
        try:
            assignment = load_assignment(options["assignment"], Path(extra) if extra else None)
        except (LookupError, TypeError) as error:
            raise CommandError(str(error)) from error
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        insecure = settings.CONVLAB_SANDBOX_INSECURE
        result = grade(
            assignment,
            path.read_text(errors="replace"),
            seed=options["seed"],
            insecure=insecure,
        )
        if options["heatmaps"]:
            options["heatmaps"].mkdir(parents=True, exist_ok=True)
            for number, test in enumerate(result.tests, start=1):
                for index, png in enumerate(test.heatmaps):
                    (options["heatmaps"] / f"check{number}-{index}.png").write_bytes(png)
        if options["json"]:
            self.stdout.write(json.dumps(to_gradescope(result), indent=2))
        else:
            self.stdout.write(render_text(result))
        if not result.gradable:
            raise CommandError("not gradable: " + result.output)
