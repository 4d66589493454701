"""Presenter groups by invitation and acceptance (issue #14, finding 13): a student invites a
classmate, who joins only by accepting; sizes and one group per student are checked when they
accept; the answers never tell which usernames exist."""

from __future__ import annotations

import pytest

from courses.models import Membership
from presentations.models import GroupInvitation, GroupMember, InvitationStatus, PresenterGroup
from presentations.services.groups import group_create, group_update
from presentations.services.invitations import NOT_A_CLASSMATE
from tests.factories import make_member
from tests.presentations.conftest import publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def ann(demo):
    """A student with a group of her own, "Transformers"."""
    ann = make_member(demo, "ann", "student")
    group_create(course=demo, name="Transformers", members=[ann])
    return ann


@pytest.fixture
def ben(demo):
    return make_member(demo, "ben", "student")


@pytest.fixture
def cat(demo):
    return make_member(demo, "cat", "student")


def url(course, tail=""):
    return f"/api/v1/courses/{course.pk}/invitations/{tail}"


def invite(api, course, who, body):
    api.force_authenticate(who)
    return api.post(url(course), body, format="json")


def members_of(name):
    return set(
        GroupMember.objects.filter(group__name=name).values_list("user__username", flat=True)
    )


def state():
    """Everything an invitation can change."""
    return (
        sorted(GroupMember.objects.values_list("group_id", "user_id")),
        sorted(GroupInvitation.objects.values_list("pk", "status")),
    )


def test_it_adds_a_classmate_only_when_they_accept(api, demo, ann, ben):
    sent = invite(api, demo, ann, {"username": "ben"})
    assert sent.status_code == 201, sent.json()
    assert sent.json()["status"] == "pending"
    assert sent.json()["invitee"] == f"Member #{ben.pk}"
    assert members_of("Transformers") == {"ann"}
    api.force_authenticate(ben)
    mine = api.get(url(demo)).json()
    assert [(i["group_name"], i["status"]) for i in mine] == [("Transformers", "pending")]
    accepted = api.post(url(demo, f"{sent.json()['id']}/accept/"))
    assert accepted.status_code == 200, accepted.json()
    assert accepted.json()["status"] == "accepted"
    assert members_of("Transformers") == {"ann", "ben"}
    group = api.get(f"/api/v1/courses/{demo.pk}/groups/").json()
    assert [g["members"] for g in group if g["name"] == "Transformers"] == [
        [f"Member #{ann.pk}", f"Member #{ben.pk}"]
    ]


def test_it_lets_the_invitee_decline(api, demo, ann, ben):
    sent = invite(api, demo, ann, {"user_id": ben.pk}).json()
    api.force_authenticate(ben)
    declined = api.post(url(demo, f"{sent['id']}/decline/"))
    assert declined.status_code == 200
    assert declined.json()["status"] == "declined"
    again = api.post(url(demo, f"{sent['id']}/accept/"))
    assert again.status_code == 400
    assert "no longer open" in again.json()["invitation"][0]
    assert members_of("Transformers") == {"ann"}


def test_it_answers_the_same_for_no_such_user_and_not_in_this_course(api, demo, ann, bob, users):
    gone = make_member(demo, "gone", "student")
    Membership.objects.filter(user=gone).update(is_active=False)
    before = state()
    by_name = {
        invite(api, demo, ann, {"username": name}).content
        for name in ("nobody", bob.username, "instructor", "ta", "autograder", "gone", "ANN2")
    }
    assert by_name == {b'{"username":["' + NOT_A_CLASSMATE.encode() + b'"]}'}
    by_id = {
        (r.status_code, r.content)
        for r in (
            invite(api, demo, ann, {"user_id": user_id})
            for user_id in (bob.pk, users["ta"].pk, gone.pk, 10**6)
        )
    }
    assert by_id == {(400, b'{"user_id":["' + NOT_A_CLASSMATE.encode() + b'"]}')}
    assert state() == before


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({}, "username", "one of them"),
        ({"username": "ben", "user_id": 1}, "username", "one of them"),
        ({"user_id": "ben"}, "user_id", "valid integer"),
        ({"user_id": -1}, "user_id", "greater than or equal to 1"),
        ({"user_id": 2**40}, "user_id", "less than or equal to"),
        ({"username": "x" * 151}, "username", "no more than 150"),
        ({"username": ["ben"]}, "username", "valid string"),
        ({"username": ""}, "username", "blank"),
        ({"username": "ann"}, "username", "already in your group"),
        ({"username": "student1"}, "username", "already in another presenter group"),
    ],
)
def test_it_refuses_bad_invitations_naming_the_field(api, demo, ann, ben, body, field, words):
    before = state()
    response = invite(api, demo, ann, body)
    assert response.status_code == 400, response.json()
    assert words in str(response.json()[field])
    assert state() == before


