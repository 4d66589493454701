"""The staff gradebook page: who sees it, and that user text is escaped."""

from __future__ import annotations

import pytest

from tests.factories import make_member

pytestmark = pytest.mark.django_db


def test_staff_see_every_active_student_with_their_totals(client, scenario):
    client.force_login(scenario.tara)
    response = client.get(f"/courses/{scenario.course.pk}/grades/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Liddell, Alice" in html
    assert "dave" not in html  # dropped
    assert f"/courses/{scenario.course.pk}/grades/students/{scenario.alice.pk}/" in html
    assert "<td>2.5</td><td>8.5</td><td>72</td><td>—</td>" in html
    assert 'aria-label="Score of Explanations"' in html


def test_only_staff_see_the_gradebook(client, scenario, bob):
    url = f"/courses/{scenario.course.pk}/grades/"
    assert client.get(url).status_code == 302
    robot = make_member(scenario.course, "robot", "autograder")
    for user, expected in [(scenario.alice, 403), (robot, 403), (bob, 404)]:
        client.force_login(user)
        assert client.get(url).status_code == expected


def test_names_are_escaped(client, scenario):
    scenario.alice.first_name = "<img src=x onerror=alert(1)>"
    scenario.alice.save()
    client.force_login(scenario.tara)
    for url in (
        f"/courses/{scenario.course.pk}/grades/",
        f"/courses/{scenario.course.pk}/grades/students/{scenario.alice.pk}/",
    ):
        html = client.get(url).content.decode()
        assert "<img src=x" not in html
        assert "&lt;img src=x onerror=alert(1)&gt;" in html
