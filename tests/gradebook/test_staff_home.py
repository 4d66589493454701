"""The staff home: today's and the next class, reviews, grading figures, health, changes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from celery import Celery
from pytest_django import Settings

from convlab import services as convlab_services
from convlab.grading import GradingResult
from convlab.models import Assignment, Submission
from courseportal import health
from courses.models import Course
from courses.services import calendar_exception_create
from gradebook import selectors
from gradebook.selectors import ClassOutlook
from presentations.services.groups import group_create
from presentations.services.schedules import schedule_generate, schedule_publish
from reviews.services import paper_create, review_create
from tests.factories import make_member
from tests.gradebook.conftest import at
from tests.reviews.conftest import GOOD_REVIEW
from tests.seed_calendar import SEED_EXCEPTIONS

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(course):
    """The course with the seed lecture's calendar exceptions (fall break on 2017-10-10)."""
    for exception in SEED_EXCEPTIONS:
        calendar_exception_create(
            course=course,
            date=exception.date,
            kind=exception.kind.value,
            title=exception.title,
            reason=exception.reason.value if exception.reason else "",
        )
    return course


@pytest.fixture
def lonely_broker(monkeypatch: pytest.MonkeyPatch, settings: Settings, tmp_path: Path) -> None:
    """A real broker that no worker reads, as the app the health check uses."""
    folder = tmp_path / "messages"
    folder.mkdir()
    lonely = Celery(
        "lonely", broker="filesystem://", backend=f"file://{tmp_path}", set_as_current=False
    )
    lonely.conf.broker_transport_options = {
        "data_folder_in": str(folder),
        "data_folder_out": str(folder),
        "control_folder": str(tmp_path / "control"),
    }
    settings.HEALTHZ_WORKER_TIMEOUT = 1
    monkeypatch.setattr(health, "default_app", lonely)


def outlook_at(course: Course, moment: dt.datetime) -> ClassOutlook:
    return selectors.class_outlook(course=course, now=moment)


def test_on_fall_break_it_says_no_class_and_names_the_next_one(seeded):
    outlook = outlook_at(seeded, at(2017, 10, 10, 12))
    assert outlook.today_text == "No class — Fall break"
    assert outlook.next_text == (
        "Thu, Oct 12, 16:30–17:45: Class — paper reading and student presentations"
    )
    assert outlook.skipped == []


def test_the_day_before_it_lists_the_break_it_skips(seeded):
    outlook = outlook_at(seeded, at(2017, 10, 9, 9))
    assert outlook.today_text == "No class today: the course meets on Tue, Thu."
    assert [(s.date, s.label) for s in outlook.skipped] == [
        (dt.date(2017, 10, 10), "No class — Fall break")
    ]
    assert outlook.next_class is not None
    assert outlook.next_class.date == dt.date(2017, 10, 12)


def test_a_cancelled_class_then_a_guest_lecture(seeded):
    outlook = outlook_at(seeded, at(2017, 10, 2, 9))
    assert [s.label for s in outlook.skipped] == ["No class — Cancelled"]
    assert (
        outlook.next_text == "Thu, Oct 5, 16:30–17:45: Guest lecture — no papers, no presentations"
    )


def test_a_class_day(seeded):
    outlook = outlook_at(seeded, at(2017, 10, 12, 10))
    assert outlook.today_text == (
        "Thu, Oct 12, 16:30–17:45: Class — paper reading and student presentations"
    )
    assert outlook.next_class is not None
    assert outlook.next_class.date == dt.date(2017, 10, 17)


def test_it_uses_the_courses_time_zone_for_today(seeded):
    # 02:00 UTC on Oct 11 is still Oct 10 in New York: fall break.
    outlook = outlook_at(seeded, dt.datetime(2017, 10, 11, 2, 0, tzinfo=dt.UTC))
    assert outlook.today_text == "No class — Fall break"


def test_before_and_after_the_term(seeded):
    before = outlook_at(seeded, at(2017, 8, 1, 9))
    assert before.today_text == "No class today: the term starts on Tue, Aug 22, 2017."
    assert before.next_class is not None
    assert before.next_class.date == dt.date(2017, 8, 22)
    after = outlook_at(seeded, at(2017, 12, 8, 9))
    assert after.today_text == "No class today: the term ended on Thu, Dec 7, 2017."
    assert after.next_class is None
    assert after.next_text == "No next class: the term ended on Thu, Dec 7, 2017."


def _submission(assignment, student, received, time_machine):
    time_machine.move_to(received, tick=False)
    made = convlab_services.submission_create(
        assignment=assignment, student=student, submitted_by=student, content=b"x = 1\n"
    )
    return made.submission