def test_it_refuses_a_body_that_is_not_an_object(api, demo, ann):
    response = invite(api, demo, ann, ["ben"])
    assert response.status_code == 400
    assert not GroupInvitation.objects.exists()


def test_it_refuses_the_same_invitation_twice(api, demo, ann, ben):
    assert invite(api, demo, ann, {"username": "ben"}).status_code == 201
    again = invite(api, demo, ann, {"username": "ben"})
    assert again.status_code == 400
    assert "already invited" in again.json()["username"][0]
    assert GroupInvitation.objects.count() == 1


def test_it_lets_only_the_invited_student_accept_or_decline(api, demo, ann, ben, cat, bob, users):
    sent = invite(api, demo, ann, {"username": "ben"}).json()
    for decision in ("accept", "decline"):
        path = url(demo, f"{sent['id']}/{decision}/")
        api.force_authenticate(cat)  # a classmate who is not invited cannot even see it
        assert api.post(path).status_code == 404
        api.force_authenticate(bob)  # a student of another course
        assert api.post(path).status_code == 404
        api.force_authenticate(ann)  # the inviter sees it, but it is not hers to answer
        assert api.post(path).status_code == 403
        api.force_authenticate(users["instructor"])  # staff assign directly instead
        assert api.post(path).status_code == 403
        api.force_authenticate(None)
        assert api.post(path).status_code == 401
    assert GroupInvitation.objects.get().status == InvitationStatus.PENDING
    assert members_of("Transformers") == {"ann"}


def test_it_shows_invitations_only_to_those_they_concern(api, demo, ann, ben, cat, users):
    invite(api, demo, ann, {"username": "ben"})
    seen = {}
    for who in (ann, ben, cat, users["student1"], users["ta"]):
        api.force_authenticate(who)
        seen[who.username] = len(api.get(url(demo)).json())
    assert seen == {"ann": 1, "ben": 1, "cat": 0, "student1": 0, "ta": 1}


def test_it_lets_the_group_or_staff_withdraw(api, demo, ann, ben, cat, users):
    first = invite(api, demo, ann, {"username": "ben"}).json()
    api.force_authenticate(cat)
    assert api.post(url(demo, f"{first['id']}/withdraw/")).status_code == 404
    api.force_authenticate(ben)  # the invitee declines; withdrawing is the group's
    assert api.post(url(demo, f"{first['id']}/withdraw/")).status_code == 403
    api.force_authenticate(ann)
    withdrawn = api.post(url(demo, f"{first['id']}/withdraw/"))
    assert withdrawn.status_code == 200
    assert withdrawn.json()["status"] == "withdrawn"
    api.force_authenticate(ben)
    assert api.post(url(demo, f"{first['id']}/accept/")).status_code == 400
    second = invite(api, demo, ann, {"username": "cat"}).json()
    api.force_authenticate(users["ta"])
    assert api.post(url(demo, f"{second['id']}/withdraw/")).json()["status"] == "withdrawn"
    assert members_of("Transformers") == {"ann"}


def test_it_checks_the_group_size_when_invited_and_when_accepting(api, demo, ann, ben, cat):
    demo.presenters_per_class = 2
    demo.save()
    sent = invite(api, demo, ann, {"username": "ben"}).json()
    over = invite(api, demo, ann, {"username": "cat"})
    assert over.status_code == 400
    assert "exceed the 2 presenters" in over.json()["username"][0]
    # Staff, who are trusted, fill the group directly meanwhile.
    group = PresenterGroup.objects.get(name="Transformers")
    group_update(group=group, members=[ann, cat])
    before = state()
    api.force_authenticate(ben)
    full = api.post(url(demo, f"{sent['id']}/accept/"))
    assert full.status_code == 400
    assert "the group is full" in full.json()["invitation"][0]
    assert state() == before  # nothing half-written: ben is in no group, the invitation open


