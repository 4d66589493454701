from __future__ import annotations

import pytest

from courses.models import Course
from presentations.models import GroupMember, PresenterGroup
from tests.factories import make_member
from tests.presentations.conftest import publish

pytestmark = pytest.mark.django_db


def groups_url(course: Course) -> str:
    return f"/api/v1/courses/{course.pk}/groups/"


def test_it_rejects_a_group_larger_than_a_class_seats(api, demo, users):
    extra = [make_member(demo, f"extra{i}", "student").username for i in range(7)]
    api.force_authenticate(users["ta"])
    response = api.post(groups_url(demo), {"name": "Too many", "members": extra}, format="json")
    assert response.status_code == 400
    assert "larger than the 6 presenters per class" in response.json()["members"][0]
    assert not PresenterGroup.objects.filter(name="Too many").exists()
    assert not GroupMember.objects.filter(user__username__startswith="extra").exists()


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"unavailable": ["2018-01-09"]}, "unavailable", "outside the term"),
        ({"unavailable": ["2017-02-30"]}, "unavailable", "format"),
        ({"preferences": ["2017-10-10"]}, "preferences", "Fall break"),
        ({"preferences": ["2017-10-05"]}, "preferences", "Guest lecture"),
        ({"preferences": ["2017-10-12", "2017-10-12"]}, "preferences", "twice"),
        ({"members": ["student1"]}, "members", "already in another group"),
        ({"members": ["instructor"]}, "members", "not students"),
        ({"members": ["nobody"]}, "members", "unknown users"),
        ({"members": []}, "members", "at least 1"),
        ({"name": ""}, "name", "blank"),
        ({"fixed_date": "2017-10-03"}, "fixed_date", "Cancelled"),
    ],
)
def test_it_rejects_bad_groups_naming_the_field(api, demo, users, changes, field, words):
    newcomer = make_member(demo, "newcomer", "student")
    payload = {"name": "New group", "members": [newcomer.username], **changes}
    api.force_authenticate(users["ta"])
    before = (PresenterGroup.objects.count(), GroupMember.objects.count())
    response = api.post(groups_url(demo), payload, format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert words in str(response.json()[field])
    assert (PresenterGroup.objects.count(), GroupMember.objects.count()) == before


def test_it_lets_a_student_start_a_group_only_with_themselves_in_it(api, demo, users):
    """Issue #14, finding 13: a student put classmates into their group without consent."""
    a = make_member(demo, "ann", "student")
    b = make_member(demo, "ben", "student")
    api.force_authenticate(a)
    for members in ([b.username], ["ann", "ben"]):
        refused = api.post(groups_url(demo), {"name": "X", "members": members}, format="json")
        assert refused.status_code == 403
    assert not PresenterGroup.objects.filter(name="X").exists()
    created = api.post(groups_url(demo), {"name": "X"}, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["members"] == [f"Member #{a.pk}"]
    assert list(GroupMember.objects.filter(group__name="X").values_list("user", flat=True)) == [
        a.pk
    ]


def test_it_tells_a_student_nothing_about_which_usernames_exist(api, demo, users, bob):
    """Issue #14, finding 13: "unknown users: x" for a username no account has, another answer
    for an account of another course."""
    a = make_member(demo, "ann", "student")
    api.force_authenticate(a)
    answers = set()
    for members in (["nobody"], [bob.username], ["instructor"], ["ann", "nobody"]):
        response = api.post(groups_url(demo), {"name": "X", "members": members}, format="json")
        answers.add((response.status_code, str(response.json())))
    assert len(answers) == 1
    assert answers.pop()[0] == 403
    assert not PresenterGroup.objects.filter(name="X").exists()


def test_it_lets_members_edit_their_preferences_but_nothing_else(api, demo, users):
    group = PresenterGroup.objects.get(name="Visualizations")
    url = f"{groups_url(demo)}{group.pk}/"
    api.force_authenticate(users["student1"])
    ok = api.patch(
        url, {"preferences": ["2017-10-17"], "unavailable": ["2017-10-12"]}, format="json"
    )
    assert ok.status_code == 200, ok.json()
    assert ok.json()["unavailable"] == ["2017-10-12"]
    assert api.patch(url, {"name": "Renamed"}, format="json").status_code == 403
    api.force_authenticate(users["student3"])
    assert api.patch(url, {"preferences": []}, format="json").status_code == 403
    group.refresh_from_db()
    assert (group.name, group.preferences) == ("Visualizations", ["2017-10-17"])


def test_it_keeps_scheduling_to_staff(api, demo, users):
    api.force_authenticate(users["student1"])
    assert api.post(f"/api/v1/courses/{demo.pk}/schedules/").status_code == 403
    staff_draft = publish(api, demo, users["instructor"])
    api.force_authenticate(users["student1"])
    publish_url = f"/api/v1/courses/{demo.pk}/schedules/{staff_draft['id']}/publish/"
    assert api.post(publish_url).status_code == 403
    api.force_authenticate(users["instructor"])
    draft = api.post(f"/api/v1/courses/{demo.pk}/schedules/").json()
    api.force_authenticate(users["student1"])
    listed = api.get(f"/api/v1/courses/{demo.pk}/schedules/").json()
    assert [s["status"] for s in listed] == ["published"]
    assert api.get(f"/api/v1/courses/{demo.pk}/schedules/{draft['id']}/").status_code == 404


def test_it_hides_everything_from_another_course(api, demo, bob):
    api.force_authenticate(bob)
    for path in ("groups/", "schedules/", "swaps/", "schedule-changes/"):
        assert api.get(f"/api/v1/courses/{demo.pk}/{path}").status_code == 404
    api.force_authenticate(None)
    assert api.get(f"/api/v1/courses/{demo.pk}/groups/").status_code == 401
