"""Issue 11, finding 1: one identity per person. A look-alike address (a dotless i in the
domain, other case, other Unicode forms) never reaches someone else's account: every address is
stored in one canonical form and every lookup is an exact match on it. On PostgreSQL the old
case-insensitive lookup matched ``victim@gmaıl.com`` to ``victim@gmail.com``; these tests run on
both databases."""  # noqa: RUF002 (the dotless i is the attack)

from __future__ import annotations

import importlib
import re

import pytest
from django.apps import apps
from django.core import mail

from common.identity import InvalidEmail, canonical_email
from common.models import LoginLink, User
from jury import invitations
from jury.models import JuryMember
from tests.factories import OrganiserFactory, RoundFactory, UserFactory

pytestmark = pytest.mark.django_db

LOOKALIKE = "victim@gma\u0131l.com"  # dotless i
NOT_USABLE = (
    "We kunnen dit e-mailadres niet gebruiken. Gebruik voor de @ alleen gewone letters en cijfers."
)


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("victim@gmail.com", "victim@gmail.com"),
        ("  Victim@GMail.COM ", "victim@gmail.com"),
        (LOOKALIKE, "victim@xn--gmal-nza.com"),
        ("VICTIM@GMA\u0131L.COM", "victim@xn--gmal-nza.com"),
        ("jan@b\u00fccher.example", "jan@xn--bcher-kva.example"),
        ("jan@\uff45xample.org", "jan@example.org"),  # fullwidth e: NFKC
        ("jan@example.org.", "jan@example.org"),
    ],
)
def test_canonical_email_of_valid_addresses(raw, canonical):
    assert canonical_email(raw) == canonical


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "zonder-apenstaart",
        "@example.org",
        "jan@",
        "v\u0131ctim@gmail.com",
        "j\u00e4n@example.org",
        "jan@exa mple.org",
        "jan@-bad-.org",
        "jan@" + "a" * 64 + ".org",
    ],
)
def test_canonical_email_refuses_addresses_without_a_canonical_form(raw):
    with pytest.raises(InvalidEmail) as error:
        canonical_email(raw)
    assert str(error.value.message) == NOT_USABLE


def test_canonical_email_is_idempotent():
    once = canonical_email(LOOKALIKE)
    assert canonical_email(once) == once


def test_link_for_a_lookalike_domain_does_not_sign_into_the_real_account(
    client, django_capture_on_commit_callbacks
):
    victim = UserFactory(email="victim@gmail.com", role="organiser")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/aanmelden/", {"email": LOOKALIKE}, REMOTE_ADDR="10.0.0.7")
    assert response.status_code == 302
    [sent] = mail.outbox
    assert sent.to == ["victim@xn--gmal-nza.com"]  # the attacker's IDN domain, not the victim
    path = re.search(r"/inloggen/link/\S+/", sent.body).group(0)
    signed_in = client.post(path)

    assert signed_in.status_code == 302
    attacker = User.objects.get(email="victim@xn--gmal-nza.com")
    assert client.session["_auth_user_id"] == str(attacker.pk) != str(victim.pk)
    assert attacker.role == "entrant"
    victim.refresh_from_db()
    assert victim.email == "victim@gmail.com"


def test_the_lookalike_and_the_real_address_are_two_accounts():
    real = User.objects.create_user("victim@gmail.com")
    lookalike = User.objects.create_user(LOOKALIKE)

    assert real.pk != lookalike.pk
    assert User.objects.get_by_natural_key(LOOKALIKE) == lookalike
    assert User.objects.get_by_natural_key(" Victim@GMAIL.com") == real


def test_natural_key_of_an_unusable_address_is_not_found():
    UserFactory(email="victim@gmail.com")
    with pytest.raises(User.DoesNotExist):
        User.objects.get_by_natural_key("v\u0131ctim@gmail.com")


def test_sign_in_request_with_non_ascii_local_part_gets_a_clear_message(client):
    response = client.post("/aanmelden/", {"email": "v\u0131ctim@gmail.com"})

    assert response.status_code == 200
    assert NOT_USABLE in response.content.decode()
    assert (LoginLink.objects.count(), len(mail.outbox)) == (0, 0)


def test_password_sign_in_with_a_lookalike_address_does_not_open_the_real_account(client):
    UserFactory(email="victim@gmail.com", password="geheim-wachtwoord-1")

    lookalike = client.post(
        "/inloggen/", {"username": LOOKALIKE, "password": "geheim-wachtwoord-1"}
    )
    other_case = client.post(
        "/inloggen/", {"username": "VICTIM@gmail.com", "password": "geheim-wachtwoord-1"}
    )

    assert lookalike.status_code == 200
    assert "Het e-mailadres of het wachtwoord klopt niet." in lookalike.content.decode()
    assert other_case.status_code == 302  # the same address in other letters is the same person


def test_password_sign_in_with_non_ascii_local_part_gets_a_clear_message(client):
    response = client.post("/inloggen/", {"username": "v\u0131ctim@gmail.com", "password": "x"})

    assert response.status_code == 200
    assert NOT_USABLE in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_invitation_to_a_lookalike_address_makes_a_new_account():
    victim = UserFactory(email="victim@gmail.com")
    round_ = RoundFactory()

    member = invitations.invite_juror(round_=round_, email=LOOKALIKE, actor=OrganiserFactory())

    assert member.user.email == "victim@xn--gmal-nza.com"
    assert member.user.pk != victim.pk
    assert not JuryMember.objects.filter(user=victim).exists()


def test_invitation_of_an_unusable_address_is_refused_and_writes_nothing():
    round_ = RoundFactory()
    with pytest.raises(InvalidEmail):
        invitations.invite_juror(round_=round_, email="j\u00e4n@example.org", actor=None)
    assert (JuryMember.objects.count(), User.objects.filter(email__contains="xample").count()) == (
        0,
        0,
    )


def _migration():
    return importlib.import_module("common.migrations.0004_canonical_emails")


def test_data_migration_canonicalises_existing_addresses():
    user = UserFactory()
    User.objects.filter(pk=user.pk).update(email="Jan@B\u00fccher.Example")

    _migration().canonicalise(apps, None)

    user.refresh_from_db()
    assert user.email == "jan@xn--bcher-kva.example"


def test_data_migration_stops_on_a_collision_and_changes_nothing():
    first, second = UserFactory(), UserFactory()
    User.objects.filter(pk=first.pk).update(email="jan@example.org")
    User.objects.filter(pk=second.pk).update(email="jan@\uff45xample.org")  # fullwidth e

    with pytest.raises(RuntimeError, match=r"jan@example\.org: user .*, user .*"):
        _migration().canonicalise(apps, None)

    assert sorted(User.objects.values_list("email", flat=True)) == [
        "jan@example.org",
        "jan@\uff45xample.org",
    ]
