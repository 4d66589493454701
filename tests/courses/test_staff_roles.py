"""An instructor adds TAs and co-instructors (existing accounts, by username or e-mail) and
removes them; the course keeps at least one instructor."""

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
    assert response.text.count("<td>Teaching assistant</td>") == 1
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


def test_it_removes_only_staff(client, course, ines, alice):
    client.force_login(ines)
    membership = Membership.objects.get(user=alice)
    assert client.get(remove_url(course, membership)).status_code == 404
    assert client.post(remove_url(course, membership)).status_code == 404
    assert Membership.objects.get(user=alice).is_active


def test_it_never_removes_the_last_instructor(client, course, ines, tara):
    client.force_login(ines)
    membership = Membership.objects.get(user=ines)
    page = client.get(url(course))
    assert "The only instructor" in page.text
    assert page.text.count(">Remove<") == 1  # the TA only
    for answer in (
        client.get(remove_url(course, membership)),
        client.post(remove_url(course, membership)),
    ):
        assert answer.status_code == 400
        assert "is the only instructor of CS 7643, so they cannot be removed" in answer.text
        assert "add another instructor first" in answer.text
    assert Membership.objects.get(user=ines).is_active


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


# h18edges: co-instructors, on the page and in the API.


def test_it_adds_a_co_instructor_who_may_then_remove_the_first(client, course, ines):
    newcomer = make_user("newcomer", first_name="Zsolt", last_name="Kira")
    client.force_login(ines)
    response = client.post(url(course), {"who": "newcomer", "role": "instructor"}, follow=True)
    assert response.redirect_chain == [(url(course), 302)]
    assert "Zsolt Kira is now an instructor of CS 7643." in response.text
    assert Membership.objects.get(user=newcomer).role == "instructor"
    # Two instructors: either may be removed now; the new one removes the first.
    client.force_login(newcomer)
    first = Membership.objects.get(user=ines)
    page = client.get(remove_url(course, first))
    assert page.status_code == 200
    assert "as an instructor?" in page.text
    assert client.post(remove_url(course, first)).status_code == 302
    assert not Membership.objects.get(user=ines).is_active
    assert client.get(url(course)).status_code == 200
    client.force_login(ines)
    assert client.get(url(course)).status_code == 404


def test_an_instructor_may_leave_when_another_stays(client, course, ines):
    make_member(course, "zsolt", "instructor")
    client.force_login(ines)
    own = Membership.objects.get(user=ines)
    assert "Remove yourself as an instructor?" in client.get(remove_url(course, own)).text
    response = client.post(remove_url(course, own))
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert not Membership.objects.get(user=ines).is_active


def test_it_makes_a_ta_an_instructor(client, course, ines, tara):
    client.force_login(ines)
    assert client.post(url(course), {"who": "tara", "role": "instructor"}).status_code == 302
    membership = Membership.objects.get(user=tara)
    assert (membership.role, membership.is_active) == ("instructor", True)


@pytest.mark.parametrize(
    ("who", "role", "words"),
    [
        ("ines", "instructor", "ines is already an instructor of this course"),
        (
            "alice",
            "instructor",
            "alice is a student of this course, and cannot also be an instructor",
        ),
        ("nobody", "instructor", "no account has the username or e-mail nobody"),
        (
            "newcomer",
            "dean",
            "Role: Select a valid choice. dean is not one of the available choices.",
        ),
    ],
)
def test_it_names_the_field_of_a_bad_co_instructor(client, course, ines, alice, who, role, words):
    make_user("newcomer")
    client.force_login(ines)
    response = client.post(url(course), {"who": who, "role": role})
    assert response.status_code == 400
    assert words in response.text
    assert list(Membership.objects.filter(course=course, role="instructor")) == [
        Membership.objects.get(user=ines)
    ]
    assert Membership.objects.get(user=alice).role == "student"


def api_url(course: Course, membership: Membership | None = None) -> str:
    base = f"/api/v1/courses/{course.pk}/staff/"
    return base if membership is None else f"{base}{membership.pk}/"


