"""Issue 11, finding 2: the Django admin's sign-in (/beheer/login/) counts failed attempts
like the site's own form, so organisers' passwords cannot be guessed there without limit."""

from __future__ import annotations

import pytest

from common.forms import EmailAuthenticationForm
from tests.factories import PASSWORD, OrganiserFactory, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/beheer/login/?next=/beheer/"


def _sign_in(client, email, password):
    return client.post(LOGIN, {"username": email, "password": password, "next": "/beheer/"})


def test_admin_sign_in_stops_guessing_after_the_failure_limit(client):
    organiser = OrganiserFactory(email="beheer@example.org")
    for _attempt in range(EmailAuthenticationForm.MAX_FAILURES_PER_EMAIL):
        response = _sign_in(client, organiser.email, "wrong-guess")
        assert response.status_code == 200
        assert "_auth_user_id" not in client.session

    # Even the right password is refused now: the guesser cannot tell when they hit it.
    response = _sign_in(client, organiser.email, PASSWORD)

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "Te veel pogingen" in response.content.decode()


def test_admin_sign_in_still_works_with_the_right_password(client):
    organiser = OrganiserFactory(email="beheer@example.org")

    response = _sign_in(client, "Beheer@Example.org", PASSWORD)

    assert response.status_code == 302
    assert response.headers["Location"] == "/beheer/"
    assert client.session["_auth_user_id"] == str(organiser.pk)


def test_admin_sign_in_refuses_people_who_are_not_staff(client):
    entrant = UserFactory(email="deelnemer@example.org")

    response = _sign_in(client, entrant.email, PASSWORD)

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
