"""AGS grade passback through the outbox (lti/services/ags.py) against the test platform: the
score is stored with the grading, delivered once with the grading's timestamp, the line item made
on first need, retried with back-off while the platform fails, and never sent twice."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from convlab import services
from convlab.grading.results import GradingResult
from convlab.models import Assignment, Submission
from lti.models import ScoreDelivery
from lti.services import ags
from tests.convlab.service.conftest import REFERENCE
from tests.lti.conftest import link_course

pytestmark = pytest.mark.django_db


def graded(
    lab: Assignment, student: User, score: float | None = 7.5, max_score: float = 10.0
) -> Submission:
    made = services.submission_create(
        assignment=lab, student=student, submitted_by=student, content=REFERENCE
    ).submission
    Submission.objects.filter(pk=made.pk).update(status="queued")
    services.submission_claim(submission_id=made.pk, task_id="t1", worker="w1")
    result = GradingResult(
        assignment=lab.suite, gradable=score is not None, score=score, max_score=max_score,
        output="", tests=(),
    )  # fmt: skip
    finished = services.submission_finish(submission_id=made.pk, task_id="t1", result=result)
    assert finished is not None
    return finished


@pytest.fixture
def linked(lti_platform, course, lab, alice):
    return link_course(lti_platform, course, lab, alice)


def test_a_finished_grading_stores_one_score_and_delivers_it_once(linked, alice):
    submission = graded(linked.lab, alice)
    delivery = ScoreDelivery.objects.get()
    assert (delivery.submission_id, delivery.user_id, delivery.state) == (
        submission.pk,
        "sub-alice",
        "pending",
    )
    assert (delivery.score_given, delivery.score_maximum) == (7.5, 10.0)
    assert delivery.timestamp == submission.finished_at
    done = ags.score_deliver(delivery_id=delivery.pk)
    assert done is not None
    assert (done.state, done.attempts, done.last_status) == ("delivered", 1, 200)
    [score] = linked.platform.scores
    assert (score.user_id, score.body["scoreGiven"], score.body["scoreMaximum"]) == (
        "sub-alice",
        7.5,
        10.0,
    )
    assert score.body["gradingProgress"] == "FullyGraded"
    # The line item was made on first need, for this resource link, and kept.
    [item] = linked.platform.lineitems["ctx-1"]
    assert (item["resourceLinkId"], item["scoreMaximum"], item["label"]) == (
        "rl-lab2",
        10.0,
        "Lab 2",
    )
    linked.link.refresh_from_db()
    assert linked.link.lineitem_url == item["id"]
    assert score.lineitem == item["id"]
    # Nothing is due any more: the periodic deliverer sends nothing again.
    assert ags.scores_deliver_due(now=timezone.now() + dt.timedelta(days=1)) == {}
    assert len(linked.platform.scores_received) == 1


def test_a_failing_platform_is_tried_again_with_back_off(linked, alice):
    graded(linked.lab, alice)
    linked.platform.fail_next("/contexts/ctx-1/lineitems", 503, times=1)
    delivery = ScoreDelivery.objects.get()
    now = timezone.now()
    first = ags.score_deliver(delivery_id=delivery.pk, now=now)
    assert first is not None
    assert (first.state, first.attempts, first.last_status) == ("pending", 1, 503)
    assert first.next_attempt_at == now + dt.timedelta(seconds=10)
    assert ags.scores_deliver_due(now=now + dt.timedelta(seconds=9)) == {}
    assert ags.scores_deliver_due(now=now + dt.timedelta(seconds=10)) == {"delivered": 1}
    assert len(linked.platform.scores) == 1


def test_a_repeated_delivery_after_a_lost_answer_counts_once(linked, alice):
    """The platform recorded the score but its answer was lost: the repeat carries the same
    timestamp, the platform keeps one score (409 for the repeat), the outbox counts it done."""
    graded(linked.lab, alice)
    delivery = ScoreDelivery.objects.get()
    assert ags.score_deliver(delivery_id=delivery.pk).state == "delivered"  # type: ignore[union-attr]
    ScoreDelivery.objects.filter(pk=delivery.pk).update(
        state="pending", next_attempt_at=timezone.now()
    )
    again = ags.score_deliver(delivery_id=delivery.pk)
    assert again is not None
    assert (again.state, again.last_status) == ("delivered", 409)
    assert len(linked.platform.scores) == 1
    assert len(linked.platform.scores_rejected) == 1


def test_a_regrade_sends_a_later_score_that_replaces_the_first(linked, alice):
    first = graded(linked.lab, alice, score=4.0)
    ags.scores_deliver_due()
    Submission.objects.filter(pk=first.pk).update(status="queued", task_id="")
    services.submission_claim(submission_id=first.pk, task_id="t2", worker="w1")
    result = GradingResult(assignment=linked.lab.suite, gradable=True, score=9.0, max_score=10.0,
                           output="", tests=())  # fmt: skip
    services.submission_finish(submission_id=first.pk, task_id="t2", result=result)
    assert ags.scores_deliver_due() == {"delivered": 1}
    assert [s.body["scoreGiven"] for s in linked.platform.scores] == [4.0, 9.0]
    [(_, latest)] = linked.platform.results.items()
    assert latest["scoreGiven"] == 9.0


def test_nothing_is_stored_for_an_ungradable_grading_or_a_student_without_identity(
    linked, alice, bob
):
    graded(linked.lab, alice, score=None)
    assert not ScoreDelivery.objects.exists()
    other = graded(linked.lab, alice)
    assert ScoreDelivery.objects.get().submission_id == other.pk
    linked.link.ags_scopes = []
    linked.link.save()
    linked.context.ags_scopes = []
    linked.context.save()
    graded(linked.lab, alice)
    assert ScoreDelivery.objects.count() == 1


def test_a_registration_turned_off_refuses_the_pending_score(linked, alice):
    graded(linked.lab, alice)
    linked.registration.is_active = False
    linked.registration.save()
    done = ags.score_deliver(delivery_id=ScoreDelivery.objects.get().pk)
    assert done is not None
    assert (done.state, done.last_error) == (
        "refused",
        "the LMS registration is switched off or not approved",
    )
    assert linked.platform.scores_received == []


def test_it_gives_up_after_the_last_attempt(linked, alice, settings):
    settings.LTI_SCORE_ATTEMPTS = 2
    graded(linked.lab, alice)
    linked.platform.fail_next("/contexts/", 500, times=10)
    later = timezone.now()
    for _ in range(4):
        later += dt.timedelta(hours=1)
        ags.scores_deliver_due(now=later)
    failed = ScoreDelivery.objects.get()
    assert (failed.state, failed.attempts, failed.last_status) == ("failed", 2, 500)
    assert linked.platform.scores == []


def test_a_platform_on_a_private_address_is_refused_without_a_request(linked, alice, settings):
    """The webhook address rules (lti.http): off in tests, which speak to 127.0.0.1."""
    settings.CONVLAB_WEBHOOK_ALLOW_PRIVATE = False
    graded(linked.lab, alice)
    done = ags.score_deliver(delivery_id=ScoreDelivery.objects.get().pk)
    assert done is not None
    assert done.state == "refused"
    assert "private or reserved address" in done.last_error
    assert linked.platform.requests == []


def test_the_score_is_written_in_the_grading_s_transaction(linked, alice, monkeypatch):
    """A grading whose transaction is rolled back (here: the database refusing what comes after
    the submission's save) leaves no score behind; the submission ends not gradable."""
    from django.db import DataError

    calls: list[int] = []

    def refuse(**kwargs: object) -> None:
        calls.append(ScoreDelivery.objects.count())  # as the grading's transaction sees it
        if len(calls) == 1:
            raise DataError("refused after the submission was saved")

    monkeypatch.setattr(services, "webhook_delivery_create", refuse)
    made = services.submission_create(
        assignment=linked.lab, student=alice, submitted_by=alice, content=REFERENCE
    ).submission
    Submission.objects.filter(pk=made.pk).update(status="queued")
    services.submission_claim(submission_id=made.pk, task_id="t1", worker="w1")
    result = GradingResult(assignment=linked.lab.suite, gradable=True, score=7.5, max_score=10.0,
                           output="", tests=())  # fmt: skip
    submission = services.submission_finish(submission_id=made.pk, task_id="t1", result=result)
    assert submission is not None
    assert (submission.status, submission.gradable) == ("error", False)
    # The first (gradable) try had written its score inside the transaction; the rollback took
    # it; the second (not gradable) try writes none.
    assert calls == [1, 0]
    assert not ScoreDelivery.objects.exists()


def test_the_platform_s_own_line_item_for_the_link_is_used(linked, alice):
    """A line item the LMS made for the resource link (an instructor's gradebook column) is found
    by the link's id, among others, and scored; none is created."""
    platform = linked.platform
    platform.add_lineitem("ctx-1", label="Other", scoreMaximum=5, resourceLinkId="rl-other")
    own = platform.add_lineitem(
        "ctx-1", label="Lab 2 (LMS)", scoreMaximum=10, resourceLinkId="rl-lab2"
    )
    graded(linked.lab, alice)
    assert ags.scores_deliver_due() == {"delivered": 1}
    [score] = platform.scores
    assert score.lineitem == own["id"]
    asked = [(r.method, r.path) for r in platform.requests if r.path.startswith("/contexts/")]
    assert asked == [
        ("GET", "/contexts/ctx-1/lineitems"),  # ?resource_link_id=rl-lab2
        ("POST", own["id"].removeprefix(platform.base_url) + "/scores"),
    ]


def test_without_a_line_item_scope_nothing_is_created(linked, alice):
    linked.link.ags_scopes = [ags.SCOPE_SCORE]
    linked.link.save()
    graded(linked.lab, alice)
    done = ags.score_deliver(delivery_id=ScoreDelivery.objects.get().pk)
    assert done is not None
    assert (done.state, done.attempts) == ("pending", 1)
    assert "no line item scope" in done.last_error
    assert linked.platform.requests == []