def test_it_keeps_one_group_per_student_when_accepting(api, demo, ann, ben, cat):
    group_create(course=demo, name="Diffusion", members=[cat])
    from_ann = invite(api, demo, ann, {"username": "ben"}).json()
    from_cat = invite(api, demo, cat, {"username": "ben"}).json()
    api.force_authenticate(ben)
    assert api.post(url(demo, f"{from_ann['id']}/accept/")).status_code == 200
    # The other invitation can no longer be accepted, and says so.
    other = api.post(url(demo, f"{from_cat['id']}/accept/"))
    assert other.status_code == 400
    assert "no longer open" in other.json()["invitation"][0]
    assert GroupInvitation.objects.get(pk=from_cat["id"]).status == InvitationStatus.CANCELLED
    assert members_of("Diffusion") == {"cat"}
    assert GroupMember.objects.filter(user=ben).count() == 1


def test_it_refuses_an_invitation_of_someone_staff_placed_meanwhile(api, demo, ann, ben):
    sent = invite(api, demo, ann, {"username": "ben"}).json()
    group_create(course=demo, name="Placed by staff", members=[ben])
    before = state()
    api.force_authenticate(ben)
    response = api.post(url(demo, f"{sent['id']}/accept/"))
    assert response.status_code == 400
    assert "already in a presenter group" in response.json()["invitation"][0]
    assert state() == before


def test_it_writes_nothing_when_another_request_placed_the_student_first(
    api, demo, ann, ben, monkeypatch
):
    """The race the checks cannot see: another transaction puts ben into a group between the
    check and the insert. The database's one-group-per-student constraint refuses the insert,
    and the whole acceptance (the invitation's new status included) is rolled back."""
    sent = invite(api, demo, ann, {"username": "ben"}).json()
    group_create(course=demo, name="Placed meanwhile", members=[ben])
    monkeypatch.setattr("presentations.services.invitations._in_a_group", lambda *a: False)
    before = state()
    api.force_authenticate(ben)
    response = api.post(url(demo, f"{sent['id']}/accept/"))
    assert response.status_code == 400
    assert "already in a presenter group" in response.json()["invitation"][0]
    assert state() == before
    assert GroupInvitation.objects.get(pk=sent["id"]).status == InvitationStatus.PENDING


def test_it_refuses_an_invitation_of_a_student_who_left_the_course(api, demo, ann, ben):
    sent = invite(api, demo, ann, {"username": "ben"}).json()
    Membership.objects.filter(user=ben).update(is_active=False)
    api.force_authenticate(ben)
    assert api.post(url(demo, f"{sent['id']}/accept/")).status_code == 404
    assert members_of("Transformers") == {"ann"}


def test_it_keeps_invitations_out_of_scheduled_groups(api, demo, ann, ben, users):
    sent = invite(api, demo, ann, {"username": "ben"}).json()
    publish(api, demo, users["instructor"])
    api.force_authenticate(ben)
    response = api.post(url(demo, f"{sent['id']}/accept/"))
    assert response.status_code == 400
    assert "published schedule" in response.json()["invitation"][0]
    refused = invite(api, demo, users["student1"], {"username": "ben"})
    assert refused.status_code == 400
    assert "published schedule" in refused.json()["group"][0]


def test_it_keeps_inviting_to_students_in_a_group(api, demo, ben, users):
    api.force_authenticate(ben)  # in no group yet
    assert api.post(url(demo), {"username": "cat"}, format="json").status_code == 403
    api.force_authenticate(users["ta"])  # staff assign members directly
    assert api.post(url(demo), {"username": "ben"}, format="json").status_code == 403
    assert not GroupInvitation.objects.exists()


def test_it_hides_invitations_from_another_course(api, demo, ann, ben, bob):
    invite(api, demo, ann, {"username": "ben"})
    api.force_authenticate(bob)
    assert api.get(url(demo)).status_code == 404
    assert api.post(url(demo), {"username": "ben"}, format="json").status_code == 404


