"""Personal API tokens: made by organisers, shown once, stored hashed, scoped, expiring,
revocable; and the API's shared behaviour (error shape, languages, throttles)."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.core.cache import cache
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext
from rest_framework.throttling import SimpleRateThrottle

from common import tokens
from common.errors import NotAllowed
from common.models import ApiToken, AuditLog
from tests.factories import OrganiserFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """Throttle counters live in the cache; every test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def organiser():
    return OrganiserFactory(email="organisator@example.org")


def make_token(user, *, scope=ApiToken.Scope.READ_WRITE, days=30, name="Script"):
    return tokens.create_token(
        user=user, name=name, scope=scope, expires_at=timezone.now() + dt.timedelta(days=days)
    )


def _in(language: str, msgid: str, **params) -> str:
    """``msgid`` in ``language`` (the Dutch text comes with the nl catalogue)."""
    with translation.override(language):
        if "seconds" in params:
            n = params["seconds"]
            return ngettext(msgid.replace("seconds.", "second."), msgid, n) % params
        return gettext(msgid)


def bearer(raw: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


# --- The service ---------------------------------------------------------------------------


def test_create_token_stores_only_the_hash_and_audits_without_the_secret(organiser):
    token, raw = make_token(organiser, scope=ApiToken.Scope.READ)

    assert raw.startswith(f"vpt_{token.prefix}_")
    assert len(raw) > 40
    stored = ApiToken.objects.get()
    assert stored.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in {str(v) for v in ApiToken.objects.values().get().values()}
    audit = AuditLog.objects.get(action="api_token_created")
    assert (audit.actor, audit.object_id) == (organiser, str(token.pk))
    assert audit.data["prefix"] == token.prefix
    assert raw not in str(audit.data)


def test_two_tokens_have_different_secrets_and_prefixes(organiser):
    first, raw1 = make_token(organiser)
    second, raw2 = make_token(organiser)

    assert raw1 != raw2
    assert first.prefix != second.prefix


@pytest.mark.parametrize("role", ["entrant", "juror"])
def test_only_organisers_can_make_tokens(role):
    with pytest.raises(NotAllowed):
        make_token(UserFactory(role=role))

    assert ApiToken.objects.count() == 0


@pytest.mark.parametrize(
    ("delta", "code"),
    [
        (dt.timedelta(seconds=-1), "expires_at"),
        (dt.timedelta(days=367), "expires_at"),
    ],
)
def test_expiry_must_lie_within_a_year(organiser, delta, code):
    with pytest.raises(tokens.TokenError) as error:
        tokens.create_token(
            user=organiser, name="x", scope="read", expires_at=timezone.now() + delta
        )

    assert error.value.code == code
    assert ApiToken.objects.count() == 0


@pytest.mark.parametrize(("name", "scope", "code"), [("  ", "read", "name"), ("x", "all", "scope")])
def test_name_and_scope_are_required(organiser, name, scope, code):
    with pytest.raises(tokens.TokenError) as error:
        tokens.create_token(
            user=organiser,
            name=name,
            scope=scope,
            expires_at=timezone.now() + dt.timedelta(days=1),
        )

    assert error.value.code == code


def test_revoking_twice_audits_once(organiser):
    token, _raw = make_token(organiser)

    tokens.revoke_token(token=token, actor=organiser)
    again = tokens.revoke_token(token=token, actor=organiser)

    assert again.revoked_at is not None
    assert AuditLog.objects.filter(action="api_token_revoked").count() == 1


def test_another_organiser_cannot_revoke_my_token(organiser):
    token, _raw = make_token(organiser)
    other = OrganiserFactory(is_superuser=False)

    with pytest.raises(NotAllowed):
        tokens.revoke_token(token=token, actor=other)

    token.refresh_from_db()
    assert token.revoked_at is None


# --- Authentication through the API ------------------------------------------------------------


def test_bearer_token_authenticates_as_its_user_and_notes_the_use(client, organiser):
    token, raw = make_token(organiser, scope=ApiToken.Scope.READ, name="Export")

    response = client.get("/api/v1/me/", **bearer(raw))

    assert response.status_code == 200
    body = response.json()
    assert (body["email"], body["role"], body["is_organiser"]) == (
        "organisator@example.org",
        "organiser",
        True,
    )
    assert body["token"]["prefix"] == token.prefix
    assert (body["token"]["name"], body["token"]["scope"]) == ("Export", "read")
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_session_client_has_no_token(client, organiser):
    client.force_login(organiser)

    response = client.get("/api/v1/me/")

    assert response.json()["token"] is None


@pytest.mark.parametrize(
    "make",
    [
        lambda raw: raw + "x",
        lambda raw: "vpt_onzin",
        lambda raw: raw[4:],
        lambda raw: raw.replace("_", " ", 1),
        lambda raw: "x" * 500,
    ],
)
def test_unknown_token_is_401(client, organiser, make):
    _token, raw = make_token(organiser)

    response = client.get("/api/v1/me/", **bearer(make(raw)))

    assert response.status_code == 401
    assert response.json()["code"] == "token_invalid"
    assert response.json()["message"] == _in("nl", "This API token is not valid.")
    assert response.json()["fields"] == {}
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_expired_token_is_401(client, organiser):
    token, raw = make_token(organiser)
    ApiToken.objects.filter(pk=token.pk).update(
        created_at=timezone.now() - dt.timedelta(days=2),
        expires_at=timezone.now() - dt.timedelta(seconds=1),
    )

    response = client.get("/api/v1/me/", **bearer(raw))

    assert response.status_code == 401
    assert response.json()["code"] == "token_expired"


def test_revoked_token_is_401(client, organiser):
    token, raw = make_token(organiser)
    tokens.revoke_token(token=token, actor=organiser)

    response = client.get("/api/v1/me/", **bearer(raw))

    assert response.status_code == 401
    assert response.json()["code"] == "token_revoked"


def test_token_of_a_blocked_account_is_401(client, organiser):
    _token, raw = make_token(organiser)
    organiser.is_active = False
    organiser.save()

    response = client.get("/api/v1/me/", **bearer(raw))

    assert response.status_code == 401
    assert response.json()["code"] == "blocked"


def test_anonymous_is_401_with_the_error_shape(client):
    response = client.get("/api/v1/me/")

    assert response.status_code == 401
    assert response.json() == {
        "code": "not_authenticated",
        "message": "Authenticatiegegevens zijn niet opgegeven.",
        "fields": {},
    }


def test_read_only_token_may_not_write(client, organiser):
    _token, raw = make_token(organiser, scope=ApiToken.Scope.READ)

    response = client.post(
        "/api/v1/entries/1/vlog-uploads/",
        {"filename": "vlog.mp4", "size": 10},
        content_type="application/json",
        **bearer(raw),
    )

    assert response.status_code == 403
    assert response.json()["code"] == "token_read_only"


def test_read_only_token_may_read(client, organiser):
    _token, raw = make_token(organiser, scope=ApiToken.Scope.READ)

    assert client.get("/api/v1/me/", **bearer(raw)).status_code == 200
    assert client.head("/api/v1/me/", **bearer(raw)).status_code == 200
    assert client.options("/api/v1/me/", **bearer(raw)).status_code == 200


def test_permission_class_also_refuses_unsafe_methods_for_read_tokens(rf, organiser):
    from common.api import TokenScopePermission

    token, _raw = make_token(organiser, scope=ApiToken.Scope.READ)
    request = rf.post("/")
    request.auth = token

    with pytest.raises(Exception) as error:
        TokenScopePermission().has_permission(request, view=None)

    assert error.value.get_codes() == "token_read_only"


# --- Error shape and languages -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, "Authenticatiegegevens zijn niet opgegeven."),
        ({"HTTP_ACCEPT_LANGUAGE": "nl"}, "Authenticatiegegevens zijn niet opgegeven."),
        ({"HTTP_ACCEPT_LANGUAGE": "en"}, "Authentication credentials were not provided."),
        (
            {"HTTP_ACCEPT_LANGUAGE": "en-GB,en;q=0.9"},
            "Authentication credentials were not provided.",
        ),
        ({"HTTP_ACCEPT_LANGUAGE": "de"}, "Authenticatiegegevens zijn niet opgegeven."),
    ],
)
def test_accept_language_picks_the_message_language(client, headers, message):
    response = client.get("/api/v1/me/", **headers)

    assert response.json()["message"] == message


