"""End-to-end journeys through the real pages, each person in their own browser context.

axe-core runs on every page a journey lands on: each `Person` records the pages its tab
navigates to and, when it is closed, fails if any of them was not checked.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.template.defaultfilters import floatformat
from django.utils import timezone

from convlab import selectors as convlab_selectors
from convlab import services as convlab_services
from convlab.models import GradingRun, Submission
from convlab.suites import transposed_convolutions as suite
from courses.models import Membership
from demo.seed import DEMO_PASSWORD, seed_demo
from gradebook.models import PresentationGrade
from presentations.models import PresentationSchedule, PresenterGroup
from reviews import services as review_services
from reviews.models import Paper, ReviewRating
from tests.browser.axe import assert_accessible
from tests.browser.screenshots import save_screenshots
from tests.convlab.grading.test_transposed_convolutions import BUGS
from tests.convlab.service.conftest import REFERENCE, wait_final

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OVERLAP_BUG = REFERENCE + BUGS[suite.OVERLAP][1].encode()
VAGUE = "The experiments could have been done better."
SPECIFIC = "Table 2 lacks a comparison with the bilinear-upsampling baseline of Section 4."


class Person:
    """A signed-in user's browser tab that runs axe-core on the pages it lands on.

    Every page load counts, a form posted back to the same URL included: `close()` names the
    loads that no `check()` followed.
    """

    def __init__(self, browser: Any, base: str, journey: str = "") -> None:
        self.base = base
        # The journey's name: each checked page is also saved as screenshots at 1280 and 375 px
        # (tests/browser/screenshots.py); none when empty.
        self.journey = journey
        self.context = browser.new_context(viewport={"width": 1024, "height": 768})
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.landed: list[str] = []  # every page load of the tab, in order
        self.checked: set[int] = set()  # indexes into `landed` that axe-core checked
        self.page.on("framenavigated", self._landed)

    def _landed(self, frame: Any) -> None:
        if frame == self.page.main_frame and frame.url != "about:blank":
            self.landed.append(frame.url)

    def check(self) -> None:
        """axe-core on the page as it is now (also after htmx changed part of it)."""
        self.page.wait_for_load_state()
        self.checked.add(len(self.landed) - 1)  # counted even when the check fails the test
        assert_accessible(self.page)
        if self.journey:
            path = self.page.url.removeprefix(self.base)
            save_screenshots(self.page, f"{self.journey}-{len(self.checked):02d}-{path}")

    def go(self, path: str) -> None:
        self.page.goto(self.base + path)
        self.check()

    def follow(self, link: str, url: str) -> None:
        """Click a link by its accessible name, wait for the page, check it."""
        self.page.get_by_role("link", name=link, exact=True).click()
        self.page.wait_for_url(url)
        self.check()

    def log_in(self, username: str) -> None:
        self.go("/accounts/login/")
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill(DEMO_PASSWORD)
        self.page.get_by_role("button", name="Log in").click()
        self.page.wait_for_url("**/courses/*/")
        self.check()

    def close(self) -> list[str]:
        """Close the tab; the pages it landed on that axe-core never checked."""
        self.context.close()
        return [url for i, url in enumerate(self.landed) if i not in self.checked]


@pytest.fixture
def person(
    browser: Any, live_server: Any, request: pytest.FixtureRequest
) -> Iterator[Callable[[str], Person]]:
    """`person("student1")`: a new tab, signed in as that demo account, whose checked pages are
    saved as screenshots named after the test and the account."""
    people: list[Person] = []
    journey = request.node.name.removeprefix("test_")[:60]

    def sign_in(username: str) -> Person:
        someone = Person(browser, live_server.url, f"{journey}-{username}")
        people.append(someone)
        someone.log_in(username)
        return someone

    yield sign_in
    unchecked = [url for someone in people for url in someone.close()]
    assert unchecked == [], "pages a journey visited without an axe-core check"


def test_it_notices_a_page_a_journey_did_not_check(browser: Any, live_server: Any) -> None:
    someone = Person(browser, live_server.url)
    someone.go("/accounts/login/")
    someone.page.get_by_label("Username").fill("nobody")
    someone.page.get_by_label("Password").fill("wrong")
    someone.page.get_by_role("button", name="Log in").click()
    someone.page.get_by_role("alert").wait_for()  # the same URL, but a new page: not checked
    someone.page.goto(f"{live_server.url}/healthz")
    login = f"{live_server.url}/accounts/login/"
    assert someone.close() == [login, f"{live_server.url}/healthz"]


def test_an_instructor_sets_the_calendar_then_schedules_and_publishes_presenters(
    person: Callable[[str], Person],
) -> None:
    course = seed_demo().course
    ines = person("instructor")
    page = ines.page
    ines.follow("Calendar", "**/calendar/")

    # A slip first: 11/22 is a Wednesday. The form says so and keeps what was typed.
    page.get_by_label("Date", exact=True).fill("2017-11-22")
    page.get_by_label("What happens").select_option("no_class")
    page.get_by_label("Why there is no class").select_option("cancelled")
    page.get_by_label("Title", exact=True).fill("Instructor travel")
    page.get_by_role("button", name="Add to the calendar").click()
    page.get_by_role("alert").filter(has_text="is a Wed").wait_for()
    ines.check()
    assert page.get_by_label("Title", exact=True).input_value() == "Instructor travel"

    # The class of 10/12, which most groups asked for, is cancelled.
    page.get_by_label("Date", exact=True).fill("2017-10-12")
    page.get_by_role("button", name="Add to the calendar").click()
    page.get_by_text("Thu, Oct 12 is now: No class — Instructor travel.").wait_for()
    ines.check()
    assert "No class — Instructor travel" in page.locator('tr[data-date="2017-10-12"]').inner_text()

    ines.follow(course.code, f"**/courses/{course.pk}/")  # the breadcrumb
    ines.follow("Presentations", "**/presentations/")
    ines.follow("Scheduling", "**/presentations/manage/")
    page.get_by_role("button", name="Generate an optimal draft").click()
    page.get_by_text("Draft v1 is ready").wait_for()
    ines.check()
    draft_dates = page.locator('select[id^="place-"]').evaluate_all("els => els.map(e => e.value)")
    assert len(draft_dates) == PresenterGroup.objects.filter(course=course).count() == 6
    assert "2017-10-12" not in draft_dates
    page.get_by_label("I understand that publishing moves every group").check()
    page.get_by_role("button", name="Publish draft v1").click()
    page.get_by_text("Schedule v1 is published.").wait_for()
    ines.check()

    ada = person("student1")
    ada.follow("Presentations", "**/presentations/")
    assert (
        "No class — Instructor travel"
        in ada.page.locator('tr[data-date="2017-10-12"]').inner_text()
    )
    assert "your group" in ada.page.locator("li.own").inner_text()
    ada.follow("Your group, preferences, slides and swaps", "**/presentations/group/")
    slot = ada.page.locator("#your-slot time").get_attribute("datetime")
    published = PresentationSchedule.objects.get(course=course, status="published")
    mine = published.slots.get(group__name="Visualizations")
    assert slot == mine.date.isoformat() != "2017-10-12"


def test_a_student_writes_a_review_with_guidance_then_reads_the_others_after_the_deadline(
    person: Callable[[str], Person],
) -> None:
    course = seed_demo().course
    paper = review_services.paper_create(
        course=course,
        session_date=dt.date(2017, 10, 17),
        title="Deconvolution and Checkerboard Artifacts",
        authors="Odena, Dumoulin, Olah",
        review_deadline=timezone.now() + dt.timedelta(days=1),
    )
    for username in ("student2", "student3"):
        review_services.review_create(
            paper=paper,
            author=course.memberships.get(user__username=username).user,
            summary="Uneven overlap of transposed convolutions draws checkerboards.",
            strengths="Figure 3 shows the overlap pattern for kernel 3, stride 2.",
            weaknesses="Section 3 compares resize-convolution only on one GAN.",
            rating=4,
            confidence=3,
        )

    ada = person("student1")
    page = ada.page
    ada.follow("Papers", "**/papers/")
    page.get_by_role("link", name="Write").click()
    page.wait_for_url("**/review/")
    ada.check()
    page.get_by_label("Summary").fill(
        "Transposed convolutions with uneven overlap make checkerboards."
    )
    page.get_by_label("Strengths").fill("Figure 2 makes the overlap visible at every stride.")
    weaknesses = page.get_by_label("Weaknesses")
    weaknesses.press_sequentially(VAGUE, delay=5)
    mark = page.locator("#guidance mark.finding-vague_negative")
    mark.wait_for(state="visible")
    assert "Common Problem #1: Vague negatives" in page.locator("#guidance").inner_text()
    ada.check()  # the guidance panel as htmx filled it in
    weaknesses.fill("")
    weaknesses.press_sequentially(SPECIFIC, delay=5)
    mark.wait_for(state="detached")
    page.get_by_label("Overall rating (1–5)").select_option("4")
    page.get_by_label("Confidence (1–5)").select_option("3")
    page.get_by_role("button", name="Submit review").click()
    page.wait_for_url(f"**/papers/{paper.pk}/")
    ada.check()
    assert page.get_by_role("heading", name="Reviews (1)").is_visible()
    assert page.get_by_text("Reviews become public at the deadline.").is_visible()

    # The deadline passes (the live server runs in this process, on the same database).
    review_services.paper_update(
        paper=Paper.objects.get(pk=paper.pk),
        review_deadline=timezone.now() - dt.timedelta(minutes=1),
    )
    page.reload()
    ada.check()
    assert page.get_by_role("heading", name="Reviews (3)").is_visible()
    turing = page.locator("article.review", has=page.get_by_role("heading", name="Alan Turing"))
    assert "Section 3 compares resize-convolution only on one GAN." in turing.inner_text()
    turing.get_by_label("Helpful", exact=True).check()
    turing.get_by_role("button", name="Save rating").click()
    turing.get_by_role("status").filter(has_text="Thanks: your rating is saved.").wait_for()
    ada.check()
    rating = ReviewRating.objects.get()
    assert (rating.rater.username, rating.review.author.username, rating.helpful) == (
        "student1",
        "student2",
        True,
    )


@pytest.mark.worker
def test_a_student_submits_code_and_reads_the_feedback(
    person: Callable[[str], Person], grading_worker: Any, tmp_path: Path
) -> None:
    seed_demo()
    solution = tmp_path / "transposed.py"
    solution.write_bytes(OVERLAP_BUG)

    ada = person("student1")
    page = ada.page
    ada.follow("Labs", "**/labs/")
    ada.follow("Lab 2: transposed convolutions", "**/labs/transposed-convolutions/")
    page.get_by_label("Your solution (.py)").set_input_files(str(solution))
    page.get_by_role("button", name="Submit for grading").click()
    page.wait_for_url("**/submissions/*/")
    ada.check()  # while it waits for the worker
    page.locator('#submission-status[data-status="done"]').wait_for(timeout=60_000)
    ada.check()  # the feedback, heatmaps included
    named = page.locator(".check", has_text="overwritten instead of summed")
    assert named.count() >= 1
    assert named.first.locator("img.heatmap").first.evaluate("img => img.naturalWidth") > 0
    score = page.locator("#score").inner_text()
    assert score.startswith("Score: ")
    assert not score.startswith("Score: 100 / 100")


@pytest.mark.worker
def test_staff_regrade_a_submission_from_the_staff_table_and_see_the_new_result(
    person: Callable[[str], Person], grading_worker: Any
) -> None:
    course = seed_demo().course
    student = course.memberships.get(user__username="student1").user
    assignment = convlab_selectors.assignment_get(course=course, slug="transposed-convolutions")
    made = convlab_services.submission_create(
        assignment=assignment, student=student, submitted_by=student, content=OVERLAP_BUG
    )
    first = wait_final(made.submission.pk)

    tara = person("ta")
    page = tara.page
    tara.follow("Labs", "**/labs/")
    tara.follow("Lab 2: transposed convolutions", "**/labs/transposed-convolutions/")
    page.get_by_label("Student", exact=True).fill("student1")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(lambda url: "student=student1" in url)
    tara.check()
    page.get_by_role("button", name="Regrade attempt 1 of student1").click()
    page.wait_for_url(f"**/submissions/{first.pk}/")
    tara.check()
    assert page.get_by_text("Queued for regrading").is_visible()
    page.locator('#submission-status[data-status="done"] tr[data-run="2"]').wait_for(timeout=60_000)
    tara.check()  # the new result with its grading history

    runs = list(GradingRun.objects.filter(submission=first).order_by("number"))
    assert [(r.number, r.status) for r in runs] == [(1, "done"), (2, "done")]
    regraded = Submission.objects.get(pk=first.pk)
    assert regraded.finished_at is not None
    assert first.finished_at is not None
    assert regraded.finished_at > first.finished_at
    history = page.locator("table.runs tbody tr")
    assert history.count() == 2
    assert history.nth(1).locator("td").nth(1).inner_text() == "done"
    new_score = floatformat(regraded.score, "-2")
    assert history.nth(1).locator("td").nth(2).inner_text() == new_score
    assert page.locator("#score").inner_text().startswith(f"Score: {new_score} / ")


def test_an_instructor_imports_a_roster_fixing_a_bad_row_before_applying(
    person: Callable[[str], Person], tmp_path: Path
) -> None:
    course = seed_demo().course
    students = [m.user for m in course.memberships.filter(role="student").select_related("user")]
    header = "First Name,Last Name,SID,Email,Role,Section"
    enrolled = [f"{u.first_name},{u.last_name},,{u.email},Student," for u in students]
    typo = tmp_path / "roster-typo.csv"
    typo.write_text(
        "\n".join([header, *enrolled, "Geoffrey,Hinton,903000123,ghinton3.gatech.edu,Student,A"])
        + "\n",
        encoding="utf-8-sig",  # as Gradescope writes it, with a byte-order mark
    )
    fixed = tmp_path / "roster.csv"
    fixed.write_text(typo.read_text(encoding="utf-8-sig").replace("ghinton3.", "ghinton3@"))

    ines = person("instructor")
    page = ines.page
    ines.follow("Roster", "**/roster/")
    page.get_by_label("Roster export (CSV)").set_input_files(str(typo))
    page.get_by_role("button", name="Preview").click()
    errors = page.locator("#row-errors")
    errors.wait_for()
    ines.check()
    # The bad row is named by its spreadsheet row and column; nothing can be applied yet.
    assert errors.locator("tbody tr").count() == 1
    cells = errors.locator("tbody tr td").all_inner_texts()
    assert cells[:2] == [str(len(students) + 2), "Email"]
    assert "ghinton3.gatech.edu" in cells[2]
    assert page.get_by_role("button", name=re.compile(r"^Apply")).count() == 0

    page.get_by_label("Roster export (CSV)").set_input_files(str(fixed))
    page.get_by_role("button", name="Preview").click()
    page.locator('#roster-plan[data-errors="0"]').wait_for()
    ines.check()
    assert page.get_by_text("New accounts: 1").is_visible()
    assert page.get_by_text(f"Unchanged: {len(students)}").is_visible()
    assert not Membership.objects.filter(course=course, user__email="ghinton3@gatech.edu").exists()

    page.get_by_role("button", name="Apply 1 change").click()
    page.get_by_text("Roster applied: 1 added").wait_for()
    ines.check()
    hinton = Membership.objects.get(course=course, user__email="ghinton3@gatech.edu")
    assert (hinton.role, hinton.is_active, hinton.section) == ("student", True, "A")
    assert Membership.objects.filter(course=course, role="student", is_active=True).count() == (
        len(students) + 1
    )
    invitation = [m for m in mail.outbox if m.to == ["ghinton3@gatech.edu"]]
    assert len(invitation) == 1
    assert "/accounts/set-password/" in invitation[0].body

    # The new student is in the course's gradebook.
    ines.follow(course.code, f"**/courses/{course.pk}/")  # the breadcrumb
    ines.follow("Staff home", "**/staff/")
    ines.follow("Grades and exports", "**/grades/")
    assert page.get_by_role("link", name="Hinton, Geoffrey").is_visible()


@pytest.mark.worker
def test_staff_score_a_presentation_and_export_the_grades_for_canvas(
    person: Callable[[str], Person], grading_worker: Any, tmp_path: Path
) -> None:
    course = seed_demo().course
    users = {m.user.username: m.user for m in course.memberships.select_related("user")}
    now = timezone.now()
    paper = review_services.paper_create(
        course=course,
        session_date=dt.date(2017, 10, 12),
        title="Visualizing and Understanding Convolutional Networks",
        review_deadline=now - dt.timedelta(hours=1),
    )
    for username, written in (("student1", now - dt.timedelta(days=1)), ("student2", now)):
        review_services.review_create(
            paper=paper,
            author=users[username],
            now=written,  # student2's is late
            summary="Deconvnets project activations back to pixel space.",
            strengths="Figure 2 shows which patterns each layer responds to.",
            weaknesses="Section 4 evaluates only on ImageNet; a second dataset would help.",
            rating=4,
            confidence=3,
        )
    assignment = convlab_selectors.assignment_get(course=course, slug="transposed-convolutions")
    made = convlab_services.submission_create(
        assignment=assignment,
        student=users["student1"],
        submitted_by=users["student1"],
        content=OVERLAP_BUG,
    )
    graded = wait_final(made.submission.pk)
    assert graded.score is not None

    tara = person("ta")
    page = tara.page
    tara.follow("Staff home", "**/staff/")
    tara.follow("Grades and exports", "**/grades/")
    scoring = page.get_by_role("form", name="Score of Visualizations")
    scoring.get_by_label("Score").fill("8.5")
    scoring.get_by_label("Comment").fill("Clear deconvnet walkthrough.")
    scoring.get_by_role("button", name="Save").click()
    page.get_by_text("Visualizations: 8.5 points saved.").wait_for()
    tara.check()

    with page.expect_download() as download:
        page.get_by_role("link", name="Canvas gradebook CSV").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.suffix == ".csv"
    rows = list(csv.reader(saved.read_text(encoding="utf-8").splitlines()))

    header, points, students = rows[0], rows[1], rows[2:]
    assert header[:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    column = {title.split(" (")[0]: i for i, title in enumerate(header)}
    lab, presentation, reviews = (
        column[assignment.title],
        column["Presentation"],
        column["Reviews"],
    )
    assert "Points Possible" in points[0]
    assert float(points[lab]) == graded.max_score  # the suite's points, as the grader gave them
    assert float(points[presentation]) == 10
    assert float(points[reviews]) == 1
    by_login = {row[3]: row for row in students}
    assert set(by_login) == {u for u in users if u.startswith("student")}
    # The numbers are the database's: the graded submission, the score just saved, the
    # reviews (on time: the point; late: half of it; none: zero).
    graded.refresh_from_db()
    grade = PresentationGrade.objects.get(group__name="Visualizations")
    assert (grade.score, grade.comment) == (8.5, "Clear deconvnet walkthrough.")
    assert float(by_login["student1"][lab]) == pytest.approx(graded.score, abs=1e-4)
    assert by_login["student2"][lab] == ""  # no submission: no grade, not a zero
    for member in ("student1", "student2"):  # the Visualizations group
        assert float(by_login[member][presentation]) == grade.score
    assert by_login["student3"][presentation] == ""
    assert float(by_login["student1"][reviews]) == 1
    assert float(by_login["student2"][reviews]) == 0.5
    assert float(by_login["student3"][reviews]) == 0
