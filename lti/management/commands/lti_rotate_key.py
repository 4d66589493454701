"""manage.py lti_rotate_key: make a new signing key and retire the active ones.

Retired keys stay in /lti/jwks/ for LTI_KEY_RETIRED_KEEP_S seconds (platforms cache the JWKS);
keys retired longer ago than that are deleted with --prune."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone

from lti.models import ToolKey


class Command(BaseCommand):
    help = "Make a new LTI tool signing key; the old one is retired (still published a while)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--prune", action="store_true", help="Also delete keys no longer published."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        with transaction.atomic():
            retired = ToolKey.objects.filter(retired_at__isnull=True).update(retired_at=now)
            key = ToolKey.generate()
        self.stdout.write(f"New signing key {key.kid}; {retired} key(s) retired.")
        if options["prune"]:
            cutoff = now - timedelta(seconds=settings.LTI_KEY_RETIRED_KEEP_S)
            gone, _ = ToolKey.objects.filter(retired_at__lt=cutoff).delete()
            self.stdout.write(f"{gone} key(s) no longer published deleted.")
