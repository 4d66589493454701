"""Staff pages for papers: add, edit, remove, import a reading list, release the reviews."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from courses.models import Course
from reviews import reading_list
from reviews.models import Paper
from tests.reviews.conftest import write_review

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")
PAPER = {
    "session_date": "2017-10-12",
    "title": "Deconvolution and Checkerboard Artifacts",
    "authors": "Odena, Dumoulin, Olah",
    "link": "https://distill.pub/2016/deconv-checkerboard/",
    "review_deadline": "",
}
READING_LIST = (
    "date,title,authors,url,reviews_due\n"
    '2017-10-12,Deconvolution and Checkerboard Artifacts,"Odena, Dumoulin, Olah",'
    "https://distill.pub/2016/deconv-checkerboard/,\n"
    "2017-10-17,Fully Convolutional Networks,,https://arxiv.org/abs/1411.4038,2017-10-16 12:00\n"
)


def csv_file(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("reading.csv", text.encode(), "text/csv")


def url(course: Course, *parts: object) -> str:
    return "/".join([f"/courses/{course.pk}/papers", *map(str, parts)]) + "/"


# --- adding ---------------------------------------------------------------------------------


def test_it_adds_a_paper_with_the_default_deadline(client, tara, course):
    client.force_login(tara)
    response = client.post(url(course, "add"), PAPER)
    assert response.status_code == 302
    paper = Paper.objects.get()
    assert (paper.title, paper.authors, paper.link) == (
        PAPER["title"], PAPER["authors"], PAPER["link"]
    )  # fmt: skip
    assert paper.review_deadline == dt.datetime(2017, 10, 11, 23, 59, tzinfo=NEW_YORK)
    page = client.get(url(course)).text
    assert "is added" in page
    assert PAPER["title"] in page


def test_it_reads_the_review_deadline_in_the_course_time_zone(client, ines, course):
    client.force_login(ines)
    client.post(url(course, "add"), {**PAPER, "review_deadline": "2017-10-11T12:30"})
    paper = Paper.objects.get()
    assert paper.review_deadline == dt.datetime(2017, 10, 11, 12, 30, tzinfo=NEW_YORK)


def test_it_offers_only_class_days_with_papers(client, tara, course):
    client.force_login(tara)
    page = client.get(url(course, "add")).text
    assert 'value="2017-10-12"' in page  # a Thursday
    assert 'value="2017-10-14"' not in page  # a Saturday


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "", "Title: This field is required."),
        ("title", "x" * 301, "Title: Ensure this value has at most 300 characters"),
        ("session_date", "2017-10-14", "Class day: Select a valid choice."),
        ("session_date", "", "Class day: This field is required."),
        ("link", "not a link", "Link: Enter a valid URL."),
        ("review_deadline", "tomorrow", "Reviews due: Enter a valid date/time."),
        ("review_deadline", "1900-01-01T10:00", "Reviews due: choose a date between 2000 and"),
    ],
)
def test_it_names_the_field_of_a_bad_input_and_adds_nothing(
    client, tara, course, field, value, message
):
    client.force_login(tara)
    response = client.post(url(course, "add"), {**PAPER, field: value})
    assert response.status_code == 400
    assert message in response.text
    assert not Paper.objects.exists()


# --- editing and releasing --------------------------------------------------------------------


def test_it_edits_a_paper(client, tara, open_paper):
    client.force_login(tara)
    course = open_paper.course
    page = client.get(url(course, open_paper.pk, "edit")).text
    assert "Deconvolution and Checkerboard Artifacts" in page
    response = client.post(
        url(course, open_paper.pk, "edit"),
        {**PAPER, "title": "Checkerboard Artifacts", "review_deadline": "2017-10-10T18:00"},
    )
    assert response.status_code == 302
    open_paper.refresh_from_db()
    assert open_paper.title == "Checkerboard Artifacts"
    assert open_paper.review_deadline == dt.datetime(2017, 10, 10, 18, 0, tzinfo=NEW_YORK)


def test_it_moves_the_default_deadline_with_the_class_day(client, tara, open_paper):
    client.force_login(tara)
    course = open_paper.course
    form = client.get(url(course, open_paper.pk, "edit")).context["form"]
    shown = form["review_deadline"].value().strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        url(course, open_paper.pk, "edit"),
        {**PAPER, "session_date": "2017-10-17", "review_deadline": shown},
    )
    assert response.status_code == 302
    open_paper.refresh_from_db()
    assert open_paper.review_deadline == dt.datetime(2017, 10, 16, 23, 59, tzinfo=NEW_YORK)


def test_it_names_the_field_of_a_bad_edit_and_keeps_the_paper(client, tara, open_paper):
    client.force_login(tara)
    response = client.post(url(open_paper.course, open_paper.pk, "edit"), {**PAPER, "title": ""})
    assert response.status_code == 400
    assert "Title: This field is required." in response.text
    open_paper.refresh_from_db()
    assert open_paper.title == "Deconvolution and Checkerboard Artifacts"


def test_it_releases_the_reviews_of_a_paper_now(client, tara, alice, carol, open_paper):
    write_review(open_paper, carol)
    client.force_login(tara)
    response = client.post(url(open_paper.course, open_paper.pk, "release"))
    assert response.status_code == 302
    open_paper.refresh_from_db()
    assert open_paper.review_deadline <= timezone.now()
    client.force_login(alice)
    page = client.get(url(open_paper.course, open_paper.pk)).text
    assert "Figure 3 shows clearly" in page  # carol's review, public now


def test_it_refuses_to_release_reviews_already_public(client, tara, released_paper):
    client.force_login(tara)
    deadline = released_paper.review_deadline
    client.post(url(released_paper.course, released_paper.pk, "release"))
    page = client.get(url(released_paper.course)).text
    assert "already public" in page
    released_paper.refresh_from_db()
    assert released_paper.review_deadline == deadline


# --- removing ---------------------------------------------------------------------------------


def test_it_asks_before_removing_and_then_removes(client, ines, open_paper):
    client.force_login(ines)
    page = client.get(url(open_paper.course, open_paper.pk, "remove"))
    assert page.status_code == 200
    assert "cannot be undone" in page.text
    assert Paper.objects.exists()
    response = client.post(url(open_paper.course, open_paper.pk, "remove"))
    assert response.status_code == 302
    assert not Paper.objects.exists()


def test_it_refuses_to_remove_a_paper_with_reviews(client, tara, alice, open_paper):
    write_review(open_paper, alice)
    client.force_login(tara)
    page = client.get(url(open_paper.course, open_paper.pk, "remove")).text
    assert "cannot be removed" in page
    assert "Remove paper</button>" not in page
    response = client.post(url(open_paper.course, open_paper.pk, "remove"))
    assert response.status_code == 400
    assert "students&#x27; work is never deleted" in response.text
    assert Paper.objects.filter(pk=open_paper.pk).exists()


# --- importing a reading list -----------------------------------------------------------------


def test_it_imports_a_reading_list(client, tara, course):
    client.force_login(tara)
    response = client.post(url(course, "import"), {"file": csv_file(READING_LIST)})
    assert response.status_code == 302
    first, second = Paper.objects.order_by("session_date")
    assert first.authors == "Odena, Dumoulin, Olah"
    assert first.review_deadline == dt.datetime(2017, 10, 11, 23, 59, tzinfo=NEW_YORK)
    assert second.link == "https://arxiv.org/abs/1411.4038"
    assert second.review_deadline == dt.datetime(2017, 10, 16, 12, 0, tzinfo=NEW_YORK)
    assert "2 papers imported" in client.get(url(course)).text


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("date,title\n2017-10-12,Good\n2017-13-01,Bad month\n", "Row 3, column “date”"),
        ("date,title\n2017-10-12,\n", "Row 2, column “title”: this cell is required"),
        ("date,title,url\n2017-10-12,A,ftp://x\n", "Row 2, column “url”"),
        ("date,title,reviews_due\n2017-10-12,A,soon\n", "Row 2, column “reviews_due”"),
        ("date,name\n2017-10-12,A\n", "Row 1, column “name”: unknown column"),
        ("title\nA\n", "Row 1, column “date”: this column is required"),
        ("date,title\n", "the file has no papers"),
        ("", "The submitted file is empty."),
    ],
)
def test_it_names_the_row_and_column_of_a_bad_reading_list(client, tara, course, content, problem):
    client.force_login(tara)
    response = client.post(url(course, "import"), {"file": csv_file(content)})
    assert response.status_code == 400
    assert problem in response.text
    assert not Paper.objects.exists()


def test_it_imports_nothing_when_a_later_row_is_not_a_class_day(client, tara, course):
    """The first row is good and is created before the second is refused: it is rolled back."""
    client.force_login(tara)
    content = "date,title\n2017-10-12,Good paper\n2017-10-14,On a Saturday\n"
    response = client.post(url(course, "import"), {"file": csv_file(content)})
    assert response.status_code == 400
    assert "Row 3, column “date”: 2017-10-14 is not a class day of the course" in response.text
    assert not Paper.objects.exists()


def test_it_refuses_a_file_that_is_not_utf8(client, tara, course):
    client.force_login(tara)
    upload = SimpleUploadedFile("r.csv", "date,title\n2017-10-12,Café\n".encode("latin-1"))
    response = client.post(url(course, "import"), {"file": upload})
    assert response.status_code == 400
    assert "not UTF-8" in response.text
    assert not Paper.objects.exists()


def test_it_asks_for_a_file(client, tara, course):
    client.force_login(tara)
    response = client.post(url(course, "import"), {})
    assert response.status_code == 400
    assert "Reading list (CSV): This field is required." in response.text


def test_the_parser_reports_every_bad_row_at_once() -> None:
    content = b"date,title\nnope,A\n2017-10-12,\n"
    with pytest.raises(reading_list.ReadingListError) as raised:
        reading_list.parse_reading_list(content)
    assert [(p.row, p.column) for p in raised.value.problems] == [(2, "date"), (3, "title")]


# --- who sees what ----------------------------------------------------------------------------


def test_it_shows_the_staff_controls_to_staff_only(client, tara, alice, open_paper):
    course = open_paper.course
    client.force_login(tara)
    page = client.get(url(course)).text
    for link in (url(course, "add"), url(course, "import"), url(course, open_paper.pk, "edit"),
                 url(course, open_paper.pk, "remove")):  # fmt: skip
        assert link in page
    client.force_login(alice)
    page = client.get(url(course)).text
    assert "Add paper" not in page
    assert "/edit/" not in page
    assert "/remove/" not in page
    assert "Import reading list" not in page


STAFF_PAGES = [
    ("get", ("add",)),
    ("post", ("add",)),
    ("get", ("import",)),
    ("post", ("import",)),
    ("get", ("{paper}", "edit")),
    ("post", ("{paper}", "edit")),
    ("get", ("{paper}", "remove")),
    ("post", ("{paper}", "remove")),
    ("post", ("{paper}", "release")),
]


def staff_url(course: Course, paper: Paper, parts: tuple[str, ...]) -> str:
    return url(course, *(str(paper.pk) if p == "{paper}" else p for p in parts))


@pytest.mark.parametrize(("method", "parts"), STAFF_PAGES)
def test_it_forbids_the_staff_pages_to_students(client, alice, open_paper, method, parts):
    client.force_login(alice)
    response = getattr(client, method)(staff_url(open_paper.course, open_paper, parts), PAPER)
    assert response.status_code == 403
    open_paper.refresh_from_db()
    assert open_paper.title == "Deconvolution and Checkerboard Artifacts"
    assert Paper.objects.count() == 1


@pytest.mark.parametrize(("method", "parts"), STAFF_PAGES)
def test_it_hides_the_staff_pages_from_non_members(client, bob, open_paper, method, parts):
    client.force_login(bob)
    response = getattr(client, method)(staff_url(open_paper.course, open_paper, parts), PAPER)
    assert response.status_code == 404
    assert Paper.objects.count() == 1


@pytest.mark.parametrize(("method", "parts"), STAFF_PAGES)
def test_it_sends_anonymous_visitors_to_log_in(client, open_paper, method, parts):
    response = getattr(client, method)(staff_url(open_paper.course, open_paper, parts), PAPER)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert Paper.objects.count() == 1


def test_it_answers_404_for_a_paper_of_another_course(client, tara, bob):
    other_paper_course = bob.memberships.get().course
    other = Paper.objects.create(
        course=other_paper_course,
        session_date=dt.date(2018, 1, 9),
        title="Elsewhere",
        review_deadline=timezone.now(),
    )
    client.force_login(tara)
    course = tara.memberships.get().course
    assert client.get(url(course, other.pk, "edit")).status_code == 404
    assert client.post(url(course, other.pk, "remove")).status_code == 404
    assert Paper.objects.filter(pk=other.pk).exists()
