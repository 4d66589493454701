"""Staff pages for presenter groups (issue #16): the list with dates at a glance, create, edit
and delete with a confirmation; the services' rules as form errors naming the field."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from presentations.models import GroupMember, PresenterGroup
from presentations.services.groups import group_update
from tests.factories import make_member
from tests.presentations.conftest import publish

pytestmark = pytest.mark.django_db


def groups_url(course: Any) -> str:
    return f"/courses/{course.pk}/presentations/groups/"


def edit_url(course: Any, group: PresenterGroup) -> str:
    return f"/courses/{course.pk}/presentations/groups/{group.pk}/edit/"


def delete_url(course: Any, group: PresenterGroup) -> str:
    return f"/courses/{course.pk}/presentations/groups/{group.pk}/delete/"


def group_data(name: str, members: list[Any], *preferences: str) -> dict[str, Any]:
    data: dict[str, Any] = {"name": name, "members": [m.pk for m in members]}
    for i in range(3):
        data[f"preferences_{i}"] = preferences[i] if i < len(preferences) else ""
    return data


@pytest.fixture
def newcomers(demo):
    """Two students of the demo course in no group yet."""
    first = make_member(demo, "ngrp1", "student")
    first.first_name, first.last_name = "Fei-Fei", "Li"
    first.save()
    return [first, make_member(demo, "ngrp2", "student")]


def test_it_lists_groups_with_their_dates_and_the_students_in_no_group(
    client, demo, users, newcomers
):
    visualizations = PresenterGroup.objects.get(course=demo, name="Visualizations")
    group_update(group=visualizations, unavailable=[dt.date(2017, 11, 28)])
    client.force_login(users["ta"])
    page = client.get(groups_url(demo)).text
    row = page[page.index('data-group="Visualizations"') :]
    row = row[: row.index("</tr>")]
    assert "Ada Lovelace" in row
    assert "Thu, Oct 12" in row  # ranked dates
    assert "Tue, Oct 17" in row
    assert "Tue, Nov 28" in row  # unavailable
    ungrouped = page[page.index('id="ungrouped"') :]
    assert "Fei-Fei Li" in ungrouped[: ungrouped.index("</ul>")]
    assert "Create a group" in page


def test_it_lets_an_instructor_create_a_group_with_ranked_dates(client, demo, users, newcomers):
    client.force_login(users["instructor"])
    data = group_data("Attention", newcomers, "2017-10-19", "", "2017-10-12")
    response = client.post(groups_url(demo), data)
    assert response.status_code == 302
    group = PresenterGroup.objects.get(course=demo, name="Attention")
    assert {m.user.username for m in group.members.all()} == {"ngrp1", "ngrp2"}
    assert group.preferences == ["2017-10-19", "2017-10-12"]
    assert "Group Attention created." in client.get(response.url).text


def test_it_lets_staff_rename_a_group_change_members_and_dates(client, demo, users, newcomers):
    client.force_login(users["ta"])
    group = PresenterGroup.objects.get(course=demo, name="Visualizations")
    form = client.get(edit_url(demo, group)).text
    assert 'value="2017-10-12" selected' in form
    assert "checked" in form
    data = group_data("Visual explanations", [users["student1"], newcomers[0]], "2017-10-24")
    assert client.post(edit_url(demo, group), data).status_code == 302
    group.refresh_from_db()
    assert group.name == "Visual explanations"
    assert {m.user.username for m in group.members.all()} == {"student1", "ngrp1"}
    assert group.preferences == ["2017-10-24"]


BAD_CREATES = [
    # (what, members by username, extra fields, the message shown)
    ("no name", ["ngrp1"], {"name": ""}, "Group name: This field is required."),
    (
        "a taken name",
        ["ngrp1"],
        {"name": "Visualizations"},
        "Group name: a group named &#x27;Visualizations&#x27; exists already",
    ),
    ("no members", [], {}, "Members: This field is required."),
    ("a student in another group", ["ngrp1", "student1"], {}, "Members: already in another group"),
    ("the TA", ["ngrp1", "ta"], {}, "Members: not students of this course: ta"),
    ("someone of another course", ["ngrp1", "bob"], {}, "Members: Select a valid choice."),
    (
        "a no-class day",
        ["ngrp1"],
        {"preferences_0": "2017-10-10"},
        "Preferred dates, best first: 2017-10-10 has no student presentations (No class",
    ),
    (
        "a date ranked twice",
        ["ngrp1"],
        {"preferences_0": "2017-10-12", "preferences_1": "2017-10-12"},
        "Preferred dates, best first: a date is ranked twice",
    ),
    (
        "a date outside the term",
        ["ngrp1"],
        {"preferences_0": "2018-03-01"},
        "Preferred dates, best first: 2018-03-01 has no student presentations",
    ),
    ("not a date", ["ngrp1"], {"preferences_0": "soon"}, "Preferred dates, best first: Enter a"),
]


@pytest.mark.parametrize(
    ("what", "usernames", "extra", "message"), BAD_CREATES, ids=[b[0] for b in BAD_CREATES]
)
def test_it_refuses_a_bad_group_naming_the_field(
    client, demo, users, newcomers, bob, what, usernames, extra, message
):
    people = {**users, "ngrp1": newcomers[0], "bob": bob}
    client.force_login(users["instructor"])
    before = (PresenterGroup.objects.count(), GroupMember.objects.count())
    data = {**group_data("Attention", [people[u] for u in usernames]), **extra}
    response = client.post(groups_url(demo), data)
    assert response.status_code == 400
    assert message in response.text
    assert (PresenterGroup.objects.count(), GroupMember.objects.count()) == before


def test_it_refuses_too_many_members_for_the_seats(client, demo, users):
    students = [make_member(demo, f"many{i}", "student") for i in range(7)]
    client.force_login(users["instructor"])
    response = client.post(groups_url(demo), group_data("Crowd", students))
    assert response.status_code == 400
    assert "Members: a group of 7 is larger than the 6 presenters per class" in response.text
    assert not PresenterGroup.objects.filter(name="Crowd").exists()


def test_it_changes_nothing_when_an_edit_is_refused(client, demo, users, newcomers):
    client.force_login(users["instructor"])
    group = PresenterGroup.objects.get(course=demo, name="Visualizations")
    # A new name, a new member, and one from another group: all of it is refused.
    data = group_data("Renamed", [newcomers[0], users["student3"]], "2017-10-24")
    response = client.post(edit_url(demo, group), data)
    assert response.status_code == 400
    assert "Members: already in another group: student3" in response.text
    group.refresh_from_db()
    assert group.name == "Visualizations"
    assert group.preferences == ["2017-10-12", "2017-10-17"]
    assert {m.user.username for m in group.members.all()} == {"student1", "student2"}


def test_it_deletes_a_group_after_a_confirmation(client, demo, users):
    client.force_login(users["instructor"])
    group = PresenterGroup.objects.get(course=demo, name="Grad-CAM")
    client.post(f"/courses/{demo.pk}/presentations/manage/generate/")
    confirm = client.get(delete_url(demo, group))
    assert confirm.status_code == 200
    assert "Delete Grad-CAM?" in confirm.text
    assert "draft v1" in confirm.text
    assert PresenterGroup.objects.filter(pk=group.pk).exists()  # nothing until confirmed
    response = client.post(delete_url(demo, group))
    assert response.status_code == 302
    assert not PresenterGroup.objects.filter(pk=group.pk).exists()
    ungrouped = client.get(response.url).text
    assert "Group Grad-CAM deleted." in ungrouped
    assert "Frances Allen" in ungrouped


def test_it_refuses_to_delete_a_group_on_the_published_schedule(client, api, demo, users):
    publish(api, demo, users["instructor"])
    client.force_login(users["instructor"])
    group = PresenterGroup.objects.get(course=demo, name="Grad-CAM")
    confirm = client.get(delete_url(demo, group)).text
    assert "so it cannot be deleted" in confirm
    assert '<button type="submit">Delete' not in confirm
    response = client.post(delete_url(demo, group))
    assert response.status_code == 400
    assert "cannot be deleted" in response.text
    assert PresenterGroup.objects.filter(pk=group.pk).exists()


def staff_urls(course: Any) -> list[str]:
    group = PresenterGroup.objects.get(course=course, name="Visualizations")
    return [groups_url(course), edit_url(course, group), delete_url(course, group)]


def test_it_sends_anonymous_visitors_to_log_in(client, demo):
    for url in staff_urls(demo):
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 302, url
            assert "/accounts/login/" in response.url, url


def test_it_forbids_students_the_staff_pages(client, demo, users):
    client.force_login(users["student1"])
    for url in staff_urls(demo):
        assert client.get(url).status_code == 403, url
        assert client.post(url, group_data("Mine", [users["student1"]])).status_code == 403, url
    assert PresenterGroup.objects.filter(name="Visualizations").exists()


def test_it_hides_the_pages_from_people_of_other_courses(client, demo, bob):
    client.force_login(bob)
    for url in staff_urls(demo):
        assert client.get(url).status_code == 404, url
        assert client.post(url).status_code == 404, url


def test_it_finds_no_group_of_another_course(client, demo, users, bob):
    other = PresenterGroup.objects.create(course=bob.memberships.get().course, name="Elsewhere")
    client.force_login(users["instructor"])
    assert client.get(edit_url(demo, other)).status_code == 404
    assert client.post(delete_url(demo, other)).status_code == 404
    assert PresenterGroup.objects.filter(pk=other.pk).exists()
