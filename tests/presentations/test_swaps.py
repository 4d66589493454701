from __future__ import annotations

import pytest

from courses.models import Course
from presentations.models import PresentationSchedule, PresenterGroup, SwapRequest
from tests.factories import make_course, make_member
from tests.presentations.conftest import publish

pytestmark = pytest.mark.django_db


def swaps_url(course: Course) -> str:
    return f"/api/v1/courses/{course.pk}/swaps/"


def dates(course: Course) -> dict[str, str]:
    schedule = PresentationSchedule.objects.get(course=course, status="published")
    return {slot.group.name: slot.date.isoformat() for slot in schedule.slots.all()}


def test_it_swaps_two_groups_after_acceptance_and_approval(api, demo, users):
    publish(api, demo, users["instructor"])
    before = dates(demo)
    other = PresenterGroup.objects.get(name="Adversarial examples")
    assert before["Visualizations"] != before["Adversarial examples"]
    api.force_authenticate(users["student1"])
    swap = api.post(swaps_url(demo), {"to_group": other.pk}, format="json")
    assert swap.status_code == 201, swap.json()
    swap_url = f"{swaps_url(demo)}{swap.json()['id']}/"
    assert api.post(swap_url + "accept/").status_code == 400  # the requester cannot accept
    api.force_authenticate(users["student11"])
    assert api.post(swap_url + "approve/").status_code == 403
    assert api.post(swap_url + "accept/").json()["status"] == "accepted"
    api.force_authenticate(users["ta"])
    assert api.post(swap_url + "approve/").json()["status"] == "approved"
    after = dates(demo)
    assert after["Visualizations"] == before["Adversarial examples"]
    assert after["Adversarial examples"] == before["Visualizations"]
    assert {
        k: v for k, v in after.items() if k not in {"Visualizations", "Adversarial examples"}
    } == {k: v for k, v in before.items() if k not in {"Visualizations", "Adversarial examples"}}


def test_it_refuses_an_approved_swap_that_breaks_a_constraint(api, demo, users):
    publish(api, demo, users["instructor"])
    before = dates(demo)
    other = PresenterGroup.objects.get(name="Adversarial examples")
    api.force_authenticate(users["student1"])
    swap = api.post(swaps_url(demo), {"to_group": other.pk}, format="json").json()
    api.force_authenticate(users["student11"])
    api.post(f"{swaps_url(demo)}{swap['id']}/accept/")
    # Meanwhile the other group becomes unavailable on Visualizations' date.
    other.unavailable = [before["Visualizations"]]
    other.save()
    api.force_authenticate(users["instructor"])
    response = api.post(f"{swaps_url(demo)}{swap['id']}/approve/")
    assert response.status_code == 400
    assert "unavailable" in " ".join(response.json()["swap"])
    assert dates(demo) == before
    assert SwapRequest.objects.get().status == "accepted"


def test_it_refuses_a_swap_with_a_group_of_another_course(api, demo, users):
    publish(api, demo, users["instructor"])
    other_course = make_course(
        code="CS 4803", term="Spring 2018", first_day="2018-01-09", last_day="2018-04-26"
    )
    stranger = make_member(other_course, "sam", "student")
    from presentations.services.groups import group_create

    foreign = group_create(course=other_course, name="Foreign", members=[stranger])
    api.force_authenticate(users["student1"])
    response = api.post(swaps_url(demo), {"to_group": foreign.pk}, format="json")
    assert response.status_code == 400
    assert "to_group" in response.json()
    assert not SwapRequest.objects.exists()


def test_it_shows_students_only_their_own_swaps(api, demo, users):
    publish(api, demo, users["instructor"])
    other = PresenterGroup.objects.get(name="Adversarial examples")
    api.force_authenticate(users["student1"])
    api.post(swaps_url(demo), {"to_group": other.pk}, format="json")
    api.force_authenticate(users["student3"])
    assert api.get(swaps_url(demo)).json() == []
    api.force_authenticate(users["ta"])
    assert len(api.get(swaps_url(demo)).json()) == 1