@pytest.mark.parametrize(("language", "message"), [("nl", "Niet gevonden."), ("en", "Not found.")])
def test_unknown_api_address_is_404_in_the_error_shape(client, language, message):
    response = client.get("/api/v1/bestaat-niet/", HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": message, "fields": {}}


def test_wrong_method_is_405_in_the_error_shape(client, organiser):
    client.force_login(organiser)

    response = client.delete("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 405
    assert response.json() == {
        "code": "method_not_allowed",
        "message": 'Method "DELETE" not allowed.',
        "fields": {},
    }


# --- Throttles ---------------------------------------------------------------------------------


@pytest.fixture
def low_rates(monkeypatch):
    """DRF's throttles read their rates once (a class attribute): patch that dict."""
    rates = dict(SimpleRateThrottle.THROTTLE_RATES)
    rates.update(user="3/minute", anon="2/minute", auth="3/minute")
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)
    return rates


def test_user_throttle_answers_429_in_dutch_with_retry_after(client, organiser, low_rates):
    _token, raw = make_token(organiser)
    for _ in range(3):
        assert client.get("/api/v1/me/", **bearer(raw)).status_code == 200

    response = client.get("/api/v1/me/", **bearer(raw))

    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "throttled"
    wait = int(response["Retry-After"])
    assert body["message"] == _in(
        "nl", "Too many requests. Try again in %(seconds)d seconds.", seconds=wait
    )
    assert body["fields"] == {}
    assert 0 < int(response["Retry-After"]) <= 60


def test_throttle_message_in_english(client, organiser, low_rates):
    client.force_login(organiser)
    for _ in range(3):
        client.get("/api/v1/me/")

    response = client.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 429
    wait = int(response["Retry-After"])
    assert response.json()["message"] == f"Too many requests. Try again in {wait} seconds."


def test_anonymous_clients_are_throttled_per_address(client, low_rates):
    for _ in range(2):
        assert client.get("/api/v1/editions/").status_code == 200

    response = client.get("/api/v1/editions/")

    assert response.status_code == 429
    other = client.get("/api/v1/editions/", REMOTE_ADDR="10.0.0.2")
    assert other.status_code == 200


def test_failed_token_attempts_are_throttled_even_for_a_good_token(client, organiser, low_rates):
    _token, raw = make_token(organiser)
    for _ in range(3):
        assert client.get("/api/v1/me/", **bearer("vpt_fout")).status_code == 401

    response = client.get("/api/v1/me/", **bearer(raw))

    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert "Retry-After" in response


def test_expired_and_revoked_tokens_are_not_counted_as_guesses(client, organiser, low_rates):
    low_rates["user"] = "100/minute"
    revoked, revoked_raw = make_token(organiser)
    tokens.revoke_token(token=revoked, actor=organiser)
    _token, raw = make_token(organiser)

    statuses = [client.get("/api/v1/me/", **bearer(revoked_raw)).status_code for _ in range(5)]

    assert statuses == [401] * 5
    assert client.get("/api/v1/me/", **bearer(raw)).status_code == 200


def test_good_token_use_does_not_count_as_failure(client, organiser, low_rates):
    low_rates["user"] = "100/minute"
    _token, raw = make_token(organiser)

    statuses = [client.get("/api/v1/me/", **bearer(raw)).status_code for _ in range(5)]

    assert statuses == [200] * 5


# --- The organiser's page ------------------------------------------------------------------------


def _form(**overrides) -> dict:
    data = {
        "name": "Export voor de website",
        "scope": "read",
        "expires_on": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
    }
    return {**data, **overrides}


def test_page_shows_the_secret_once(client, organiser):
    client.force_login(organiser)

    response = client.post("/api-sleutels/", _form())

    assert response.status_code == 200
    token = ApiToken.objects.get()
    secret = response.context["secret"]
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret in response.content.decode()
    assert "Cache-Control" in response and "no-store" in response["Cache-Control"]
    again = client.get("/api-sleutels/")
    assert secret not in again.content.decode()
    assert f"vpt_{token.prefix}" in again.content.decode()
    assert token.name == "Export voor de website"
    assert token.scope == "read"
    local_end = timezone.localtime(token.expires_at)
    assert (local_end.date(), local_end.hour, local_end.minute) == (
        timezone.localdate() + dt.timedelta(days=30),
        23,
        59,
    )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": ""}, "name"),
        ({"scope": "admin"}, "scope"),
        ({"expires_on": ""}, "expires_on"),
        ({"expires_on": "morgen"}, "expires_on"),
        ({"expires_on": (timezone.localdate() - dt.timedelta(days=1)).isoformat()}, "expires_on"),
        ({"expires_on": (timezone.localdate() + dt.timedelta(days=366)).isoformat()}, "expires_on"),
        ({"name": "x" * 101}, "name"),
    ],
)
def test_page_refuses_bad_input_and_makes_nothing(client, organiser, overrides, field):
    client.force_login(organiser)

    response = client.post("/api-sleutels/", _form(**overrides))

    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert response.context["secret"] is None
    assert ApiToken.objects.count() == 0


