"""An instructor lists the papers of a course in the browser, at a desk and on a phone: adds one,
edits it, imports a reading list; then a student sees every paper and none of the controls."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from reviews.models import Paper
from tests.browser.axe import PHONE_WIDTH
from tests.browser.pages import check, log_in
from tests.factories import make_course, make_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

READING_LIST = (
    "date,title,authors,url,reviews_due\n"
    "2017-10-17,Fully Convolutional Networks for Semantic Segmentation,"
    '"Long, Shelhamer, Darrell",https://arxiv.org/abs/1411.4038,\n'
    '2017-10-19,Network in Network,"Lin, Chen, Yan",https://arxiv.org/abs/1312.4400,'
    "2017-10-18 12:00\n"
)


@pytest.mark.parametrize("width", [1280, PHONE_WIDTH])
def test_an_instructor_lists_papers_and_a_student_sees_them(
    browser: Any, live_server: Any, tmp_path: Path, width: int
) -> None:
    course = make_course()
    make_member(course, "ines", "instructor")
    make_member(course, "alice", "student")
    reading = tmp_path / "reading_list.csv"
    reading.write_text(READING_LIST, encoding="utf-8")
    viewport = {"width": width, "height": 800}
    papers = f"{live_server.url}/courses/{course.pk}/papers/"
    problems: list[str] = []

    page = browser.new_context(viewport=viewport).new_page()
    page.set_default_timeout(15_000)
    log_in(page, live_server.url, "ines")
    page.goto(papers)
    check(page, problems)

    page.get_by_role("link", name="Add paper").click()
    page.wait_for_url("**/papers/add/")
    check(page, problems)
    page.get_by_label("Class day").select_option("2017-10-12")
    page.get_by_label("Title").fill("Deconvolution and Checkerboard")
    page.get_by_label("Authors").fill("Odena, Dumoulin, Olah")
    page.get_by_label("Link").fill("https://distill.pub/2016/deconv-checkerboard/")
    page.get_by_role("button", name="Add paper").click()
    page.wait_for_url(papers)
    page.get_by_text("“Deconvolution and Checkerboard” is added.").wait_for()

    page.get_by_role("link", name="Edit Deconvolution and Checkerboard").click()
    page.wait_for_url("**/edit/")
    check(page, problems)
    page.get_by_label("Title").fill("Deconvolution and Checkerboard Artifacts")
    page.get_by_label("Reviews due").fill("2017-10-11T12:00")
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_url(papers)
    page.get_by_text("“Deconvolution and Checkerboard Artifacts” is saved.").wait_for()

    page.get_by_role("link", name="Import reading list").click()
    page.wait_for_url("**/papers/import/")
    check(page, problems)
    page.get_by_label("Reading list (CSV)").set_input_files(str(reading))
    page.get_by_role("button", name="Import").click()
    page.wait_for_url(papers)
    page.get_by_text("2 papers imported.").wait_for()
    check(page, problems)
    assert Paper.objects.filter(course=course).count() == 3
    page.context.close()

    page = browser.new_context(viewport=viewport).new_page()
    page.set_default_timeout(15_000)
    log_in(page, live_server.url, "alice")
    page.goto(papers)
    for title in (
        "Deconvolution and Checkerboard Artifacts",
        "Fully Convolutional Networks for Semantic Segmentation",
        "Network in Network",
    ):
        assert page.get_by_role("link", name=title).is_visible()
    for control in ("Add paper", "Import reading list", "Edit", "Remove"):
        assert page.get_by_role("link", name=control).count() == 0
    check(page, problems)
    page.context.close()

    assert not problems, "\n".join(problems)