def test_it_lets_staff_still_form_and_change_groups_directly(api, demo, ben, cat, users):
    api.force_authenticate(users["ta"])
    nobody = api.post(f"/api/v1/courses/{demo.pk}/groups/", {"name": "Empty"}, format="json")
    assert nobody.status_code == 400
    assert "at least one student" in nobody.json()["members"][0]
    created = api.post(
        f"/api/v1/courses/{demo.pk}/groups/", {"name": "Staff's", "members": ["ben"]}, format="json"
    )
    assert created.status_code == 201, created.json()
    changed = api.patch(
        f"/api/v1/courses/{demo.pk}/groups/{created.json()['id']}/",
        {"members": ["ben", "cat"]},
        format="json",
    )
    assert changed.status_code == 200, changed.json()
    assert members_of("Staff's") == {"ben", "cat"}


# --- The pages -------------------------------------------------------------------------------


def page(course, tail=""):
    return f"/courses/{course.pk}/presentations/{tail}"


def test_it_invites_accepts_and_shows_the_group_on_the_pages(client, demo, ann, ben):
    ben.first_name, ben.last_name = "Ben", "Bitdiddle"
    ben.save()
    client.force_login(ann)
    picker = client.get(page(demo, "group/")).text
    assert f'<option value="{ben.pk}">Ben Bitdiddle</option>' in picker
    assert "ben@example.edu" not in picker
    assert client.post(page(demo, "invitations/"), {"user_id": ben.pk}).status_code == 302
    assert members_of("Transformers") == {"ann"}
    client.force_login(ben)
    schedule = client.get(page(demo)).text
    assert "Invitations to a presenter group" in schedule
    assert "Transformers" in schedule
    invitation = GroupInvitation.objects.get()
    accepted = client.post(page(demo, f"invitations/{invitation.pk}/accept/"), follow=True)
    assert "You joined Transformers" in accepted.text
    assert members_of("Transformers") == {"ann", "ben"}


def test_it_answers_the_same_on_the_page_for_unknown_and_foreign_usernames(client, demo, ann, bob):
    client.force_login(ann)
    answers = set()
    for username in ("nobody", bob.username):
        response = client.post(page(demo, "invitations/"), {"username": username}, follow=True)
        answers.add(str([str(m) for m in response.context["messages"]]))
    assert answers == {str([f"Classmate's username: {NOT_A_CLASSMATE}"])}
    assert not GroupInvitation.objects.exists()


def test_it_starts_a_group_from_the_page(client, demo, ben):
    client.force_login(ben)
    assert client.post(page(demo, "group/start/"), {"name": ""}).status_code == 302
    assert not PresenterGroup.objects.filter(members__user=ben).exists()
    client.post(page(demo, "group/start/"), {"name": "Graph nets"})
    assert members_of("Graph nets") == {"ben"}


def test_it_keeps_page_decisions_to_whom_they_belong(client, demo, ann, ben, cat, users):
    client.force_login(ann)
    client.post(page(demo, "invitations/"), {"username": "ben"})
    invitation = GroupInvitation.objects.get()
    client.force_login(cat)
    assert client.post(page(demo, f"invitations/{invitation.pk}/accept/")).status_code == 404
    client.force_login(ann)
    assert client.post(page(demo, f"invitations/{invitation.pk}/accept/")).status_code == 403
    client.force_login(ben)
    assert client.post(page(demo, f"invitations/{invitation.pk}/withdraw/")).status_code == 403
    assert client.post(page(demo, f"invitations/{invitation.pk}/nonsense/")).status_code == 404
    client.force_login(users["ta"])
    assert client.post(page(demo, "group/start/"), {"name": "TA's"}).status_code == 403
    assert GroupInvitation.objects.get().status == InvitationStatus.PENDING
    assert members_of("Transformers") == {"ann"}


def test_it_says_when_every_classmate_is_in_a_group(client, demo, ann):
    client.force_login(ann)
    page = client.get(page_url := f"/courses/{demo.pk}/presentations/group/").text
    assert "Every classmate is in a group already." in page
    assert 'name="user_id"' not in page
    make_member(demo, "late", "student")
    assert 'name="user_id"' in client.get(page_url).text
