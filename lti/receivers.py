"""What the LTI tool does when other apps change: a grading that becomes final stores its AGS
score in the outbox, in the same transaction (convlab.services._finish saves the submission
inside it; post_save runs there)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from convlab.models import Submission


@receiver(post_save, sender=Submission, dispatch_uid="lti-score-outbox")
def submission_saved(sender: type[Submission], instance: Submission, **kwargs: Any) -> None:
    from lti.services.ags import score_deliveries_create

    if kwargs.get("raw"):
        return
    score_deliveries_create(submission=instance)