def _graded(assignment, student, received, seconds, time_machine, *, gradable=True):
    """Received at `received`, graded `seconds` later (not gradable when `gradable` is false)."""
    submission = _submission(assignment, student, received, time_machine)
    Submission.objects.filter(pk=submission.pk).update(status="queued")
    convlab_services.submission_claim(submission_id=submission.pk, task_id="t", worker="w")
    time_machine.move_to(received + dt.timedelta(seconds=seconds), tick=False)
    result = GradingResult(
        assignment=assignment.suite,
        gradable=gradable,
        score=50.0 if gradable else None,
        max_score=100.0,
        output="",
        tests=(),
    )
    convlab_services.submission_finish(submission_id=submission.pk, task_id="t", result=result)


@pytest.fixture
def situation(seeded, tara, alice, time_machine):
    """Fall break, 2017-10-10 12:00 New York time, with work in every state."""
    course = seeded
    carol = make_member(course, "carol", "student")
    make_member(course, "erin", "student")
    now = at(2017, 10, 10, 12)
    # Reviews: two deadlines in the next week (Oct 11 and Oct 16), one just outside (Oct 18).
    old = paper_create(course=course, session_date=dt.date(2017, 9, 28), title="Old paper")
    soon = paper_create(course=course, session_date=dt.date(2017, 10, 12), title="Due soon")
    paper_create(course=course, session_date=dt.date(2017, 10, 17), title="Due next week")
    paper_create(course=course, session_date=dt.date(2017, 10, 19), title="Due later")
    review_create(paper=soon, author=alice, now=at(2017, 10, 9, 9), **GOOD_REVIEW)
    review_create(paper=soon, author=carol, now=at(2017, 10, 10, 9), **GOOD_REVIEW)
    review_create(paper=old, author=alice, now=at(2017, 9, 29, 9), **GOOD_REVIEW)  # late
    review_create(paper=old, author=carol, now=at(2017, 10, 9, 9), **GOOD_REVIEW)  # late
    # Convlab, every state.
    lab = Assignment.objects.create(
        course=course,
        slug="lab",
        title="Lab",
        suite="transposed-convolutions",
        opens_at=at(2017, 9, 1),
        due_at=at(2017, 10, 20),
    )
    for minutes, seconds in [(50, 10), (40, 30), (30, 50)]:
        _graded(lab, alice, now - dt.timedelta(minutes=minutes), seconds, time_machine)
    _graded(lab, carol, now - dt.timedelta(minutes=20), 20, time_machine, gradable=False)
    # Finished two hours ago: outside the last hour, not in the median.
    _graded(lab, carol, now - dt.timedelta(hours=2, minutes=10), 500, time_machine)
    _graded(lab, carol, now - dt.timedelta(days=3), 5, time_machine, gradable=False)
    _submission(lab, alice, now - dt.timedelta(minutes=5), time_machine)  # received
    queued = _submission(lab, carol, now - dt.timedelta(minutes=4), time_machine)
    Submission.objects.filter(pk=queued.pk).update(status="queued")
    running = _submission(lab, carol, now - dt.timedelta(minutes=3), time_machine)
    Submission.objects.filter(pk=running.pk).update(status="queued")
    convlab_services.submission_claim(submission_id=running.pk, task_id="r", worker="w")
    # Schedule changes: a draft generated, then published.
    group_create(course=course, name="Visualizations", members=[alice])
    time_machine.move_to(now - dt.timedelta(days=1), tick=False)
    schedule_publish(schedule=schedule_generate(course=course, actor=tara), actor=tara)
    time_machine.move_to(now, tick=False)
    return course


def test_it_counts_the_gradings_and_their_median_latency(situation):
    figures = selectors.grading_figures(course=situation, now=at(2017, 10, 10, 12))
    assert (figures.queued, figures.running) == (2, 1)
    assert (figures.failed_recent, figures.failed_total) == (1, 2)
    # 10, 20 (not gradable, still feedback), 30, 50 seconds: the median is 25.
    assert figures.finished_last_hour == 4
    assert figures.latency_p50 == 25.0


def test_it_counts_reviews_due_soon_and_late(situation):
    figures = selectors.review_figures(course=situation, now=at(2017, 10, 10, 12))
    assert [(d.paper.title, d.submitted, d.students) for d in figures.due_soon] == [
        ("Due soon", 2, 3),
        ("Due next week", 0, 3),
    ]
    assert (figures.late_total, figures.late_recent) == (2, 1)


