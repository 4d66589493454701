"""Messages name things in the page's words, never by an internal key ("slides_link:")."""

from __future__ import annotations

import html
from typing import Any

import pytest

from presentations.models import PresenterGroup
from presentations.views import plain_field_name

pytestmark = pytest.mark.django_db


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_it_names_a_refused_slides_link_in_plain_words(client, demo, users):
    client.force_login(users["student1"])
    response = client.post(
        f"/courses/{demo.pk}/presentations/group/slides/",
        {"slides_link": "https://evil.example.com/slides"},
        follow=True,
    )
    shown = messages_of(response)
    assert shown, "the refusal is shown"
    assert all(m.startswith("Slides link: ") for m in shown), shown
    assert "slides_link:" not in html.unescape(response.text)
    assert PresenterGroup.objects.get(name="Visualizations").slides_link == ""


def test_it_says_what_is_wrong_with_a_bad_draft_date_in_plain_words(client, demo, users):
    client.force_login(users["instructor"])
    base = f"/courses/{demo.pk}/presentations/manage/"
    client.post(base + "generate/")
    group = PresenterGroup.objects.get(name="Grad-CAM")
    response = client.post(base + "adjust/", {f"place-{group.pk}": "someday"}, follow=True)
    assert messages_of(response)[-1] == "Dates: choose each date from the list."
    assert "placements:" not in response.text


def test_it_words_a_missing_draft_without_internal_names(client, demo, users):
    client.force_login(users["instructor"])
    response = client.post(
        f"/courses/{demo.pk}/presentations/manage/publish/", {"confirm": "yes"}, follow=True
    )
    assert messages_of(response) == ["Schedule: there is no draft to publish"]


@pytest.mark.parametrize(
    ("key", "plain"),
    [
        ("slides_link", "Slides link"),
        ("to_group", "Other group"),
        ("unavailable", "Dates the group cannot present"),
        ("some_new_key", "Some new key"),
    ],
)
def test_it_turns_every_error_key_into_words(key, plain):
    assert plain_field_name(key) == plain
