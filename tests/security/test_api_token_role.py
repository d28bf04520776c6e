"""Finding 16 of issue 11: an API token stops working as soon as its owner is no longer an
active organiser, and the admin's user form revokes the tokens (audited) when it takes the
role away or blocks the account."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone, translation
from django.utils.translation import gettext

from common import tokens
from common.enums import Role
from common.models import ApiToken, AuditLog
from tests.factories import OrganiserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()
    yield
    cache.clear()


def make_token(user):
    return tokens.create_token(
        user=user,
        name="Script",
        scope=ApiToken.Scope.READ_WRITE,
        expires_at=timezone.now() + dt.timedelta(days=30),
    )


def bearer(raw: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def admin_form(user, **changes) -> dict:
    data = {
        "email": user.email,
        "name": user.name,
        "role": user.role,
        "is_active": "on" if user.is_active else "",
        "is_staff": "on" if user.is_staff else "",
        "is_superuser": "on" if user.is_superuser else "",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": timezone.localtime(user.date_joined).strftime("%Y-%m-%d"),
        "date_joined_1": timezone.localtime(user.date_joined).strftime("%H:%M:%S"),
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


def test_token_of_an_organiser_demoted_without_the_service_is_401_at_once(client):
    owner = OrganiserFactory()
    _token, raw = make_token(owner)
    assert client.get("/api/v1/me/", **bearer(raw)).status_code == 200
    owner.role = Role.JUROR
    owner.save(update_fields=["role"])  # e.g. in a shell: the rule is asked on every request

    response = client.get("/api/v1/me/", **bearer(raw))

    assert response.status_code == 401
    assert response.json()["code"] == "not_organiser"
    with translation.override("nl"):
        expected = gettext("This API token no longer works: the account is no longer an organiser.")
    assert response.json()["message"] == expected
    assert response.json()["message"] != (
        "This API token no longer works: the account is no longer an organiser."
    )


def test_write_with_the_token_of_a_demoted_organiser_is_refused(client):
    owner = OrganiserFactory()
    _token, raw = make_token(owner)
    owner.role = Role.ENTRANT
    owner.save(update_fields=["role"])
    count = ApiToken.objects.count()

    response = client.post(
        "/api/v1/entries/", {"title": "Poging"}, content_type="application/json", **bearer(raw)
    )

    assert response.status_code == 401
    assert ApiToken.objects.count() == count


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"role": Role.JUROR}, "not_organiser"),
        ({"role": Role.ENTRANT}, "not_organiser"),
        ({"is_active": ""}, "blocked"),
    ],
)
def test_admin_demoting_or_blocking_an_organiser_revokes_their_tokens(client, change, reason):
    superuser = OrganiserFactory(email="beheerder@example.org")
    owner = OrganiserFactory(email="oud-organisator@example.org")
    first, raw = make_token(owner)
    second, _raw2 = make_token(owner)
    colleague_token, colleague_raw = make_token(superuser)
    client.force_login(superuser)  # with the second step (tests/conftest.py)

    response = client.post(f"/beheer/common/user/{owner.pk}/change/", admin_form(owner, **change))

    assert response.status_code == 302, response.content.decode()[:2000]
    owner.refresh_from_db()
    assert (owner.role, owner.is_active) != (Role.ORGANISER, True)
    revoked = ApiToken.objects.filter(user=owner, revoked_at__isnull=False)
    assert set(revoked) == {first, second}
    rows = AuditLog.objects.filter(action="api_token_revoked").order_by("object_id")
    assert [(r.actor, r.object_id, r.data["reason"]) for r in rows] == sorted(
        [(superuser, str(first.pk), reason), (superuser, str(second.pk), reason)],
        key=lambda row: row[1],
    )
    colleague_token.refresh_from_db()
    assert colleague_token.revoked_at is None
    client.logout()
    assert client.get("/api/v1/me/", **bearer(raw)).json()["code"] == "token_revoked"
    assert client.get("/api/v1/me/", **bearer(colleague_raw)).status_code == 200


def test_admin_saving_an_organiser_unchanged_keeps_their_tokens(client):
    superuser = OrganiserFactory(email="beheerder@example.org")
    owner = OrganiserFactory(email="organisator@example.org")
    token, raw = make_token(owner)
    client.force_login(superuser)  # with the second step (tests/conftest.py)

    response = client.post(
        f"/beheer/common/user/{owner.pk}/change/", admin_form(owner, name="Nieuwe naam")
    )

    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is None
    assert not AuditLog.objects.filter(action="api_token_revoked").exists()
    client.logout()
    assert client.get("/api/v1/me/", **bearer(raw)).status_code == 200


def test_revoke_tokens_of_user_does_nothing_for_an_active_organiser():
    owner = OrganiserFactory()
    token, _raw = make_token(owner)

    assert tokens.revoke_tokens_of_user(user=owner, actor=owner) == 0

    token.refresh_from_db()
    assert token.revoked_at is None


def test_a_demoted_organiser_cannot_make_a_new_token():
    owner = OrganiserFactory()
    owner.role = Role.JUROR
    owner.save(update_fields=["role"])

    with pytest.raises(tokens.NotAllowed):
        make_token(owner)

    assert not ApiToken.objects.filter(user=owner).exists()
