"""Classmates see each other by display name, never by username or e-mail (issue #14, finding
13: a roster-imported account's username is its e-mail address, and it was shown to
classmates on the schedule CSV, the groups API, public reviews...)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from courses.people import display_name
from presentations.models import GroupInvitation, PresenterGroup
from presentations.services.calendar_feeds import calendar_feed_get
from presentations.services.groups import group_create
from reviews.services import paper_create, review_create
from tests.factories import make_member
from tests.presentations.conftest import publish
from tests.reviews.conftest import GOOD_REVIEW

pytestmark = pytest.mark.django_db


@pytest.fixture
def roster_accounts(demo, users):
    """Every demo student gets an e-mail username, as the roster import used to make them;
    student2 has no name at all."""
    for number in range(1, 13):
        user = users[f"student{number}"]
        user.username = user.email = f"gp{number}burdell@gatech.edu"
        if number == 2:
            user.first_name = user.last_name = ""
        user.save()
    return users


def secrets_of(users, numbers):
    """What must never show: each of these students' username and e-mail."""
    found = set()
    for number in numbers:
        user = users[f"student{number}"]
        user.refresh_from_db()
        found |= {user.username, user.email, user.username.split("@")[0]}
    return found


def test_it_names_without_a_username_or_email(demo, users):
    ada, nameless = users["student1"], users["student2"]
    nameless.first_name = nameless.last_name = ""
    assert display_name(ada) == "Ada Lovelace"
    assert display_name(nameless) == f"Member #{nameless.pk}"
    nameless.first_name = "   "
    assert display_name(nameless) == f"Member #{nameless.pk}"


def test_it_shows_classmates_only_by_name_on_pages_feeds_and_api(
    api, client, demo, roster_accounts
):
    users = roster_accounts
    publish(api, demo, users["instructor"])
    # A classmate in no group is invited by a student with an e-mail username.
    newcomer = make_member(demo, "newcomer@gatech.edu", "student")
    loner = make_member(demo, "loner@gatech.edu", "student")
    group_create(course=demo, name="Unscheduled", members=[loner])
    GroupInvitation.objects.create(
        course=demo, group=PresenterGroup.objects.get(name="Unscheduled"), invitee=newcomer,
        invited_by=loner,
    )  # fmt: skip
    paper = paper_create(
        course=demo,
        session_date=dt.date(2017, 10, 17),
        title="Visualizing and Understanding Convolutional Networks",
        review_deadline=timezone.now() - dt.timedelta(days=1),
    )
    for number in (1, 2):
        review_create(
            paper=paper,
            author=users[f"student{number}"],
            now=paper.review_deadline - dt.timedelta(hours=1),
            **GOOD_REVIEW,
        )
    key = calendar_feed_get(user=newcomer).key
    course = f"/courses/{demo.pk}"
    api.force_authenticate(newcomer)
    client.force_login(newcomer)
    seen = {
        "schedule page": client.get(f"{course}/presentations/").text,
        "group page": client.get(f"{course}/presentations/group/").text,
        "schedule.csv": client.get(f"{course}/presentations/schedule.csv").text,
        "calendar.ics": client.get(f"{course}/calendar.ics").text,
        "feed": client.get(f"/feeds/{key}/courses/{demo.pk}.ics").text,
        "my feed": client.get(f"/feeds/{key}/mine.ics").text,
        "paper page": client.get(f"{course}/papers/{paper.pk}/").text,
        "course page": client.get(f"{course}/").text,
        "groups API": api.get(f"/api/v1{course}/groups/").text,
        "invitations API": api.get(f"/api/v1{course}/invitations/").text,
        "reviews API": api.get(f"/api/v1{course}/papers/{paper.pk}/reviews/").text,
    }
    hidden = secrets_of(users, range(1, 13)) | {"loner@gatech.edu", "loner"}
    leaks = {where: sorted(s for s in hidden if s in text) for where, text in seen.items()}
    assert leaks == {where: [] for where in seen}
    # The names are there instead (so the pages were not simply empty).
    nameless = users["student2"]
    assert "Ada Lovelace" in seen["schedule page"]
    assert f"Member #{nameless.pk}" in seen["schedule page"]
    assert "Ada Lovelace" in seen["schedule.csv"]
    assert f"Member #{nameless.pk}" in seen["paper page"]
    assert f"Member #{loner.pk}" in seen["group page"]  # the invitation's sender
    assert f"Member #{loner.pk}" in seen["invitations API"]
    assert "Ada Lovelace" in seen["groups API"]
    assert "Ada Lovelace" in seen["reviews API"]


def test_it_still_shows_usernames_to_staff_on_the_scheduling_page(client, demo, roster_accounts):
    client.force_login(roster_accounts["ta"])
    page = client.get(f"/courses/{demo.pk}/presentations/manage/").text
    assert "gp1burdell@gatech.edu" in page
    assert "Ada Lovelace" in page


def test_it_keeps_the_picker_to_names(client, demo, roster_accounts):
    loner = make_member(demo, "loner@gatech.edu", "student")
    make_member(demo, "free@gatech.edu", "student")
    group_create(course=demo, name="Unscheduled", members=[loner])
    client.force_login(loner)
    page = client.get(f"/courses/{demo.pk}/presentations/group/").text
    free = get_user_model().objects.get(username="free@gatech.edu")
    assert f'<option value="{free.pk}">Member #{free.pk}</option>' in page
    assert "free@gatech.edu" not in page
