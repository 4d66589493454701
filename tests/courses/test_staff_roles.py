"""An instructor adds TAs (existing accounts, by username or e-mail) and removes them."""

from __future__ import annotations

import pytest

from courses.models import Course, Membership
from tests.factories import make_member, make_user

pytestmark = pytest.mark.django_db


def url(course: Course) -> str:
    return f"/courses/{course.pk}/people/staff/"


def remove_url(course: Course, membership: Membership) -> str:
    return f"/courses/{course.pk}/people/staff/{membership.pk}/remove/"


def test_it_lists_the_staff(client, course, ines, tara, alice):
    client.force_login(ines)
    response = client.get(url(course))
    assert response.status_code == 200
    assert response.text.count("Teaching assistant") == 1
    assert response.text.count(">Remove<") == 1


def test_it_adds_a_ta_by_username(client, course, ines):
    newcomer = make_user("newcomer", first_name="Nia", last_name="Okafor")
    client.force_login(ines)
    response = client.post(url(course), {"who": " newcomer "}, follow=True)
    assert response.redirect_chain == [(url(course), 302)]
    assert "Nia Okafor is now a TA of CS 7643." in response.text
    membership = Membership.objects.get(course=course, user=newcomer)
    assert (membership.role, membership.is_active) == ("ta", True)
    client.force_login(newcomer)
    assert client.get(f"/courses/{course.pk}/announcements/").status_code == 200


def test_it_adds_a_ta_by_e_mail_in_any_case(client, course, ines):
    newcomer = make_user("newcomer")
    client.force_login(ines)
    assert client.post(url(course), {"who": "NewComer@Example.edu"}).status_code == 302
    assert Membership.objects.get(course=course, user=newcomer).role == "ta"


@pytest.mark.parametrize(
    ("who", "words"),
    [
        ("", "Username or e-mail: This field is required"),
        ("nobody", "no account has the username or e-mail nobody"),
        ("alice", "alice is a student of this course, and cannot also be a TA"),
        ("tara", "tara is already a TA of this course"),
        ("ines", "ines is an instructor of this course"),
    ],
)
def test_it_names_the_field_of_bad_input(client, course, ines, tara, alice, who, words):
    client.force_login(ines)
    response = client.post(url(course), {"who": who})
    assert response.status_code == 400
    assert words in response.text
    assert Membership.objects.filter(course=course, role="ta").count() == 1
    assert Membership.objects.get(user=alice).role == "student"


def test_it_refuses_an_e_mail_shared_by_two_accounts(client, course, ines):
    for username in ("one", "two"):
        user = make_user(username)
        user.email = "shared@example.edu"
        user.save()
    client.force_login(ines)
    response = client.post(url(course), {"who": "shared@example.edu"})
    assert response.status_code == 400
    assert "give the username instead" in response.text


def test_it_removes_a_ta_after_asking(client, course, ines, tara):
    membership = Membership.objects.get(user=tara)
    client.force_login(ines)
    page = client.get(remove_url(course, membership))
    assert page.status_code == 200
    assert "Remove Member #" in page.text
    assert Membership.objects.get(user=tara).is_active
    response = client.post(remove_url(course, membership), follow=True)
    assert response.redirect_chain == [(url(course), 302)]
    assert not Membership.objects.get(user=tara).is_active
    client.force_login(tara)
    assert client.get(f"/courses/{course.pk}/").status_code == 404


def test_it_adds_a_removed_ta_back(client, course, ines, tara):
    client.force_login(ines)
    client.post(remove_url(course, Membership.objects.get(user=tara)))
    assert client.post(url(course), {"who": "tara"}).status_code == 302
    assert Membership.objects.get(user=tara).is_active


def test_it_removes_only_tas(client, course, ines, alice):
    client.force_login(ines)
    for user in (ines, alice):
        membership = Membership.objects.get(user=user)
        assert client.get(remove_url(course, membership)).status_code == 404
        assert client.post(remove_url(course, membership)).status_code == 404
        assert Membership.objects.get(user=user).is_active


@pytest.mark.parametrize("role", ["ta", "student"])
def test_it_refuses_tas_and_students(client, course, tara, role):
    user = tara if role == "ta" else make_member(course, "sam", "student")
    make_user("newcomer")
    client.force_login(user)
    membership = Membership.objects.get(user=tara)
    assert client.get(url(course)).status_code == 403
    assert client.post(url(course), {"who": "newcomer"}).status_code == 403
    assert client.post(remove_url(course, membership)).status_code == 403
    assert Membership.objects.get(user=tara).is_active
    assert not Membership.objects.filter(user__username="newcomer").exists()


def test_it_hides_the_course_from_non_members(client, course, bob, tara):
    client.force_login(bob)
    assert client.get(url(course)).status_code == 404
    assert client.post(remove_url(course, Membership.objects.get(user=tara))).status_code == 404


def test_it_shows_the_link_to_instructors_only(client, course, ines, tara):
    client.force_login(ines)
    assert "Staff roles" in client.get(f"/courses/{course.pk}/").text
    client.force_login(tara)
    assert "Staff roles" not in client.get(f"/courses/{course.pk}/").text
