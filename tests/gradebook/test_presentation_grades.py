"""Staff score presenter groups (API and form); bad input is refused with the field named."""

from __future__ import annotations

import pytest

from gradebook.models import GradePolicy, PresentationGrade
from presentations.services.groups import group_create
from tests.factories import make_course, make_member
from tests.gradebook.conftest import Scenario

pytestmark = pytest.mark.django_db


def url(scenario: Scenario) -> str:
    return f"/api/v1/courses/{scenario.course.pk}/grades/presentations/"


def test_it_scores_a_group_and_every_member_gets_it(api, scenario):
    api.force_authenticate(scenario.tara)
    group = scenario.explanations.pk
    response = api.post(url(scenario), {"group": group, "score": 7.25, "comment": "clear"})
    assert response.status_code == 200, response.json()
    assert response.json() == {
        "group": group,
        "name": "Explanations",
        "members": ["carol"],
        "score": 7.25,
        "comment": "clear",
    }
    grade = PresentationGrade.objects.get(group_id=group)
    assert (grade.score, grade.graded_by) == (7.25, scenario.tara)
    detail = api.get(f"/api/v1/courses/{scenario.course.pk}/grades/students/{scenario.carol.pk}/")
    assert detail.json()["student"]["scores"]["presentation"] == 7.25


def test_scoring_again_replaces_the_score(api, scenario):
    api.force_authenticate(scenario.tara)
    group = scenario.visualizations.pk
    assert api.post(url(scenario), {"group": group, "score": 10}).status_code == 200
    assert PresentationGrade.objects.get(group_id=group).score == 10
    assert PresentationGrade.objects.filter(group_id=group).count() == 1


def test_it_lists_groups_with_their_scores(api, scenario):
    api.force_authenticate(scenario.tara)
    listed = {g["name"]: g["score"] for g in api.get(url(scenario)).json()}
    assert listed == {"Explanations": None, "Visualizations": 8.5}


def test_it_removes_a_score(api, scenario):
    api.force_authenticate(scenario.tara)
    group = scenario.visualizations.pk
    assert api.delete(f"{url(scenario)}{group}/").status_code == 204
    assert not PresentationGrade.objects.filter(group_id=group).exists()
    again = api.delete(f"{url(scenario)}{group}/")
    assert again.status_code == 400
    assert "group" in again.json()