def test_the_api_lists_adds_and_removes_staff(api, course, ines, tara):
    newcomer = make_user("newcomer", first_name="Zsolt", last_name="Kira")
    api.force_authenticate(ines)
    listed = api.get(api_url(course)).json()
    assert [(m["username"], m["role"]) for m in listed] == [("ines", "instructor"), ("tara", "ta")]
    added = api.post(
        api_url(course), {"who": "newcomer@example.edu", "role": "instructor"}, format="json"
    )
    assert added.status_code == 201, added.json()
    assert added.json() == {
        "id": Membership.objects.get(user=newcomer).pk,
        "username": "newcomer",
        "name": "Zsolt Kira",
        "role": "instructor",
    }
    # role defaults to TA
    other = make_user("other")
    assert api.post(api_url(course), {"who": "other"}, format="json").json()["role"] == "ta"
    assert Membership.objects.get(user=other).role == "ta"
    assert api.delete(api_url(course, Membership.objects.get(user=tara))).status_code == 204
    assert not Membership.objects.get(user=tara).is_active
    assert api.delete(api_url(course, Membership.objects.get(user=ines))).status_code == 204
    api.force_authenticate(newcomer)
    last = api.delete(api_url(course, Membership.objects.get(user=newcomer)))
    assert last.status_code == 400
    assert "Zsolt Kira is the only instructor of CS 7643" in " ".join(last.json()["membership"])
    assert Membership.objects.get(user=newcomer).is_active


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "who"),
        ({"who": ""}, "who"),
        ({"who": "x" * 255}, "who"),
        ({"who": "nobody"}, "who"),
        ({"who": "alice"}, "who"),
        ({"who": "ines", "role": "ta"}, "who"),
        ({"who": "newcomer", "role": "student"}, "role"),
        ({"who": "newcomer", "role": "autograder"}, "role"),
        ({"who": ["newcomer"]}, "who"),
    ],
)
def test_the_api_names_the_field_of_bad_input(api, course, ines, alice, body, field):
    make_user("newcomer")
    api.force_authenticate(ines)
    before = list(Membership.objects.values_list("pk", "role", "is_active"))
    response = api.post(api_url(course), body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert list(Membership.objects.values_list("pk", "role", "is_active")) == before


def test_the_api_answers_404_for_a_membership_that_is_not_staff(api, course, ines, alice, bob):
    api.force_authenticate(ines)
    for membership in (Membership.objects.get(user=alice), Membership.objects.get(user=bob)):
        assert api.delete(api_url(course, membership)).status_code == 404
        assert Membership.objects.get(pk=membership.pk).is_active


@pytest.mark.parametrize("who", ["tara", "alice", "autograder"])
def test_the_api_refuses_tas_students_and_autograders(api, course, ines, tara, alice, who):
    if who == "autograder":
        user = make_member(course, "robot", "autograder")
    else:
        user = {"tara": tara, "alice": alice}[who]
    make_user("newcomer")
    api.force_authenticate(user)
    assert api.get(api_url(course)).status_code == 403
    assert api.post(api_url(course), {"who": "newcomer"}, format="json").status_code == 403
    assert api.delete(api_url(course, Membership.objects.get(user=ines))).status_code == 403
    assert Membership.objects.get(user=ines).is_active
    assert not Membership.objects.filter(user__username="newcomer").exists()


def test_the_api_hides_the_course_from_non_members_and_asks_strangers_to_log_in(
    api, course, ines, bob
):
    membership = Membership.objects.get(user=ines)
    assert api.get(api_url(course)).status_code == 401
    assert api.delete(api_url(course, membership)).status_code == 401
    api.force_authenticate(bob)
    assert api.get(api_url(course)).status_code == 404
    assert api.post(api_url(course), {"who": "bob"}, format="json").status_code == 404
    assert api.delete(api_url(course, membership)).status_code == 404
    assert Membership.objects.get(user=ines).is_active
