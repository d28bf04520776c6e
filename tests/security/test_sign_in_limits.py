"""Issue 11, finding 13: sign-in link limits keyed on address and client together, told to the
person, and production refusing to guess how many proxies stand in front (a wrong guess keys
every limit on the proxy, so one person's requests stop sign-in links for everyone)."""

from __future__ import annotations

import pytest
from django.core import mail

from common import magiclink
from common.models import LoginLink
from tests.test_project import PRODUCTION_ENV, _run_with_env

pytestmark = pytest.mark.django_db

TOLD = "Er zijn te veel inloglinks gevraagd. Wacht een uur en probeer het dan opnieuw."


def _ask(client, email: str, ip: str):
    return client.post("/aanmelden/", {"email": email}, REMOTE_ADDR=ip)


def test_limit_per_address_and_client_is_told_and_stores_nothing(
    client, django_capture_on_commit_callbacks
):
    limit = magiclink.MAX_PER_EMAIL_AND_CLIENT_PER_HOUR
    with django_capture_on_commit_callbacks(execute=True):
        answers = [_ask(client, "veel@voorbeeld.nl", "10.0.0.1") for _ in range(limit + 1)]

    assert [a.status_code for a in answers] == [302] * limit + [429]
    assert TOLD in answers[-1].content.decode()
    assert (len(mail.outbox), LoginLink.objects.count()) == (limit, limit)


def test_the_same_address_from_another_client_still_gets_a_link(client):
    for _ in range(magiclink.MAX_PER_EMAIL_AND_CLIENT_PER_HOUR):
        _ask(client, "veel@voorbeeld.nl", "10.0.0.1")

    other_client = _ask(client, "veel@voorbeeld.nl", "10.0.0.2")

    assert other_client.status_code == 302
    assert LoginLink.objects.filter(requested_ip="10.0.0.2").count() == 1


def test_limit_per_address_over_all_clients(client):
    for i in range(magiclink.MAX_PER_EMAIL_PER_HOUR):
        assert _ask(client, "doel@voorbeeld.nl", f"10.1.0.{i}").status_code == 302

    response = _ask(client, "doel@voorbeeld.nl", "10.1.1.1")

    assert response.status_code == 429
    assert TOLD in response.content.decode()
    assert LoginLink.objects.count() == magiclink.MAX_PER_EMAIL_PER_HOUR


def test_the_limit_is_the_same_for_known_and_unknown_addresses(client):
    from tests.factories import UserFactory

    UserFactory(email="bekend@voorbeeld.nl")
    limit = magiclink.MAX_PER_EMAIL_AND_CLIENT_PER_HOUR
    known = [_ask(client, "bekend@voorbeeld.nl", "10.0.0.3").status_code for _ in range(limit + 1)]
    unknown = [_ask(client, "nieuw@voorbeeld.nl", "10.0.0.3").status_code for _ in range(limit + 1)]

    assert known == unknown == [302] * limit + [429]


def test_one_client_has_a_higher_cap_over_many_addresses(client):
    for i in range(magiclink.MAX_PER_IP_PER_HOUR):
        magiclink.request_link(email=f"p{i}@voorbeeld.nl", ip="10.9.9.9")

    with pytest.raises(magiclink.TooManyLinks):
        magiclink.request_link(email="nog-een@voorbeeld.nl", ip="10.9.9.9")
    response = _ask(client, "nog-een@voorbeeld.nl", "10.9.9.9")
    other_client = _ask(client, "nog-een@voorbeeld.nl", "10.9.9.8")

    assert (response.status_code, other_client.status_code) == (429, 302)
    assert TOLD in response.content.decode()
    assert magiclink.MAX_PER_IP_PER_HOUR > 3 * magiclink.MAX_PER_EMAIL_PER_HOUR
    assert LoginLink.objects.filter(requested_ip="10.9.9.9").count() == 100


def test_behind_a_proxy_clients_are_told_apart_by_forwarded_for(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(magiclink.MAX_PER_EMAIL_AND_CLIENT_PER_HOUR):
        client.post(
            "/aanmelden/",
            {"email": "a@voorbeeld.nl"},
            REMOTE_ADDR="10.0.0.254",
            HTTP_X_FORWARDED_FOR="192.0.2.1",
        )

    other = client.post(
        "/aanmelden/",
        {"email": "a@voorbeeld.nl"},
        REMOTE_ADDR="10.0.0.254",
        HTTP_X_FORWARDED_FOR="192.0.2.2",
    )

    assert other.status_code == 302
    assert sorted(set(LoginLink.objects.values_list("requested_ip", flat=True))) == [
        "192.0.2.1",
        "192.0.2.2",
    ]


@pytest.mark.django_db(False)
def test_production_refuses_to_start_without_an_explicit_proxy_count():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "TRUSTED_PROXY_COUNT"}
    result = _run_with_env(["manage.py", "check"], **env)

    assert result.returncode != 0
    assert "ImproperlyConfigured: Unsafe production settings" in result.stderr
    assert "TRUSTED_PROXY_COUNT must be set" in result.stderr


@pytest.mark.django_db(False)
def test_production_accepts_an_explicit_zero_proxy_count():
    result = _run_with_env(["manage.py", "check"], **{**PRODUCTION_ENV, "TRUSTED_PROXY_COUNT": "0"})

    assert "TRUSTED_PROXY_COUNT" not in result.stderr
    assert result.returncode == 0, result.stderr
