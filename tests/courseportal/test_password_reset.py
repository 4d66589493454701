""" "Forgot your password?": Django's reset views, a link by e-mail, and a limit on requests."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail

from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

RESET = "/accounts/password-reset/"
NEW_PASSWORD = "a brand new passphrase 2026"


def reset_link() -> str:
    (message,) = mail.outbox
    match = re.search(r"https?://testserver(/accounts/password-reset/\S+/)", str(message.body))
    assert match, message.body
    return match.group(1)


def test_the_login_page_links_to_the_reset_form(client):
    page = client.get("/accounts/login/").text
    assert f'<a href="{RESET}">Forgot your password?</a>' in page
    assert client.get(RESET).status_code == 200


def test_it_resets_a_password_by_e_mail(client, alice):
    response = client.post(RESET, {"email": "ALICE@example.edu"}, follow=True)
    assert response.redirect_chain == [("/accounts/password-reset/sent/", 302)]
    assert "Check your e-mail" in response.text
    assert mail.outbox[0].to == ["alice@example.edu"]
    assert mail.outbox[0].subject == "Choose a new courseportal password"
    assert "Your username is alice." in mail.outbox[0].body

    form = client.get(reset_link(), follow=True)
    assert "Your username is <strong>alice</strong>" in form.text
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    assert done.redirect_chain == [("/accounts/password-reset/done/", 302)]
    assert "Your password is changed" in done.text
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)
    assert client.login(username="alice", password=NEW_PASSWORD)


def test_it_says_the_same_for_an_unknown_address_and_sends_nothing(client, alice):
    response = client.post(RESET, {"email": "nobody@example.edu"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password-reset/sent/"
    assert mail.outbox == []


def test_it_reaches_a_roster_account_that_has_no_password_yet(client, course):
    invited = make_user("invited")
    invited.set_unusable_password()
    invited.save()
    client.post(RESET, {"email": "invited@example.edu"})
    assert mail.outbox[0].to == ["invited@example.edu"]


def test_it_skips_a_deactivated_account(client, course):
    gone = make_user("gone")
    gone.is_active = False
    gone.save()
    client.post(RESET, {"email": "gone@example.edu"})
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("email", "words"),
    [("", "E-mail address: This field is required"), ("alice", "Enter a valid email address")],
)
def test_it_names_the_field_of_bad_input(client, alice, email, words):
    response = client.post(RESET, {"email": email})
    assert response.status_code == 200  # Django's form view shows its errors with a 200
    assert words in response.text
    assert mail.outbox == []


def test_it_refuses_a_bad_new_password_and_keeps_the_old_one(client, alice):
    client.post(RESET, {"email": "alice@example.edu"})
    form_url = client.get(reset_link(), follow=True).redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": "short", "new_password2": "other"})
    assert response.status_code == 200
    assert "New password confirmation: The two password fields didn" in response.text
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_a_used_or_forged_link_says_so(client, alice):
    client.post(RESET, {"email": "alice@example.edu"})
    link = reset_link()
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    for url in (link, "/accounts/password-reset/MQ/forged-token/"):
        page = client.get(url, follow=True)
        assert page.status_code == 200
        assert "This link has expired or was already used." in page.text
    assert get_user_model().objects.get(pk=alice.pk).check_password(NEW_PASSWORD)


def test_it_limits_requests_per_e_mail_address(client, alice):
    answers = [
        client.post(RESET, {"email": "alice@example.edu"}, REMOTE_ADDR=f"10.0.0.{i}").status_code
        for i in range(settings.LOGIN_FAILURE_LIMIT + 1)
    ]
    assert answers == [302] * settings.LOGIN_FAILURE_LIMIT + [429]
    assert len(mail.outbox) == settings.LOGIN_FAILURE_LIMIT


def test_it_limits_requests_per_client_address(client, alice):
    for i in range(settings.LOGIN_FAILURE_LIMIT):
        client.post(RESET, {"email": f"someone{i}@example.edu"})
    response = client.post(RESET, {"email": "alice@example.edu"})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many password reset requests" in response.text
    assert mail.outbox == []