GROUP = "the scenario's Explanations group"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"score": 5}, "group"),
        ({"group": "abc", "score": 5}, "group"),
        ({"group": 999999999, "score": 5}, "group"),
        ({"group": None, "score": 5}, "group"),
        ({"group": GROUP, "score": -0.5}, "score"),
        ({"group": GROUP, "score": 10.01}, "score"),
        ({"group": GROUP, "score": "many"}, "score"),
        ({"group": GROUP, "score": "NaN"}, "score"),
        ({"group": GROUP, "score": "Infinity"}, "score"),
        ({"group": GROUP}, "score"),
        ({"group": GROUP, "score": 5, "comment": "x" * 2001}, "comment"),
    ],
)
def test_it_refuses_bad_input_naming_the_field(api, scenario, payload, field):
    api.force_authenticate(scenario.tara)
    data = {k: scenario.explanations.pk if v == GROUP else v for k, v in payload.items()}
    response = api.post(url(scenario), data, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not PresentationGrade.objects.filter(group=scenario.explanations).exists()


def test_it_refuses_a_group_of_another_course(api, scenario):
    other = make_course(code="CS 4803", term="Spring 2018", first_day="2018-01-08",
                        last_day="2018-04-24")  # fmt: skip
    stranger = make_member(other, "sam", "student")
    foreign = group_create(course=other, name="Elsewhere", members=[stranger])
    api.force_authenticate(scenario.tara)
    response = api.post(url(scenario), {"group": foreign.pk, "score": 5})
    assert response.status_code == 400
    assert "group" in response.json()
    assert not PresentationGrade.objects.filter(group=foreign).exists()


def test_only_staff_score(api, client, scenario, bob):
    course = scenario.course
    payload = {"group": scenario.explanations.pk, "score": 5}
    assert api.post(url(scenario), payload).status_code == 401
    robot = make_member(course, "robot", "autograder")
    for user, expected in [(scenario.carol, 403), (robot, 403), (bob, 404)]:
        api.force_authenticate(user)
        assert api.post(url(scenario), payload).status_code == expected
        assert api.get(url(scenario)).status_code == expected
        client.force_login(user)
        page = client.post(f"/courses/{course.pk}/grades/presentations/", payload)
        assert page.status_code == expected
    assert not PresentationGrade.objects.filter(group=scenario.explanations).exists()


def test_the_form_scores_a_group(client, scenario):
    client.force_login(scenario.tara)
    response = client.post(
        f"/courses/{scenario.course.pk}/grades/presentations/",
        {"group": scenario.explanations.pk, "score": "6", "comment": "good pace"},
    )
    assert response.status_code == 302
    assert PresentationGrade.objects.get(group=scenario.explanations).score == 6


def test_the_form_shows_errors_and_saves_nothing(client, scenario):
    client.force_login(scenario.tara)
    response = client.post(
        f"/courses/{scenario.course.pk}/grades/presentations/",
        {"group": scenario.explanations.pk, "score": "11"},
    )
    assert response.status_code == 400
    # The field's label, not its internal name (#16).
    assert "Score: must be between 0 and 10" in response.content.decode()
    assert "score:" not in response.content.decode()
    assert not PresentationGrade.objects.filter(group=scenario.explanations).exists()
    bad = client.post(f"/courses/{scenario.course.pk}/grades/presentations/", {"group": "x"})
    assert bad.status_code == 400
    assert "Group: Enter a whole number." in bad.content.decode()


def test_the_policy_sets_the_points_a_presentation_is_out_of(api, scenario):
    api.force_authenticate(scenario.tara)
    policy_url = f"/api/v1/courses/{scenario.course.pk}/grades/policy/"
    response = api.patch(policy_url, {"presentation_points": 20}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json() == {
        "review_points": 2.0,
        "late_review_fraction": 0.25,
        "presentation_points": 20.0,
    }
    scored = api.post(url(scenario), {"group": scenario.explanations.pk, "score": 15})
    assert scored.status_code == 200


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"late_review_fraction": 1.5}, "late_review_fraction"),
        ({"late_review_fraction": -0.1}, "late_review_fraction"),
        ({"review_points": -1}, "review_points"),
        ({"review_points": "lots"}, "review_points"),
        ({"presentation_points": 0}, "presentation_points"),
        # A group already has 8.5 points: the maximum cannot go below that.
        ({"presentation_points": 8}, "presentation_points"),
    ],
)
def test_the_policy_refuses_bad_input(api, scenario, payload, field):
    api.force_authenticate(scenario.tara)
    policy_url = f"/api/v1/courses/{scenario.course.pk}/grades/policy/"
    response = api.patch(policy_url, payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    policy = GradePolicy.objects.get(course=scenario.course)
    assert (policy.review_points, policy.late_review_fraction) == (2, 0.25)
    assert policy.presentation_points == 10


def test_members_read_the_policy_and_only_staff_change_it(api, scenario, bob):
    policy_url = f"/api/v1/courses/{scenario.course.pk}/grades/policy/"
    assert api.get(policy_url).status_code == 401
    api.force_authenticate(scenario.alice)
    assert api.get(policy_url).json()["late_review_fraction"] == 0.25
    assert api.patch(policy_url, {"review_points": 100}, format="json").status_code == 403
    api.force_authenticate(bob)
    assert api.get(policy_url).status_code == 404
    assert GradePolicy.objects.get(course=scenario.course).review_points == 2
