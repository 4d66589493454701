from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core import mail

from courses.models import Course
from courses.services import calendar_exception_create
from presentations.models import (
    PresentationSchedule,
    PresenterGroup,
    ScheduleChange,
    ScheduleStatus,
    SwapRequest,
)
from presentations.services._versions import (
    placements_score,
    schedule_mark_published,
    schedule_placements,
    schedule_version_create,
)
from presentations.services.groups import group_update
from presentations.services.swaps import swap_problems
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


# h18edges: every step re-validates the swap, each step is mailed, dates are shown everywhere.


def _request(api: Any, demo: Course, student: Any, other: PresenterGroup) -> Any:
    api.force_authenticate(student)
    return api.post(swaps_url(demo), {"to_group": other.pk}, format="json")


def _step(api: Any, demo: Course, user: Any, swap_id: int, decision: str) -> Any:
    api.force_authenticate(user)
    return api.post(f"{swaps_url(demo)}{swap_id}/{decision}/")


def _problems(response: Any) -> str:
    assert response.status_code == 400, response.json()
    return " ".join(response.json()["swap"])


def test_a_swap_with_a_group_on_the_same_date_is_refused_as_a_no_op(api, demo, users):
    publish(api, demo, users["instructor"])
    assert dates(demo)["Visualizations"] == dates(demo)["Explanations"] == "2017-10-12"
    explanations = PresenterGroup.objects.get(name="Explanations")
    response = _request(api, demo, users["student1"], explanations)
    text = _problems(response)
    assert "both present on Thursday, October 12 already" in text
    assert "nothing to swap" in text
    assert not SwapRequest.objects.exists()
    assert mail.outbox == []


def test_a_swap_onto_a_date_the_group_marked_unavailable_is_refused_at_once(api, demo, users):
    publish(api, demo, users["instructor"])
    other = PresenterGroup.objects.get(name="Adversarial examples")  # on 10/24
    own = PresenterGroup.objects.get(name="Visualizations")  # on 10/12
    group_update(group=own, unavailable=[dt.date(2017, 10, 24)])
    text = _problems(_request(api, demo, users["student1"], other))
    assert "Visualizations marked Tuesday, October 24 as unavailable" in text
    # The other group's unavailability counts as much.
    group_update(group=own, unavailable=[])
    group_update(group=other, unavailable=[dt.date(2017, 10, 12)])
    text = _problems(_request(api, demo, users["student1"], other))
    assert "Adversarial examples marked Thursday, October 12 as unavailable" in text
    assert not SwapRequest.objects.exists()


def test_a_swap_that_overfills_a_class_is_refused(api, demo, users):
    publish(api, demo, users["instructor"])
    # 10/12 has its 6 presenters; Deconvnets (10/17) grows to 3 members.
    deconvnets = PresenterGroup.objects.get(name="Deconvnets")
    extra = make_member(demo, "newcomer", "student")
    group_update(group=deconvnets, members=[m.user for m in deconvnets.members.all()] + [extra])
    text = _problems(_request(api, demo, users["student1"], deconvnets))
    assert "Thursday, October 12 would have 7 presenters, more than the 6 a class allows" in text
    assert not SwapRequest.objects.exists()


def test_a_date_without_presentations_is_named(demo):
    """A group placed on a no-class day (as before a repair) cannot trade it away."""
    own = PresenterGroup.objects.get(name="Visualizations")
    other = PresenterGroup.objects.get(name="Deconvnets")
    placements = {str(own.pk): dt.date(2017, 10, 12), str(other.pk): dt.date(2017, 10, 10)}
    [problem] = swap_problems(demo, placements, own, other)
    assert problem == (
        "Visualizations cannot move to Tuesday, October 10: there are no presentations that day "
        "(No class — Fall break)"
    )


def test_acceptance_checks_the_swap_again(api, demo, users):
    publish(api, demo, users["instructor"])
    other = PresenterGroup.objects.get(name="Adversarial examples")
    swap = _request(api, demo, users["student1"], other).json()
    # Meanwhile the other group marks the requester's date unavailable.
    group_update(group=other, unavailable=[dt.date(2017, 10, 12)])
    text = _problems(_step(api, demo, users["student11"], swap["id"], "accept"))
    assert "Adversarial examples marked Thursday, October 12 as unavailable" in text
    assert SwapRequest.objects.get().status == "requested"


def test_a_cancelled_class_that_moves_a_group_stops_the_swap(
    api, demo, users, django_capture_on_commit_callbacks
):
    publish(api, demo, users["instructor"])
    other = PresenterGroup.objects.get(name="Adversarial examples")
    swap = _request(api, demo, users["student1"], other).json()
    assert _step(api, demo, users["student11"], swap["id"], "accept").status_code == 200
    before = dates(demo)
    # Class on 10/24 is cancelled: the repair moves Adversarial examples off it.
    with django_capture_on_commit_callbacks(execute=True):
        calendar_exception_create(course=demo, date=dt.date(2017, 10, 24), kind="no_class",
                                  reason="cancelled", title="Snow day")  # fmt: skip
    moved = dates(demo)
    assert moved["Adversarial examples"] != "2017-10-24"
    response = _step(api, demo, users["instructor"], swap["id"], "approve")
    text = _problems(response)
    assert "Adversarial examples moved from Tuesday, October 24 to" in text
    assert dates(demo) == moved
    assert before != moved
    assert SwapRequest.objects.get().status == "accepted"


