"""Issue #19's acceptance, end to end with real processes: the test platform (tests/lti/platform.py)
launches a student into a lab through the tool's own login and launch endpoints, the student
submits through the API with the session the launch gave, a real Celery worker process grades it
(bubblewrap sandbox, the test database), and the platform's AGS score endpoint receives exactly
one score with the grading's scoreGiven / scoreMaximum and the student's LMS userId.

Then the same with the delivery cut off after the grading: the worker's nudge goes to a queue
nobody reads, and

- the worker is SIGKILLed once the grading is stored (its score still in the outbox), or
- the broker (a redis-server of the test's own, no persistence) is killed, losing the nudge;

a new worker (with celery beat: the periodic deliverer every second, and the stale nudge too
where it survived) delivers it, exactly once.
"""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from convlab.models import Assignment, Submission
from courses.models import Course
from lti.models import CourseContext, Identity, ResourceLink, ScoreDelivery
from lti.services import ags
from tests.conftest import database_url, start_worker, wait_until_ready, worker_env
from tests.convlab.service.conftest import submit_url, wait_final
from tests.convlab.service.test_fault_injection import RELU, create_in_subprocess
from tests.lti.conftest import tool_jwks
from tests.lti.platform import LtiPlatform, Score
from tests.lti.tool import LAUNCH, launch, register

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def linked_lab(platform: LtiPlatform, course: Course, lab: Assignment) -> ResourceLink:
    """The platform registered for the course and the lab placed in the LMS course (what staff
    do once, through the registration page and deep linking)."""
    registration = register(platform, course)
    context = CourseContext.objects.create(
        registration=registration,
        deployment_id=platform.deployment_id,
        context_id="ctx-e2e",
        course=course,
    )
    link = ResourceLink.objects.create(
        context=context, resource_link_id="rl-warmup", title="ReLU warm-up", assignment=lab
    )
    # The tool's published keys, for the platform's token endpoint (its threads do not share
    # the test's database connection; the worker signs with the same key).
    platform.tool_jwks = tool_jwks()
    return link


def launch_student(platform: LtiPlatform, lab: Assignment) -> Client:
    """The student clicks the lab's link in the LMS: a browser session on the lab page."""
    client = Client()
    claims = platform.resource_link_claims(
        user_id="sub-ada",
        context_id="ctx-e2e",
        resource_link_id="rl-warmup",
        target_link_uri=LAUNCH,
        person={"name": "Ada Lovelace", "email": "ada@example.edu"},
    )
    answer = launch(client, platform, claims)
    assert answer.status_code == 302, answer.content[:500]
    assert answer["Location"] == f"/courses/{lab.course_id}/labs/{lab.slug}/"
    assert client.get(answer["Location"]).status_code == 200
    return client


def launch_and_submit(platform: LtiPlatform, lab: Assignment) -> Submission:
    """The student's side: the LMS link clicked, the lab page, a submission through the API."""
    client = launch_student(platform, lab)
    sent = client.post(submit_url(lab), {"source": RELU.decode()}, content_type="application/json")
    assert sent.status_code == 202, sent.content[:500]
    submission = Submission.objects.get(pk=sent.json()["id"])
    assert submission.student.lti_identities.get().sub == "sub-ada"
    return submission


def wait_for(what: str, check: Any, timeout: float = 180, log: Path | None = None) -> Any:
    """Poll `check` until it is true; a generous bound (the machine may be busy), no timing."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
    outbox = list(
        ScoreDelivery.objects.values("state", "attempts", "last_error", "next_attempt_at")
    )
    raise AssertionError(f"{what}: not after {timeout} s; outbox {outbox}\n{tail}")


def assert_exactly_one_score(platform: LtiPlatform, submission: Submission) -> Score:
    submission.refresh_from_db()
    assert submission.status == "done"
    assert submission.score is not None
    assert submission.max_score
    [score] = platform.scores
    assert score.user_id == "sub-ada"
    assert (score.body["scoreGiven"], score.body["scoreMaximum"]) == (
        submission.score,
        submission.max_score,
    )
    assert score.body["gradingProgress"] == "FullyGraded"
    assert len(platform.requests_to("/contexts/ctx-e2e/lineitems/", "POST")) == 1
    delivery = ScoreDelivery.objects.get()
    assert (delivery.state, delivery.submission_id) == ("delivered", submission.pk)
    return score


def env_for(queue: str, suites: Path, **extra: str | None) -> dict[str, str]:
    return worker_env(
        DATABASE_URL=database_url(),
        CONVLAB_QUEUE=queue,
        CONVLAB_SWEEP_QUEUE=f"{queue}-sweep",
        CONVLAB_SUITES_DIR=str(suites),
        CONVLAB_SWEEP_EVERY="1",
        **extra,
    )


def worker(
    env: dict[str, str], log: Path, queues: str, processes: list, beat: bool = False
) -> subprocess.Popen[bytes]:
    extra = ("-B", "-s", str(log.with_suffix(".beat"))) if beat else ()
    process = start_worker(env, log, queues, extra=extra)
    processes.append(process)
    wait_until_ready(process, log)
    return process


def beat_runs(log: Path) -> int:
    """How many runs of the periodic deliverer the worker's log shows as finished."""
    return len(re.findall(r"Task lti\.deliver_scores\[[^\]]+\] succeeded", log.read_text()))