def test_the_page_shows_the_seeded_figures(client, situation, tara, lonely_broker):
    client.force_login(tara)
    response = client.get(f"/courses/{situation.pk}/staff/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<strong>Today:</strong> No class — Fall break" in html
    assert "Thu, Oct 12, 16:30–17:45: Class — paper reading and student presentations" in html
    assert '<strong data-figure="queued">2</strong>' in html
    assert '<strong data-figure="running">1</strong>' in html
    assert '<strong data-figure="failed">1</strong>' in html
    assert '<strong data-figure="p50">25 s</strong> over 4 grading(s)' in html
    assert "Due soon: due" in html
    assert "2 of 3 reviews in" in html
    assert "Late reviews: 2 this term, 1 in the last week." in html
    assert "Not checked yet" in html
    assert "Draft generated: Draft v1" in html
    assert "Published: Schedule v1 published" in html
    assert html.index("Published: Schedule v1") < html.index("Draft generated: Draft v1")


def test_an_empty_course_says_so(client, seeded, tara, lonely_broker, time_machine):
    time_machine.move_to(at(2017, 10, 10, 12), tick=False)
    client.force_login(tara)
    html = client.get(f"/courses/{seeded.pk}/staff/").content.decode()
    assert "no grading finished in the last hour" in html
    assert "No review deadline in the next week." in html
    assert "No schedule changes yet." in html


def test_it_never_checks_the_workers_itself(client, seeded, tara, lonely_broker, tmp_path):
    # No worker, no report kept yet: the page says so at once and sends no ping.
    client.force_login(tara)
    html = client.get(f"/courses/{seeded.pk}/staff/").content.decode()
    assert "Not checked yet" in html
    assert list((tmp_path / "messages").iterdir()) == []


def test_it_shows_the_report_kept_by_the_last_check(client, seeded, tara, lonely_broker):
    health.health_report_cached()  # what /healthz/ready does for a monitor
    client.force_login(tara)
    html = client.get(f"/courses/{seeded.pk}/staff/").content.decode()
    assert 'Worker: <span class="tag tag-off">down</span> no worker answered within 1 s' in html
    assert 'Database: <span class="tag tag-on">OK</span>' in html
    assert "Not checked yet" not in html


@pytest.mark.worker
def test_it_reports_a_live_worker(client, seeded, tara, live_worker):
    # Wait until the freshly started worker answers at all; then keep a report, as a check by
    # a monitor does: the page shows it.
    assert health.health_report(timeout=60)["checks"]["worker"]["ok"]
    assert health.health_report_cached()["checks"]["worker"]["ok"]
    client.force_login(tara)
    html = client.get(f"/courses/{seeded.pk}/staff/").content.decode()
    assert 'Worker: <span class="tag tag-on">OK</span>' in html


def test_the_course_page_links_staff_to_it(client, seeded, tara, alice):
    client.force_login(tara)
    assert f"/courses/{seeded.pk}/staff/" in client.get(f"/courses/{seeded.pk}/").content.decode()
    client.force_login(alice)
    page = client.get(f"/courses/{seeded.pk}/").content.decode()
    assert f"/courses/{seeded.pk}/staff/" not in page
    assert f"/courses/{seeded.pk}/grades/mine/" in page


def test_only_staff_see_it(client, seeded, alice, bob):
    url = f"/courses/{seeded.pk}/staff/"
    assert client.get(url).status_code == 302
    robot = make_member(seeded, "robot", "autograder")
    for user, expected in [(alice, 403), (robot, 403), (bob, 404)]:
        client.force_login(user)
        assert client.get(url).status_code == expected


def test_user_text_is_escaped(client, seeded, tara, lonely_broker, time_machine):
    time_machine.move_to(at(2017, 10, 10, 12), tick=False)
    paper_create(course=seeded, session_date=dt.date(2017, 10, 12), title="<script>x</script>")
    client.force_login(tara)
    html = client.get(f"/courses/{seeded.pk}/staff/").content.decode()
    assert "<script>x</script>" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html


def test_a_regrade_counts_from_when_it_was_queued_again_not_from_the_upload(
    seeded, alice, time_machine
):
    course = seeded
    lab = Assignment.objects.create(
        course=course,
        slug="regraded",
        title="Regraded",
        suite="transposed-convolutions",
        opens_at=at(2017, 9, 1),
        due_at=at(2017, 10, 20),
    )
    now = at(2017, 10, 10, 12)
    # Uploaded three days ago and graded in 5 s; regraded a minute ago in 2 s.
    _graded(lab, alice, now - dt.timedelta(days=3), 5, time_machine)
    submission = Submission.objects.get(assignment=lab, student=alice)
    time_machine.move_to(now - dt.timedelta(minutes=1), tick=False)
    convlab_services.submission_regrade(submission=submission)
    Submission.objects.filter(pk=submission.pk).update(
        status="queued", queued_at=now - dt.timedelta(minutes=1)
    )
    convlab_services.submission_claim(submission_id=submission.pk, task_id="t2", worker="w")
    time_machine.move_to(now - dt.timedelta(minutes=1) + dt.timedelta(seconds=2), tick=False)
    result = GradingResult(
        assignment=lab.suite, gradable=True, score=50.0, max_score=100.0, output="", tests=()
    )
    convlab_services.submission_finish(submission_id=submission.pk, task_id="t2", result=result)
    figures = selectors.grading_figures(course=course, now=now)
    assert figures.finished_last_hour == 1
    assert figures.latency_p50 == 2.0
