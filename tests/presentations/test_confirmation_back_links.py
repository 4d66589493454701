"""The scheduling confirmations (publish a draft, start over) have one way back to scheduling:
the "Back to …" link under their form, not a second "← Scheduling" above it (issue #16)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from presentations.services.schedules import schedule_generate, schedule_publish

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("name", "back"),
    [
        ("presentations-publish-preview", "Back to the draft"),
        ("presentations-start-over", "Back to scheduling"),
    ],
)
def test_a_scheduling_confirmation_links_back_once(client, demo, users, name, back):
    instructor = users["instructor"]
    schedule_publish(schedule=schedule_generate(course=demo, actor=instructor), actor=instructor)
    schedule_generate(course=demo, actor=instructor)  # a draft to review
    client.force_login(instructor)
    response = client.get(reverse(name, args=[demo.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    manage = reverse("presentations-manage", args=[demo.pk])
    assert back in page
    assert "← Scheduling" not in page
    assert page.count(f'href="{manage}"') == 1
