"""The seed scenario, end to end through the API: schedule, publish, cancel a class, repair."""

from __future__ import annotations

from collections import Counter

import pytest
from django.core import mail

from presentations.models import PresentationSchedule, ScheduleChange
from tests.presentations.conftest import publish

pytestmark = pytest.mark.django_db


def test_it_schedules_six_presenters_per_class_around_the_seed_calendar(api, demo, users):
    schedule = publish(api, demo, users["instructor"])
    seats: Counter[str] = Counter()
    for slot in schedule["slots"]:
        seats[slot["date"]] += 2  # every demo group has two students
    assert max(seats.values()) <= 6
    assert not {"2017-10-03", "2017-10-05", "2017-10-10"} & set(seats)
    after = sorted(day for day in seats if day > "2017-10-03")
    assert after[0] == "2017-10-12"
    assert len(schedule["slots"]) == 6
    assert schedule["status"] == "published"


def test_it_moves_exactly_the_cancelled_classs_groups(
    api, demo, users, django_capture_on_commit_callbacks
):
    before = {s["group_name"]: s["date"] for s in publish(api, demo, users["instructor"])["slots"]}
    on_12th = {name for name, day in before.items() if day == "2017-10-12"}
    assert on_12th
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            f"/api/v1/courses/{demo.pk}/exceptions/",
            {
                "date": "2017-10-12",
                "kind": "no_class",
                "reason": "cancelled",
                "title": "Cancelled",
                "confirm": True,
            },
            format="json",
        )
    assert response.status_code == 201
    current = PresentationSchedule.objects.get(course=demo, status="published")
    after = {slot.group.name: slot.date.isoformat() for slot in current.slots.all()}
    moved = {name for name in before if before[name] != after[name]}
    assert moved == on_12th
    assert all(after[name] != "2017-10-12" for name in moved)
    change = ScheduleChange.objects.filter(kind="repaired").get()
    assert {m["group"] for m in change.moves} == on_12th
    expected = {
        member.user.email
        for group in demo.presenter_groups.filter(name__in=on_12th)
        for member in group.members.select_related("user")
    }
    assert {address for message in mail.outbox for address in message.to} == expected
    # One message per student: no classmate's e-mail address in anyone's To (issue #14).
    assert sorted(len(message.to) for message in mail.outbox) == [1] * len(expected)
    assert all("now presents on" in message.body for message in mail.outbox)


@pytest.mark.parametrize("confirm", [None, False])
def test_a_change_that_moves_groups_waits_for_confirm_and_lists_the_moves(
    api, demo, users, django_capture_on_commit_callbacks, confirm
):
    before = {s["group_name"]: s["date"] for s in publish(api, demo, users["instructor"])["slots"]}
    on_12th = {name for name, day in before.items() if day == "2017-10-12"}
    assert on_12th
    body = {"date": "2017-10-12", "kind": "no_class", "reason": "cancelled", "title": "Cancelled"}
    if confirm is not None:
        body["confirm"] = confirm
    exceptions_before = demo.calendar_exceptions.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/api/v1/courses/{demo.pk}/exceptions/", body, format="json")
    assert response.status_code == 400
    answer = response.json()
    assert '"confirm": true' in answer["confirm"][0]
    assert {move["group"] for move in answer["moves"]} == on_12th
    assert all(move["from_date"] == "2017-10-12" for move in answer["moves"])
    # Nothing was done: no exception, the same published version, no mail.
    assert demo.calendar_exceptions.count() == exceptions_before
    assert PresentationSchedule.objects.filter(course=demo).count() == 1
    assert not ScheduleChange.objects.filter(kind="repaired").exists()
    assert mail.outbox == []


def test_a_confirm_that_is_not_a_boolean_is_refused_naming_it(api, demo, users):
    publish(api, demo, users["instructor"])
    response = api.post(
        f"/api/v1/courses/{demo.pk}/exceptions/",
        {"date": "2017-10-12", "kind": "no_class", "reason": "cancelled", "confirm": "perhaps"},
        format="json",
    )
    assert response.status_code == 400
    assert "confirm" in response.json()
    assert not demo.calendar_exceptions.filter(date="2017-10-12").exists()


def test_it_leaves_the_schedule_alone_when_no_presentation_is_affected(
    api, demo, users, django_capture_on_commit_callbacks
):
    publish(api, demo, users["instructor"])
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            f"/api/v1/courses/{demo.pk}/exceptions/",
            {"date": "2017-11-30", "kind": "guest_lecture", "title": "Guest lecture"},
            format="json",
        )
    assert response.status_code == 201
    assert PresentationSchedule.objects.filter(course=demo).count() == 1  # still v1
    assert not ScheduleChange.objects.filter(kind="repaired").exists()
    assert mail.outbox == []


def test_it_lets_staff_move_a_draft_group_by_hand_with_constraints_checked(api, demo, users):
    api.force_authenticate(users["ta"])
    draft = api.post(f"/api/v1/courses/{demo.pk}/schedules/").json()
    slot = draft["slots"][0]
    url = f"/api/v1/courses/{demo.pk}/schedules/{draft['id']}/"
    bad = api.patch(
        url, {"placements": [{"group": slot["group"], "date": "2017-10-10"}]}, format="json"
    )
    assert bad.status_code == 400
    assert "Fall break" in " ".join(bad.json()["placements"])
    good = api.patch(
        url, {"placements": [{"group": slot["group"], "date": "2017-11-28"}]}, format="json"
    )
    assert good.status_code == 200, good.json()
    moved = next(s for s in good.json()["slots"] if s["group"] == slot["group"])
    assert moved["date"] == "2017-11-28"


def test_it_explains_an_infeasible_schedule(api, demo, users):
    api.force_authenticate(users["instructor"])
    response = api.patch(
        f"/api/v1/courses/{demo.pk}/groups/{demo.presenter_groups.first().pk}/",
        {"fixed_date": "2017-10-12"},
        format="json",
    )
    assert response.status_code == 200
    demo.presenters_per_class = 1
    demo.save()
    response = api.post(f"/api/v1/courses/{demo.pk}/schedules/")
    assert response.status_code == 400
    assert any("seats" in message or "larger" in message for message in response.json()["schedule"])
    assert not PresentationSchedule.objects.exists()


def test_a_hand_move_to_a_day_without_presentations_is_refused_even_in_the_past(api, demo, users):
    # Found by the API fuzzer: a past date that is no class day reached the scoring as a 500.
    api.force_authenticate(users["ta"])
    draft = api.post(f"/api/v1/courses/{demo.pk}/schedules/").json()
    slot = draft["slots"][0]
    url = f"/api/v1/courses/{demo.pk}/schedules/{draft['id']}/"
    for day in ("2017-10-11", "2017-10-10", "2016-01-05"):  # a Wednesday, the break, no term
        bad = api.patch(url, {"placements": [{"group": slot["group"], "date": day}]}, format="json")
        assert bad.status_code == 400, (day, bad.json())
        assert "has no presentations" in " ".join(bad.json()["placements"])
    assert api.get(url).json()["slots"] == draft["slots"]