def test_approval_refuses_a_swap_a_repair_turned_into_a_no_op(api, demo, users):
    """The issue's case: after a change put both groups on one date, approving published a
    swap of 10/17 with 10/17."""
    publish(api, demo, users["instructor"])
    other = PresenterGroup.objects.get(name="Deconvnets")  # 10/17
    swap = _request(api, demo, users["student1"], other).json()
    assert swap["from_date"] == "2017-10-12"
    assert swap["to_date"] == "2017-10-17"
    assert _step(api, demo, users["student7"], swap["id"], "accept").status_code == 200
    # A new published version puts Visualizations on 10/17 too.
    own = PresenterGroup.objects.get(name="Visualizations")
    published = PresentationSchedule.objects.get(course=demo, status="published")
    placements = schedule_placements(published)
    placements[str(own.pk)] = dt.date(2017, 10, 17)
    score = placements_score(demo, placements)
    version = schedule_version_create(
        demo, placements, score, status=ScheduleStatus.DRAFT, actor=None
    )
    schedule_mark_published(version)
    text = _problems(_step(api, demo, users["ta"], swap["id"], "approve"))
    assert "Visualizations moved from Thursday, October 12 to Tuesday, October 17" in text
    assert PresentationSchedule.objects.get(course=demo, status="published").pk == version.pk
    assert not ScheduleChange.objects.filter(course=demo, kind="swapped").exists()


def test_each_step_is_mailed_to_the_right_people(
    api, demo, users, django_capture_on_commit_callbacks
):
    publish(api, demo, users["instructor"])
    other = PresenterGroup.objects.get(name="Adversarial examples")
    with django_capture_on_commit_callbacks(execute=True):
        swap = _request(api, demo, users["student1"], other).json()
    assert sorted(m.to[0] for m in mail.outbox) == [
        "student11@example.edu",
        "student12@example.edu",
    ]
    assert all(len(m.to) == 1 for m in mail.outbox)
    assert "Visualizations (presents on Thursday, October 12)" in mail.outbox[0].body
    assert "Adversarial examples (presents on Tuesday, October 24)" in mail.outbox[0].body

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _step(api, demo, users["student11"], swap["id"], "accept")
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        ["instructor@example.edu", "student1@example.edu", "ta@example.edu"]
    )
    assert all("Swap accepted" in m.subject for m in mail.outbox)

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _step(api, demo, users["ta"], swap["id"], "approve")
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        f"student{n}@example.edu" for n in (1, 2, 11, 12)
    )
    body = mail.outbox[0].body
    assert "Visualizations now presents on Tuesday, October 24" in body
    assert "Adversarial examples on Thursday, October 12" in body


def test_a_declined_swap_is_mailed_to_both_groups(
    api, demo, users, django_capture_on_commit_callbacks
):
    publish(api, demo, users["instructor"])
    other = PresenterGroup.objects.get(name="Adversarial examples")
    swap = _request(api, demo, users["student1"], other).json()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert _step(api, demo, users["student12"], swap["id"], "reject").status_code == 200
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        f"student{n}@example.edu" for n in (1, 2, 11, 12)
    )
    assert all("declined" in m.subject for m in mail.outbox)


def test_swaps_are_listed_with_their_dates_in_the_api_and_the_pages(client, api, demo, users):
    publish(api, demo, users["instructor"])
    other = PresenterGroup.objects.get(name="Adversarial examples")
    swap = _request(api, demo, users["student1"], other).json()
    _step(api, demo, users["student11"], swap["id"], "accept")
    api.force_authenticate(users["ta"])
    [listed] = api.get(swaps_url(demo)).json()
    assert (listed["from_date"], listed["to_date"]) == ("2017-10-12", "2017-10-24")
    expected = "Visualizations (Thu, Oct 12) ⇄ Adversarial examples (Tue, Oct 24)"
    for user, url in (
        (users["student1"], f"/courses/{demo.pk}/presentations/group/"),
        (users["student11"], f"/courses/{demo.pk}/presentations/group/"),
        (users["instructor"], f"/courses/{demo.pk}/presentations/manage/"),
    ):
        client.force_login(user)
        page = client.get(url)
        assert page.status_code == 200
        text = re.sub(r"<[^>]+>", "", page.content.decode())
        assert expected in text, user
    # The request form names each other group with its date.
    client.force_login(users["student3"])
    assert (
        "Deconvnets — Tue, Oct 17"
        in client.get(f"/courses/{demo.pk}/presentations/group/").content.decode()
    )


def test_a_student_outside_both_groups_can_neither_see_nor_decide_a_swap(api, demo, users):
    publish(api, demo, users["instructor"])
    other = PresenterGroup.objects.get(name="Adversarial examples")
    swap = _request(api, demo, users["student1"], other).json()
    for decision in ("accept", "approve", "reject"):
        assert _step(api, demo, users["student3"], swap["id"], decision).status_code == 404
    # A member of the requesting group may not accept for the other group, nor approve.
    assert _step(api, demo, users["student2"], swap["id"], "accept").status_code == 400
    assert _step(api, demo, users["student2"], swap["id"], "approve").status_code == 403
    assert SwapRequest.objects.get().status == "requested"
    # Staff cannot approve before the other group accepted.
    response = _step(api, demo, users["instructor"], swap["id"], "approve")
    assert response.status_code == 400
    assert SwapRequest.objects.get().status == "requested"


def test_a_swap_request_with_a_bad_group_is_refused(api, demo, users):
    publish(api, demo, users["instructor"])
    api.force_authenticate(users["student1"])
    for body in ({}, {"to_group": "x"}, {"to_group": 0}, {"to_group": 999999}):
        response = api.post(swaps_url(demo), body, format="json")
        assert response.status_code == 400, body
        assert "to_group" in response.json()
    own = PresenterGroup.objects.get(name="Visualizations")
    response = api.post(swaps_url(demo), {"to_group": own.pk}, format="json")
    assert response.status_code == 400
    assert not SwapRequest.objects.exists()
