from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from courses.models import Course
from demo.seed import seed_demo


@pytest.fixture
def demo(db):
    """The seed course: CS 7643 Fall 2017 with its calendar and six groups of two."""
    seed_demo()
    return Course.objects.get(code="CS 7643")


@pytest.fixture
def users(demo):
    return {u.username: u for u in get_user_model().objects.all()}


def publish(api, course, instructor):
    """Generate a draft as the instructor and publish it; returns the published schedule JSON."""
    api.force_authenticate(instructor)
    draft = api.post(f"/api/v1/courses/{course.pk}/schedules/")
    assert draft.status_code == 201, draft.json()
    published = api.post(
        f"/api/v1/courses/{course.pk}/schedules/{draft.json()['id']}/publish/",
        {"confirm": True},
        format="json",
    )
    assert published.status_code == 200, published.json()
    return published.json()
