"""Each role's whole job in the pages only (issue #16, acceptance line 1), one journey per role
(the instructor's is test_course_from_empty.py): the demo course of the current term, as
`make run` seeds it, is the starting point; the accounts of the journey are added to it, and
from then on nothing is done but through the pages — no API, no admin, no model shortcut.
Every page is checked with axe-core and saved as screenshots at 1280 and 375 px
(test_journeys.Person)."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from convlab.models import GradingRun, Submission
from courses.models import Course, Membership
from demo.seed import seed_demo
from presentations.models import GroupMember, PresentationSchedule, SwapRequest
from presentations.views import PUBLISH_CONFIRM
from reviews.models import Paper, Review
from tests.browser import test_journeys
from tests.browser.test_course_from_empty import _with_demo_password
from tests.convlab.service.conftest import wait_final
from tests.factories import make_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

person = test_journeys.person
Person = test_journeys.Person
OVERLAP_BUG = test_journeys.OVERLAP_BUG
SPECIFIC = test_journeys.SPECIFIC


def current_course() -> Course:
    course = seed_demo(current_term=True).current
    assert course is not None
    return course


@pytest.mark.worker
def test_a_student_forms_a_group_reviews_a_paper_submits_a_lab_and_requests_a_swap(
    person: Callable[[str], Person], grading_worker: Any, tmp_path: Path
) -> None:
    course = current_course()
    _with_demo_password(make_member(course, "ada", "student"), "Ada", "Lovelace")
    _with_demo_password(make_member(course, "alan", "student"), "Alan", "Turing")
    _with_demo_password(make_member(course, "ines", "instructor"), "Ines", "Montani")
    today = timezone.localdate()
    ahead = Paper.objects.filter(course=course, session_date__gt=today + dt.timedelta(1))
    paper = ahead.order_by("session_date", "title").first()
    assert paper is not None
    solution = tmp_path / "transposed.py"
    solution.write_bytes(OVERLAP_BUG)

    # Ada starts a group and invites Alan from the picker.
    ada = person("ada")
    page = ada.page
    ada.follow("Presentations", "**/presentations/")
    ada.follow("Your group, preferences, slides and swaps", "**/presentations/group/")
    page.get_by_label("Group name").fill("Attention")
    page.get_by_role("button", name="Start a group").click()
    page.get_by_text("Group Attention started").wait_for()
    ada.check()
    page.get_by_label("Classmate", exact=True).select_option(label="Alan Turing")
    page.get_by_role("button", name="Invite", exact=True).click()
    page.get_by_text("Invitation sent").wait_for()
    ada.check()

    # Alan accepts.
    alan = person("alan")
    alan.follow("Presentations", "**/presentations/")
    alan.page.get_by_role("button", name="Accept the invitation to Attention").click()
    alan.page.get_by_text("You joined Attention").wait_for()
    alan.check()
    assert "Ada Lovelace" in alan.page.locator("#group-members").inner_text()

    # The instructor publishes a schedule that gives the new group a date.
    ines = person("ines")
    ines.follow("Presentations", "**/presentations/")
    ines.follow("Scheduling", "**/presentations/manage/")
    ines.page.get_by_role("button", name="Generate a draft that keeps the published dates").click()
    ines.page.get_by_text("Draft v2 is ready").wait_for()
    ines.check()
    ines.follow("Review who moves, then publish draft v2", "**/publish/review/")
    ines.page.get_by_label(PUBLISH_CONFIRM).check()
    ines.page.get_by_role("button", name="Publish draft v2").click()
    ines.page.get_by_text("Schedule v2 is published.").wait_for()
    ines.check()

    # Ada reviews the next paper.
    ada.follow("Papers", "**/papers/")
    page.locator("tr", has_text=paper.title).get_by_role("link", name="Write").click()
    page.wait_for_url("**/review/")
    ada.check()
    page.get_by_label("Summary").fill("Attention maps show where the network looks.")
    page.get_by_label("Strengths").fill("Figure 2 compares the maps at every layer.")
    page.get_by_label("Weaknesses").fill(SPECIFIC)
    page.get_by_label("Overall rating (1–5)").select_option("4")
    page.get_by_label("Confidence (1–5)").select_option("3")
    page.get_by_role("button", name="Submit review").click()
    page.wait_for_url(f"**/papers/{paper.pk}/")
    ada.check()

    # Ada submits the lab and reads the feedback.
    ada.follow("Labs", "**/labs/")
    ada.follow("Lab 2: transposed convolutions", "**/labs/transposed-convolutions/")
    page.get_by_label("Your solution (.py)").set_input_files(str(solution))
    page.get_by_role("button", name="Submit for grading").click()
    page.wait_for_url("**/submissions/*/")
    ada.check()
    page.locator('#submission-status[data-status="done"]').wait_for(timeout=90_000)
    ada.check()
    assert page.locator(".check", has_text="overwritten instead of summed").count() >= 1
    assert not page.locator("#score").inner_text().startswith("Score: 100 / 100")

    # Ada asks another group to trade dates.
    ada.follow("Presentations", "**/presentations/")
    ada.follow("Your group, preferences, slides and swaps", "**/presentations/group/")
    mine = page.locator("#your-slot time").get_attribute("datetime")
    trade = page.get_by_label("Ask a group to trade dates with you")
    other = trade.locator("option").first.inner_text().split(" — ")[0]
    trade.select_option(index=0)
    page.get_by_role("button", name="Request swap").click()
    page.get_by_text(f"Swap requested: {other} must accept").wait_for()
    ada.check()

    # What the pages did, in the database.
    members = GroupMember.objects.filter(group__course=course, group__name="Attention")
    assert sorted(m.user.username for m in members) == ["ada", "alan"]
    schedule = PresentationSchedule.objects.get(course=course, status="published")
    assert schedule.slots.get(group__name="Attention").date.isoformat() == mine
    review = Review.objects.get(paper=paper, author__username="ada")
    assert review.weaknesses == SPECIFIC
    submission = Submission.objects.get(assignment__course=course, student__username="ada")
    assert submission.status == "done"
    assert submission.score is not None
    assert submission.max_score is not None
    assert submission.score < submission.max_score
    swap = SwapRequest.objects.get(course=course, from_group__name="Attention")
    assert (swap.to_group.name, swap.status) == (other, "requested")


@pytest.mark.worker
def test_a_ta_imports_a_roster_regrades_a_submission_and_exports_the_grades(
    person: Callable[[str], Person], grading_worker: Any, tmp_path: Path
) -> None:
    course = current_course()
    _with_demo_password(make_member(course, "tom", "ta"), "Tom", "Mitchell")
    for submission in Submission.objects.filter(assignment__course=course):
        wait_final(submission.pk)  # the seed's submissions, graded by the worker
    first = Submission.objects.get(assignment__course=course, student__username="student2")
    students = [m.user for m in course.memberships.filter(role="student").select_related("user")]
    header = "First Name,Last Name,SID,Email,Role,Section"
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "\n".join(
            [
                header,
                *(f"{u.first_name},{u.last_name},,{u.email},Student," for u in students),
                "Geoffrey,Hinton,903000123,ghinton3@gatech.edu,Student,A",
            ]
        )
        + "\n",
        encoding="utf-8-sig",
    )

    # The roster: a new student, previewed, then applied.
    tom = person("tom")
    page = tom.page
    tom.follow("Roster", "**/roster/")
    page.get_by_label("Roster export (CSV)").set_input_files(str(roster))
    page.get_by_role("button", name="Preview").click()
    page.locator('#roster-plan[data-errors="0"]').wait_for()
    tom.check()
    assert page.get_by_text("New accounts: 1").is_visible()
    page.get_by_role("button", name="Apply 1 change").click()
    page.get_by_text("Roster applied: 1 added").wait_for()
    tom.check()

    # A regrade from the lab's staff table.
    tom.follow("Labs", "**/labs/")
    tom.follow("Lab 2: transposed convolutions", "**/labs/transposed-convolutions/")
    page.get_by_label("Student", exact=True).fill("student2")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(lambda url: "student=student2" in url)
    tom.check()
    page.get_by_role("button", name="Regrade attempt 1 of student2").click()
    page.wait_for_url(f"**/submissions/{first.pk}/")
    tom.check()
    page.locator('#submission-status[data-status="done"] tr[data-run="2"]').wait_for(timeout=90_000)
    tom.check()

    # The grades, exported for Canvas.
    tom.follow("Staff", "**/staff/")
    tom.follow("Grades and exports", "**/grades/")
    assert page.get_by_role("link", name="Hinton, Geoffrey").is_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Canvas gradebook CSV").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    rows = list(csv.reader(saved.read_text(encoding="utf-8").splitlines()))

    hinton = Membership.objects.get(course=course, user__email="ghinton3@gatech.edu")
    assert (hinton.role, hinton.is_active, hinton.section) == ("student", True, "A")
    assert len([m for m in mail.outbox if m.to == ["ghinton3@gatech.edu"]]) == 1
    runs = GradingRun.objects.filter(submission=first).order_by("number")
    assert [(r.number, r.status) for r in runs] == [(1, "done"), (2, "done")]
    regraded = Submission.objects.get(pk=first.pk)
    header_row, students_rows = rows[0], rows[2:]
    lab = next(i for i, title in enumerate(header_row) if title.startswith("Lab 2"))
    by_login = {row[3]: row for row in students_rows}
    assert [row[0] for row in students_rows if "Hinton" in row[0]] == ["Hinton, Geoffrey"]
    assert regraded.score is not None
    assert float(by_login["student2"][lab]) == pytest.approx(regraded.score, abs=1e-4)
