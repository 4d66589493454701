"""A roster import never makes an e-mail address a username (issue #14, finding 13: the
username was the e-mail address, and classmates saw it): the campus login when the file has a
free one, else the name; accounts made before keep working."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from roster.services import Action, PlannedRow, new_usernames
from tests.factories import PASSWORD
from tests.roster.conftest import membership_of, upload

pytestmark = pytest.mark.django_db


def planned(row: int, first: str, last: str, login_id: str = "") -> PlannedRow:
    return PlannedRow(
        row=row,
        email=f"x{row}@gatech.edu",
        first_name=first,
        last_name=last,
        role="student",
        section="",
        sis_id="",
        action=Action.CREATE,
        login_id=login_id,
    )


def apply(api, course, tara, text):
    api.force_authenticate(tara)
    response = upload(api, course, text, "apply")
    assert response.status_code == 200, response.json()
    return response.json()


def test_it_names_new_accounts_after_the_person_not_their_email(api, course, tara):
    apply(api, course, tara, "First Name,Last Name,Email\nAda,Lovelace,ada@gatech.edu\n")
    user = membership_of(course, "ada@gatech.edu").user
    assert user.username == "ada.lovelace"
    assert "@" not in user.username


def test_it_uses_the_campus_login_when_the_file_has_one(api, course, tara):
    apply(
        api,
        course,
        tara,
        'Student,SIS Login ID,Email\n"Burdell, George",gburdell3,george@gatech.edu\n',
    )
    assert membership_of(course, "george@gatech.edu").user.username == "gburdell3"


@pytest.mark.parametrize(
    ("login", "why"),
    [
        ("ada@gatech.edu", "an e-mail address"),
        ("ada lovelace", "not a valid username"),
        ("a" * 151, "too long"),
        ("TAKEN", "another account's, whatever the case"),
        ("", "none"),
    ],
)
def test_it_falls_back_to_the_name_when_the_login_will_not_do(api, course, tara, login, why):
    get_user_model().objects.create_user(username="taken", email="someone@else.edu")
    apply(api, course, tara, f"First Name,Last Name,Login ID,Email\nAda,Lovelace,{login},a@b.edu\n")
    assert membership_of(course, "a@b.edu").user.username == "ada.lovelace", why


def test_it_numbers_people_of_the_same_name(api, course, tara):
    get_user_model().objects.create_user(username="Ada.Lovelace", email="first@else.edu")
    apply(
        api,
        course,
        tara,
        "First Name,Last Name,Email\nAda,Lovelace,a2@gatech.edu\nAda,Lovelace,a3@gatech.edu\n",
    )
    names = {membership_of(course, f"a{n}@gatech.edu").user.username for n in (2, 3)}
    assert names == {"ada.lovelace2", "ada.lovelace3"}


def test_it_makes_plain_ascii_usernames_from_any_name():
    rows = [
        planned(2, "Zoë", "Ñúñez-O'Brien"),
        planned(3, "李", "小龍"),
        planned(4, "", ""),
        planned(5, "Jean Luc", "Picard"),
        planned(6, "Jean", "Luc Picard", login_id="jean.luc.picard"),
    ]
    assert new_usernames(rows, {"student"}) == {
        2: "zoe.nunez-o-brien",
        3: "student2",
        4: "student3",
        5: "jean-luc.picard",
        6: "jean.luc.picard",
    }


def test_it_keeps_accounts_whose_username_is_their_email_working(api, client, course, tara):
    """Accounts from before are matched by e-mail, as ever: nothing about them changes."""
    get_user_model().objects.create_user(
        username="old@gatech.edu", email="old@gatech.edu", password=PASSWORD
    )
    apply(api, course, tara, "First Name,Last Name,Email\nOld,Timer,old@gatech.edu\n")
    assert membership_of(course, "old@gatech.edu").user.username == "old@gatech.edu"
    assert client.login(username="old@gatech.edu", password=PASSWORD)
    assert get_user_model().objects.filter(email="old@gatech.edu").count() == 1
