"""Assignment and Grade Services (https://www.imsglobal.org/spec/lti-ags/v2p0/): a finished
grading's score goes to the LMS gradebook of every resource link (LMS placement) of its lab,
through an outbox.

The score is a row (ScoreDelivery) written by `score_deliveries_create` in the transaction that
records the grading's final state (lti/receivers.py, on the submission's save in
convlab.services._finish), so that it exists exactly when the grading does. A nudge after the
commit (lti.deliver_score) tries it at once; the periodic deliverer (lti.deliver_scores, with
the sweeper) claims whatever is due, with the webhook outbox's back-off, lease and attempts.
Delivery is at least once, and a repeat changes nothing: every attempt sends the same score with
the grading's timestamp, and the platform keeps the latest per (line item, user) (AGS 2.0,
3.4.4); a 409 (the platform has one as late or later) counts as delivered.

The line item of a link is the one the launch named, else found by its resource link id, else
created on first need (under a lock on the link, so that concurrent deliveries make one).
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import urllib.parse
import uuid
from typing import TYPE_CHECKING, Any, cast

import requests
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.exception import LtiException, LtiServiceException
from pylti1p3.grade import Grade
from pylti1p3.lineitem import LineItem

from convlab.models import Submission, SubmissionStatus
from courseportal.outbox import Outbox, Outcome
from lti.models import Identity, ResourceLink, ScoreDelivery
from lti.services.connector import PortalServiceConnector
from lti.services.nrps import next_page

if TYPE_CHECKING:
    from pylti1p3.assignments_grades import TAssignmentsGradersData

logger = logging.getLogger(__name__)

SCOPE_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
SCOPE_LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
SCOPE_LINEITEM_READ = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"
MEDIA_LINEITEM = "application/vnd.ims.lis.v2.lineitem+json"
MEDIA_LINEITEMS = "application/vnd.ims.lis.v2.lineitemcontainer+json"
LINEITEM_TAG = "courseportal"


def _scopes(link: ResourceLink) -> list[str]:
    return list(link.ags_scopes or link.context.ags_scopes or [])


def score_deliveries_create(*, submission: Submission) -> list[ScoreDelivery]:
    """The scores of a finished, gradable grading, one per LTI link of its lab whose platform
    granted the score scope and knows the student; call in the transaction that makes the
    grading final. A grading already stored (same submission and finish time) adds nothing."""
    if (
        submission.status != SubmissionStatus.DONE
        or not submission.gradable
        or submission.score is None
        or not submission.max_score
        or submission.finished_at is None
    ):
        return []
    made = []
    links = ResourceLink.objects.filter(assignment_id=submission.assignment_id).select_related(
        "context__registration"
    )
    for link in links:
        if not link.context.registration.usable or SCOPE_SCORE not in _scopes(link):
            continue
        if not (link.lineitem_url or link.context.lineitems_url):
            continue
        identity = Identity.objects.filter(
            registration=link.context.registration, user_id=submission.student_id
        ).first()
        if identity is None:
            continue
        delivery, created = ScoreDelivery.objects.get_or_create(
            link=link,
            submission=submission,
            timestamp=submission.finished_at,
            defaults={
                "user_id": identity.sub,
                "score_given": float(submission.score),
                "score_maximum": float(submission.max_score),
                "next_attempt_at": timezone.now(),
            },
        )
        if created:
            made.append(delivery)
            transaction.on_commit(functools.partial(score_nudge, delivery_id=delivery.pk))
    return made


def score_nudge(*, delivery_id: uuid.UUID) -> bool:
    """Queue an attempt now; a broker that is down only delays it to the periodic deliverer."""
    from lti.tasks import deliver_score

    try:
        deliver_score.apply_async(args=(str(delivery_id),))
    except Exception as error:
        logger.warning("could not queue LTI score delivery %s: %s", delivery_id, error)
        return False
    return True


SCORES = Outbox(
    model=ScoreDelivery,
    name="LTI score",
    lease=lambda: settings.LTI_SCORE_LEASE,
    attempts=lambda: settings.LTI_SCORE_ATTEMPTS,
    backoff=lambda: settings.LTI_SCORE_BACKOFF,
    backoff_max=lambda: settings.LTI_SCORE_BACKOFF_MAX,
    related=("link__context__registration",),
)


def score_deliver(
    *, delivery_id: uuid.UUID, now: dt.datetime | None = None
) -> ScoreDelivery | None:
    """One attempt of one delivery, if it is due and unclaimed; the delivery afterwards."""
    return cast("ScoreDelivery | None", SCORES.deliver(delivery_id, _attempt, now=now))


def scores_deliver_due(
    *, now: dt.datetime | None = None, limit: int = 200, budget: float = 60
) -> dict[str, int]:
    """Every due delivery once (the periodic deliverer, courseportal.outbox), at most `limit`
    and none claimed after `budget` seconds: how many ended in each state."""
    return SCORES.deliver_due(_attempt, now=now, limit=limit, budget=budget)


def _service(link: ResourceLink) -> AssignmentsGradesService:
    data: dict[str, Any] = {"scope": _scopes(link), "lineitems": link.context.lineitems_url}
    if link.lineitem_url:
        data["lineitem"] = link.lineitem_url
    connector = PortalServiceConnector(link.context.registration)
    return AssignmentsGradesService(connector, cast("TAssignmentsGradersData", data))


def _with_query(url: str, **params: str) -> str:
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.parse_qsl(parts.query) + list(params.items())
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


def _find_lineitem(connector: PortalServiceConnector, link: ResourceLink) -> str | None:
    """The platform's line item for the link's resource link id, every page looked through
    (the Link header read here: pylti1p3 lowercases the next page's URL)."""
    url: str | None = _with_query(
        link.context.lineitems_url, resource_link_id=link.resource_link_id
    )
    while url:
        data = connector.make_service_request(_scopes(link), url, accept=MEDIA_LINEITEMS)
        body = data.get("body")
        for item in body if isinstance(body, list) else []:
            if isinstance(item, dict) and item.get("resourceLinkId") == link.resource_link_id:
                return str(item.get("id") or "") or None
        url = next_page(data.get("headers") or {})
    return None


def lineitem_for(link: ResourceLink, delivery: ScoreDelivery) -> str:
    """The URL of the link's line item: the one on record, else the platform's one for this
    resource link, else one made now (the lab's title, the grading's maximum). Under a lock on
    the link, so that deliveries of several students at once make one line item."""
    if link.lineitem_url:
        return link.lineitem_url
    with transaction.atomic():
        locked = ResourceLink.objects.select_for_update().get(pk=link.pk)
        if locked.lineitem_url:
            return locked.lineitem_url
        if SCOPE_LINEITEM not in _scopes(link) and SCOPE_LINEITEM_READ not in _scopes(link):
            raise LtiException("the LMS named no line item and grants no line item scope")
        connector = PortalServiceConnector(link.context.registration)
        url = _find_lineitem(connector, link)
        if url is None:
            if SCOPE_LINEITEM not in _scopes(link):
                raise LtiException("the LMS grants no scope to create the line item")
            assignment = link.assignment
            new = (
                LineItem()
                .set_label(link.title or (assignment.title if assignment else "Lab"))
                .set_score_maximum(delivery.score_maximum)
                .set_resource_link_id(link.resource_link_id)
                .set_resource_id(f"assignment-{link.assignment_id}")
                .set_tag(LINEITEM_TAG)
            )
            made = connector.make_service_request(
                _scopes(link),
                link.context.lineitems_url,
                is_post=True,
                data=new.get_value(),
                content_type=MEDIA_LINEITEM,
                accept=MEDIA_LINEITEM,
            )
            body = made.get("body")
            url = str(body.get("id") or "") if isinstance(body, dict) else ""
        if not url:
            raise LtiException("the platform's line item has no id")
        ResourceLink.objects.filter(pk=link.pk).update(lineitem_url=url)
        link.lineitem_url = url
        return url


def score_grade(delivery: ScoreDelivery) -> Grade:
    stamp = delivery.timestamp.astimezone(dt.UTC).isoformat(timespec="milliseconds")
    return (
        Grade()
        .set_user_id(delivery.user_id)
        .set_score_given(delivery.score_given)
        .set_score_maximum(delivery.score_maximum)
        .set_timestamp(stamp)
        .set_activity_progress("Completed")
        .set_grading_progress("FullyGraded")
    )


def _attempt(delivery: ScoreDelivery) -> Outcome:
    """POST the stored score once; what came of it (courseportal.outbox records it, as for
    convlab's webhooks): delivered on a 2xx or a 409; refused when there is nothing to send it
    to; else tried again a back-off after the claim, and failed after LTI_SCORE_ATTEMPTS."""
    link = delivery.link
    status: int | None = None
    error = ""
    refused = False
    if not link.context.registration.usable:
        refused, error = True, "the LMS registration is switched off or not approved"
    elif SCOPE_SCORE not in _scopes(link):
        refused, error = True, "the LMS no longer grants the score scope"
    else:
        try:
            url = lineitem_for(link, delivery)
            service = _service(link)
            service.put_grade(score_grade(delivery), LineItem({"id": url}))
            status = 200
        except requests.exceptions.InvalidURL as refusal:  # lti.http's address rules
            refused, error = True, str(refusal)
        except LtiServiceException as answer:
            status = int(answer.response.status_code)
            error = f"answered {status}: {answer.response.text[:500]}"
        except (LtiException, requests.RequestException, ValueError) as failure:
            error = f"{type(failure).__name__}: {failure}"
        except Exception as failure:  # a bug must not hold the delivery for a whole lease
            logger.exception("LTI score %s: unexpected failure", delivery.pk)
            error = f"{type(failure).__name__}: {failure}"
    # 409: the platform holds a score as late or later for this user and line item.
    return Outcome(
        status=status,
        error=error,
        refused=refused,
        delivered=status is not None and (200 <= status < 300 or status == 409),
    )
