"""Celery tasks of the LTI tool: the AGS score outbox's nudge and periodic deliverer (the
webhook outbox's twins, convlab/tasks.py)."""

from __future__ import annotations

import uuid

from celery import shared_task

from convlab.tasks import _this_period
from lti.services import ags


@shared_task(name="lti.deliver_score", acks_late=False, ignore_result=True)
def deliver_score(delivery_id: str) -> str:
    """Try one stored score now, if it is due and nobody else holds it; its state afterwards.
    Retries are the outbox's (deliver_scores after the back-off), not Celery's."""
    try:
        key = uuid.UUID(str(delivery_id))
    except ValueError:
        return "nothing to do: not a delivery id"
    delivery = ags.score_deliver(delivery_id=key)
    return delivery.state if delivery is not None else "nothing to do: no such delivery"


@shared_task(name="lti.deliver_scores", acks_late=False, ignore_result=True)
def deliver_scores() -> dict[str, int]:
    """The periodic deliverer (celery beat): every due score of the outbox."""
    if not _this_period("lti.deliver_scores"):
        return {}
    return ags.scores_deliver_due()