def test_page_revokes_own_token(client, organiser):
    token, raw = make_token(organiser)
    client.force_login(organiser)

    response = client.post(f"/api-sleutels/{token.pk}/intrekken/")

    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    client.logout()
    assert client.get("/api/v1/me/", **bearer(raw)).status_code == 401


def test_page_does_not_show_or_revoke_another_organisers_token(client, organiser):
    theirs, _raw = make_token(OrganiserFactory(), name="Van een ander")
    client.force_login(organiser)

    page = client.get("/api-sleutels/")
    response = client.post(f"/api-sleutels/{theirs.pk}/intrekken/")

    assert "Van een ander" not in page.content.decode()
    assert list(page.context["tokens"]) == []
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


@pytest.mark.parametrize("role", ["entrant", "juror"])
def test_page_is_404_for_others_and_not_in_their_menu(client, role):
    client.force_login(UserFactory(role=role))

    assert client.get("/api-sleutels/").status_code == 404
    assert client.post("/api-sleutels/", _form()).status_code == 404
    assert "/api-sleutels/" not in client.get("/").content.decode()
    assert ApiToken.objects.count() == 0


def test_page_is_in_the_organisers_menu(client, organiser):
    client.force_login(organiser)

    assert 'href="/api-sleutels/"' in client.get("/").content.decode()


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get("/api-sleutels/")

    assert response.status_code == 302
    assert response["Location"].startswith("/aanmelden/")


def test_admin_shows_tokens_read_only_and_revokes_them(client, organiser):
    token, raw = make_token(organiser)
    admin = OrganiserFactory()  # a superuser
    client.force_login(admin)

    listed = client.get("/beheer/common/apitoken/")
    detail = client.get(f"/beheer/common/apitoken/{token.pk}/change/")
    revoked = client.post(
        "/beheer/common/apitoken/", {"action": "revoke", "_selected_action": [token.pk]}
    )

    assert token.prefix in listed.content.decode()
    assert raw not in detail.content.decode()
    assert 'name="token_hash"' not in detail.content.decode()  # read-only, not a form field
    assert revoked.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client.get(f"/beheer/common/apitoken/{token.pk}/delete/").status_code == 403


def test_api_address_without_slash_is_redirected(client):
    response = client.get("/api/v1/editions?page=1")

    assert response.status_code == 301
    assert response["Location"] == "/api/v1/editions/?page=1"