def test_a_launched_student_s_grading_reaches_the_lms_gradebook_once(
    lti_platform, course, warmup, queue, suites, tmp_path, processes
):
    link = linked_lab(lti_platform, course, warmup)
    env = env_for(queue, suites)
    log = tmp_path / "worker.log"
    worker(env, log, f"{queue},{queue}-sweep", processes)
    submission = launch_and_submit(lti_platform, warmup)
    wait_final(submission.pk, timeout=180)
    wait_for("the score at the platform", lambda: lti_platform.scores, log=log)
    score = assert_exactly_one_score(lti_platform, submission)
    link.refresh_from_db()
    assert score.lineitem == link.lineitem_url
    # The periodic deliverer finds nothing more to send.
    assert ags.scores_deliver_due() == {}
    assert len(lti_platform.scores_received) == 1


def test_a_worker_killed_before_delivery_still_delivers_once(
    lti_platform, course, warmup, queue, suites, tmp_path, processes
):
    linked_lab(lti_platform, course, warmup)
    # The nudge after the grading goes where no worker reads until the second one starts.
    stalled = f"{queue}-stalled"
    env = env_for(queue, suites, LTI_SCORE_QUEUE=stalled)
    first_log = tmp_path / "first.log"
    first = worker(env, first_log, f"{queue},{queue}-sweep", processes)
    submission = launch_and_submit(lti_platform, warmup)
    wait_final(submission.pk, timeout=180)
    delivery = ScoreDelivery.objects.get()
    assert delivery.state == "pending"
    first.kill()  # SIGKILL: no goodbye
    first.wait()
    assert lti_platform.scores_received == []
    # A new worker: the stale nudge and the periodic deliverer both try; one score arrives.
    second_log = tmp_path / "second.log"
    worker(env, second_log, f"{queue},{queue}-sweep,{stalled}", processes, beat=True)
    wait_for("the score at the platform", lambda: lti_platform.scores, log=second_log)
    wait_for(
        "the stale nudge handled",
        lambda: re.search(r"Task lti\.deliver_score\[[^\]]+\] succeeded", second_log.read_text()),
        log=second_log,
    )
    seen = beat_runs(second_log)
    wait_for("two more deliverer runs", lambda: beat_runs(second_log) >= seen + 2, log=second_log)
    assert_exactly_one_score(lti_platform, submission)
    assert len(lti_platform.scores_received) == 1


def test_redis_lost_before_delivery_still_delivers_once(
    lti_platform, course, warmup, queue, suites, tmp_path, processes, redis_server
):
    linked_lab(lti_platform, course, warmup)
    stalled = f"{queue}-stalled"
    env = env_for(
        queue, suites, REDIS_URL=redis_server.url, CELERY_BROKER_URL=None, LTI_SCORE_QUEUE=stalled
    )
    first_log = tmp_path / "first.log"
    first = worker(env, first_log, f"{queue},{queue}-sweep", processes)
    launch_student(lti_platform, warmup)
    # The submission is queued on the test's own Redis, the worker's broker: submitted through
    # the service in a process whose broker that is.
    student = Identity.objects.get(sub="sub-ada").user
    [submission_id] = create_in_subprocess(env, warmup, student, 1)
    submission = wait_final(submission_id, timeout=180)
    assert ScoreDelivery.objects.get().state == "pending"
    # Redis dies with the nudge in it (no persistence), and the worker with it.
    redis_server.stop()
    first.kill()
    first.wait()
    redis_server.start()
    assert lti_platform.scores_received == []
    second_log = tmp_path / "second.log"
    worker(env, second_log, f"{queue},{queue}-sweep,{stalled}", processes, beat=True)
    wait_for("the score at the platform", lambda: lti_platform.scores, log=second_log)
    seen = beat_runs(second_log)
    wait_for("two more deliverer runs", lambda: beat_runs(second_log) >= seen + 2, log=second_log)
    assert_exactly_one_score(lti_platform, submission)
    assert len(lti_platform.scores_received) == 1
