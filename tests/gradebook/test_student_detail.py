"""A student's grade detail: every graded item, and who may see it."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from tests.factories import make_member
from tests.gradebook.conftest import Scenario

pytestmark = pytest.mark.django_db


def api_url(scenario: Scenario, student: User) -> str:
    return f"/api/v1/courses/{scenario.course.pk}/grades/students/{student.pk}/"


def page_url(scenario: Scenario, student: User) -> str:
    return f"/courses/{scenario.course.pk}/grades/students/{student.pk}/"


def test_it_lists_every_graded_item_with_raw_late_days_penalty_and_final(api, scenario):
    api.force_authenticate(scenario.alice)
    response = api.get(api_url(scenario, scenario.alice))
    assert response.status_code == 200, response.json()
    body = response.json()
    items = [
        (i["name"], i["raw_score"], i["late_days"], i["penalty"], i["final_score"])
        for i in body["student"]["items"]
    ]
    assert items == [
        ("Review of “Paper one” (2017-09-05)", 2.0, 0, 0.0, 2.0),
        ("Review of “Paper two” (2017-09-07)", 2.0, 2, 1.5, 0.5),
        ("Presentation (Visualizations)", 8.5, 0, 0.0, 8.5),
        ("Lab 1: transposed convolutions", 90.0, 2, 18.0, 72.0),
        ("Lab 2", None, 0, 0.0, None),
    ]
    assert body["student"]["scores"] == {"reviews": 2.5, "presentation": 8.5, "convlab:lab1": 72.0}
    assert [c["points_possible"] for c in body["columns"]] == [4.0, 10.0, 100.0, 100.0]


def test_a_missing_review_is_an_item_worth_zero(api, scenario):
    api.force_authenticate(scenario.carol)
    items = api.get(api_url(scenario, scenario.carol)).json()["student"]["items"]
    missing = next(i for i in items if i["name"].startswith("Review of “Paper two”"))
    assert (missing["raw_score"], missing["final_score"]) == (None, 0.0)
    assert missing["note"] == "no review"
    late = next(i for i in items if i["name"].startswith("Review of “Paper one”"))
    assert (late["late_days"], late["penalty"], late["final_score"]) == (1, 1.5, 0.5)


def test_the_page_shows_the_same_items(client, scenario):
    client.force_login(scenario.alice)
    response = client.get(page_url(scenario, scenario.alice))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Lab 1: transposed convolutions" in html
    assert "best of 2 graded attempt(s): attempt 2" in html
    assert "<td>72</td>" in html
    assert "<td>18</td>" in html
    assert "Reviews: <strong>2.5</strong> / 4" in html
    assert "Lab 2: <strong>—</strong> / 100" in html


def test_a_student_reaches_their_own_detail_from_my_grades(client, scenario):
    client.force_login(scenario.carol)
    response = client.get(f"/courses/{scenario.course.pk}/grades/mine/")
    assert response.status_code == 302
    assert response["Location"] == page_url(scenario, scenario.carol)
    client.force_login(scenario.tara)
    assert client.get(f"/courses/{scenario.course.pk}/grades/mine/").status_code == 403


def test_staff_see_any_student_of_their_course(api, client, scenario):
    api.force_authenticate(scenario.tara)
    for student in (scenario.alice, scenario.carol):
        assert api.get(api_url(scenario, student)).status_code == 200
    client.force_login(scenario.tara)
    assert client.get(page_url(scenario, scenario.carol)).status_code == 200


def test_a_student_may_not_see_another_students_grades(api, client, scenario):
    api.force_authenticate(scenario.alice)
    assert api.get(api_url(scenario, scenario.carol)).status_code == 404
    client.force_login(scenario.alice)
    assert client.get(page_url(scenario, scenario.carol)).status_code == 404


def test_anonymous_callers_are_asked_to_sign_in(api, client, scenario):
    response = api.get(api_url(scenario, scenario.alice))
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    page = client.get(page_url(scenario, scenario.alice))
    assert page.status_code == 302
    assert page["Location"].startswith("/accounts/login/")


def test_a_member_of_another_course_gets_404(api, client, scenario, bob):
    api.force_authenticate(bob)
    assert api.get(api_url(scenario, scenario.alice)).status_code == 404
    # bob's own id in a course he is not in: still nothing.
    assert api.get(api_url(scenario, bob)).status_code == 404
    client.force_login(bob)
    assert client.get(page_url(scenario, scenario.alice)).status_code == 404


def test_staff_of_another_course_get_404(api, scenario, bob):
    from tests.factories import make_course

    other = make_course(code="CS 4803", term="Fall 2017")
    other_ta = make_member(other, "otto", "ta")
    api.force_authenticate(other_ta)
    assert api.get(api_url(scenario, scenario.alice)).status_code == 404
    assert api.get(f"/api/v1/courses/{scenario.course.pk}/grades/canvas.csv").status_code == 404


def test_the_autograder_is_refused(api, client, scenario):
    robot = make_member(scenario.course, "robot", "autograder")
    api.force_authenticate(robot)
    assert api.get(api_url(scenario, scenario.alice)).status_code == 403
    client.force_login(robot)
    assert client.get(page_url(scenario, scenario.alice)).status_code == 403


def test_staff_and_dropped_students_have_no_detail(api, scenario):
    api.force_authenticate(scenario.tara)
    assert api.get(api_url(scenario, scenario.dave)).status_code == 404
    assert api.get(api_url(scenario, scenario.tara)).status_code == 404
    response = api.get(f"/api/v1/courses/{scenario.course.pk}/grades/students/999999999999/")
    assert response.status_code == 404
