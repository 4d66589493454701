"""The delivery machinery of an outbox table, shared by convlab's webhooks and lti's scores.

An outbox row is written in the transaction that makes its event true, and delivered later by
whichever worker claims it. The table needs the fields `state` ("pending", "delivered",
"failed", "refused"), `attempts`, `next_attempt_at`, `delivered_at`, `last_status` and
`last_error`. A claim is one conditional UPDATE that counts the attempt and pushes
`next_attempt_at` past the attempt's end (a lease): no other deliverer takes the row meanwhile,
and a deliverer that dies mid-attempt only delays the next one. What an attempt sends is the
caller's; what came of it is recorded here, the same way for every outbox.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

logger = logging.getLogger(__name__)

PENDING, DELIVERED, FAILED, REFUSED = "pending", "delivered", "failed", "refused"


@dataclass(frozen=True)
class Outcome:
    """What one attempt came to: the receiver's HTTP status (None: no answer), an error to
    keep, whether the target may never be called (refused for good), and whether the receiver
    has the event (`delivered`)."""

    status: int | None = None
    error: str = ""
    refused: bool = False
    delivered: bool = False


@dataclass(frozen=True)
class Outbox:
    """One outbox table and its limits. The limits are read through callables at each use, so
    that settings overridden in tests or changed in the environment apply at once."""

    model: type[models.Model]
    name: str  # in log lines: "webhook delivery", "LTI score"
    lease: Callable[[], float]  # seconds an attempt holds its row
    attempts: Callable[[], int]  # failed after this many
    backoff: Callable[[], float]  # seconds after the first failed attempt, doubling
    backoff_max: Callable[[], float]
    related: tuple[str, ...] = ()  # select_related of a claimed row

    def claim(self, pk: Any, now: dt.datetime) -> Any | None:
        """Take one attempt at a due row; None when it is not due, or another deliverer got
        there first."""
        lease = now + dt.timedelta(seconds=self.lease())
        claimed = self.model._default_manager.filter(
            pk=pk, state=PENDING, next_attempt_at__lte=now
        ).update(attempts=F("attempts") + 1, next_attempt_at=lease)
        if not claimed:
            return None
        return self.model._default_manager.select_related(*self.related).get(pk=pk)

    def deliver(
        self, pk: Any, attempt: Callable[[Any], Outcome], *, now: dt.datetime | None = None
    ) -> Any | None:
        """One attempt at one row now, if it is due and unclaimed; the row as it then stands
        (None: no such row). Slow (an HTTP request): call outside transactions."""
        now = now or timezone.now()
        row = self.claim(pk, now)
        if row is None:
            return self.model._default_manager.filter(pk=pk).first()
        return self.record(row, now, attempt(row))

    def deliver_due(
        self,
        attempt: Callable[[Any], Outcome],
        *,
        now: dt.datetime | None = None,
        limit: int = 50,
        budget: float = 60,
    ) -> dict[str, int]:
        """The periodic deliverer: claim due rows one at a time (several deliverers share the
        work, none waiting on a row another holds) and attempt each, at most `limit` of them
        and none claimed after `budget` seconds (receivers that time out must not hold the
        sweeper for long: the next run goes on); how many ended in each state."""
        stop_at = time.monotonic() + budget
        states: dict[str, int] = {}
        for _ in range(limit):
            if time.monotonic() > stop_at:
                break
            moment = now or timezone.now()  # each claim's lease and back-off count from its own
            with transaction.atomic():
                # skip_locked: where the database locks rows (PostgreSQL), a row another
                # deliverer is claiming is passed over, not waited for; SQLite serializes the
                # transactions, and the conditional UPDATE of the claim keeps a row to one.
                due = (
                    self.model._default_manager.select_for_update(skip_locked=True)
                    .filter(state=PENDING, next_attempt_at__lte=moment)
                    .order_by("next_attempt_at")
                    .values_list("pk", flat=True)
                    .first()
                )
                row = self.claim(due, moment) if due is not None else None
            if due is None:
                break
            if row is None:
                continue
            state = self.record(row, moment, attempt(row)).state
            states[state] = states.get(state, 0) + 1
        return states

    def record(self, row: Any, claimed_at: dt.datetime, outcome: Outcome) -> Any:
        """Keep what an attempt came to: delivered; refused for good; or tried again a back-off
        after the claim, and failed after the last attempt. Written only while this attempt
        still holds its claim (a later one may have taken it over)."""
        pending = self.model._default_manager.filter(pk=row.pk, state=PENDING)
        error = outcome.error.replace("\x00", "\ufffd")[:2000]  # PostgreSQL keeps no NUL
        if outcome.delivered:
            pending.update(
                state=DELIVERED,
                delivered_at=timezone.now(),
                last_status=outcome.status,
                last_error=error,
            )
        else:
            if outcome.refused:
                fields: dict[str, Any] = {"state": REFUSED}
            elif row.attempts >= self.attempts():
                fields = {"state": FAILED}
            else:
                wait = min(self.backoff_max(), self.backoff() * 2 ** (row.attempts - 1))
                fields = {"next_attempt_at": claimed_at + dt.timedelta(seconds=wait)}
            logger.warning("%s %s attempt %s: %s", self.name, row.pk, row.attempts, error)
            pending.filter(attempts=row.attempts).update(
                last_status=outcome.status, last_error=error, **fields
            )
        return self.model._default_manager.get(pk=row.pk)
