from __future__ import annotations

import pytest

from presentations.models import PresentationSchedule, PresenterGroup
from tests.presentations.conftest import publish

pytestmark = pytest.mark.django_db


def test_it_shows_presenters_and_calendar_labels_on_the_schedule_page(client, api, demo, users):
    publish(api, demo, users["instructor"])
    client.force_login(users["student1"])
    page = client.get(f"/courses/{demo.pk}/presentations/").text
    assert "No class — Fall break" in page
    assert "Guest lecture — no presentations" in page
    assert "Visualizations" in page
    assert "— your group" in page


def test_it_lets_staff_generate_adjust_and_publish_from_the_page(client, demo, users):
    client.force_login(users["instructor"])
    base = f"/courses/{demo.pk}/presentations/manage/"
    assert client.post(base + "generate/").status_code == 302
    draft = PresentationSchedule.objects.get(course=demo, status="draft")
    group = PresenterGroup.objects.get(name="Grad-CAM")
    client.post(base + "adjust/", {f"place-{group.pk}": "2017-10-10"})
    assert draft.slots.get(group=group).date.isoformat() != "2017-10-10"
    page = client.get(base).text
    assert "Fall break" in page  # the refusal is shown as a message
    client.post(base + "adjust/", {f"place-{group.pk}": "2017-11-30"})
    assert draft.slots.get(group=group).date.isoformat() == "2017-11-30"
    assert client.post(base + "publish/", {"confirm": "yes"}).status_code == 302
    draft.refresh_from_db()
    assert draft.status == "published"


def test_it_keeps_the_scheduling_page_from_students_and_other_courses(client, demo, users, bob):
    client.force_login(users["student1"])
    assert client.get(f"/courses/{demo.pk}/presentations/manage/").status_code == 403
    assert client.post(f"/courses/{demo.pk}/presentations/manage/publish/").status_code == 403
    client.force_login(bob)
    assert client.get(f"/courses/{demo.pk}/presentations/").status_code == 404


def test_it_saves_ranked_preferences_from_the_group_page(client, demo, users):
    client.force_login(users["student1"])
    assert "Preferences" in client.get(f"/courses/{demo.pk}/presentations/group/").text
    response = client.post(
        f"/courses/{demo.pk}/presentations/group/preferences/",
        {"rank-2017-10-19": "1", "rank-2017-10-12": "2", "unavailable": ["2017-11-28"]},
    )
    assert response.status_code == 302
    group = PresenterGroup.objects.get(name="Visualizations")
    assert group.preferences == ["2017-10-19", "2017-10-12"]
    assert group.unavailable == ["2017-11-28"]
    client.post(f"/courses/{demo.pk}/presentations/group/preferences/", {"rank-2017-10-10": "1"})
    group.refresh_from_db()
    assert group.preferences == ["2017-10-19", "2017-10-12"]
