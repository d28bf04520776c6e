"""Issue 11, finding 3: two-step sign-in.

Organisers (and the admin) always need a code from an authenticator app after the password or
the e-mail link; jury members when their edition asks for it. The e-mail link alone never
opens an organiser's account: a session signed in by link cannot set up the first
authenticator. Walked through the pages: sign-in form, set-up, recovery codes, second step.
"""

import re
import time
from base64 import b32decode
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from common import tokens
from common.models import AuditLog
from tests.factories import PASSWORD, JuryMemberFactory, OrganiserFactory, UserFactory

pytestmark = pytest.mark.django_db

ORGANISER_PAGE = "/api-sleutels/"
NEXT = "next=%2Fapi-sleutels%2F"  # ORGANISER_PAGE as the steps' next


def _password_sign_in(email: str) -> Client:
    client = Client()
    response = client.post("/inloggen/", {"username": email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:300]
    return client


def _link_sign_in(client: Client, email: str, django_capture_on_commit_callbacks) -> Client:
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/aanmelden/", {"email": email})
    path = re.search(r"/inloggen/link/\S+/", mail.outbox[-1].body).group(0)
    assert client.post(path).status_code == 302
    return client


def _code(key: str) -> str:
    """What the authenticator app shows for the key the set-up page printed."""
    totp = TOTP(b32decode(key.replace(" ", "")))
    return f"{totp.token():06d}"


def _key(page) -> str:
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html  # the QR code, inline (no script, no image host)
    return re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', html).group(1)


def _set_up(client: Client) -> list[str]:
    key = _key(client.get("/tweestaps/instellen/?next=/api-sleutels/"))
    done = client.post("/tweestaps/instellen/", {"code": _code(key), "next": ORGANISER_PAGE})
    assert done.status_code == 200
    return re.findall(r"<li><code>([a-z0-9]+)</code></li>", done.content.decode())


def test_an_organiser_signed_in_by_password_sets_up_the_second_step_first():
    organiser = OrganiserFactory(email="organisator@example.org")
    client = _password_sign_in(organiser.email)

    held = client.get(ORGANISER_PAGE)
    api = client.get("/api/v1/editions/")
    admin = client.get("/beheer/")
    codes = _set_up(client)

    assert held.status_code == 302
    assert held["Location"] == f"/tweestaps/instellen/?{NEXT}"
    assert api.status_code == 403
    assert api.json()["code"] == "second_factor_required"
    assert admin["Location"].startswith("/tweestaps/instellen/")
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get(ORGANISER_PAGE).status_code == 200
    assert client.get("/beheer/").status_code == 200
    assert TOTPDevice.objects.get(user=organiser).confirmed is True
    assert AuditLog.objects.filter(action="second_factor_set_up", actor=organiser).count() == 1


def test_the_next_sign_in_asks_for_a_code_and_a_recovery_code_works_once():
    organiser = OrganiserFactory(email="organisator@example.org")
    codes = _set_up(_password_sign_in(organiser.email))

    client = _password_sign_in(organiser.email)
    held = client.get(ORGANISER_PAGE)
    used = client.post("/tweestaps/", {"code": codes[0], "next": ORGANISER_PAGE})

    assert held["Location"] == f"/tweestaps/?{NEXT}"
    assert used["Location"] == ORGANISER_PAGE
    assert client.get(ORGANISER_PAGE).status_code == 200
    assert AuditLog.objects.filter(action="recovery_code_used").count() == 1

    again = _password_sign_in(organiser.email)
    reused = again.post("/tweestaps/", {"code": codes[0], "next": ORGANISER_PAGE})
    assert reused.status_code == 400  # each recovery code works once
    time.sleep(1.1)  # a wrong code makes the next try wait a second (and longer each time)
    assert again.post("/tweestaps/", {"code": codes[1]})["Location"] == "/"


def test_wrong_codes_slow_down_guessing():
    organiser = OrganiserFactory()
    _set_up(_password_sign_in(organiser.email))
    device = TOTPDevice.objects.get(user=organiser)
    client = _password_sign_in(organiser.email)

    wrong = client.post("/tweestaps/", {"code": "000000"})
    right_away = client.post("/tweestaps/", {"code": f"{TOTP(device.bin_key).token():06d}"})

    assert wrong.status_code == 400
    assert "Die code klopt niet" in wrong.content.decode()
    assert right_away.status_code == 400  # refused while the wait lasts, though it is right
    assert client.get(ORGANISER_PAGE).status_code == 302
    # A try while waiting is not checked at all, so it does not count as a failure either.
    assert TOTPDevice.objects.get(pk=device.pk).throttling_failure_count == 1


def test_an_email_link_alone_never_opens_an_organisers_account(django_capture_on_commit_callbacks):
    organiser = OrganiserFactory(email="organisator@example.org")
    client = _link_sign_in(Client(), organiser.email, django_capture_on_commit_callbacks)

    held = client.get(ORGANISER_PAGE)
    refused = client.get("/tweestaps/instellen/")
    refused_post = client.post("/tweestaps/instellen/", {"code": "123456"})

    assert held["Location"] == f"/tweestaps/instellen/?{NEXT}"
    assert refused.status_code == 403
    assert "Log in met je wachtwoord" in refused.content.decode()
    assert refused_post.status_code == 403
    assert not TOTPDevice.objects.exists()

    # With an authenticator set up by password, the link is the first step of two.
    _set_up(_password_sign_in(organiser.email))
    by_link = _link_sign_in(Client(), organiser.email, django_capture_on_commit_callbacks)
    assert by_link.get(ORGANISER_PAGE)["Location"] == f"/tweestaps/?{NEXT}"
    assert by_link.get("/tweestaps/instellen/").status_code == 403  # no second app by link


def test_api_tokens_are_not_sessions_and_keep_working():
    organiser = OrganiserFactory()
    _token, secret = tokens.create_token(
        user=organiser, name="export", scope="read", expires_at=timezone.now() + timedelta(days=1)
    )

    response = Client().get("/api/v1/editions/", HTTP_AUTHORIZATION=f"Bearer {secret}")

    assert response.status_code == 200


def test_entrants_never_and_jurors_when_their_edition_asks(django_capture_on_commit_callbacks):
    entrant = UserFactory(email="inzender@example.org")
    member = JuryMemberFactory(user__email="jurylid@example.org")
    organiser = OrganiserFactory()
    organisers = Client()
    organisers.force_login(organiser)  # passes the second step (tests/conftest.py)

    assert _password_sign_in(entrant.email).get("/inzendingen/").status_code == 200
    assert _password_sign_in(member.user.email).get("/jury/").status_code == 200

    turned_on = organisers.post(f"/jury/rondes/{member.round.pk}/tweestaps/", {"required": "1"})
    juror = _link_sign_in(Client(), member.user.email, django_capture_on_commit_callbacks)
    held = juror.get("/jury/")
    codes = _set_up(juror)  # a juror may set it up from a link sign-in: not an organiser

    assert turned_on.status_code == 302
    assert held["Location"] == "/tweestaps/instellen/?next=%2Fjury%2F"
    assert len(codes) == 10
    assert juror.get("/jury/").status_code == 200
    assert _password_sign_in(entrant.email).get("/inzendingen/").status_code == 200
    assert AuditLog.objects.filter(action="jury_second_factor", actor=organiser).count() == 1


def test_someone_else_with_the_password_cannot_plant_the_key():
    """The key being set up lives in one session: whoever else signs in sees another key, and
    theirs never works once the owner has confirmed their own."""
    organiser = OrganiserFactory(email="organisator@example.org")
    intruder, owner = _password_sign_in(organiser.email), _password_sign_in(organiser.email)

    planted = _key(intruder.get("/tweestaps/instellen/"))
    owners = _key(owner.get("/tweestaps/instellen/"))
    owner.post("/tweestaps/instellen/", {"code": _code(owners)})
    attempt = intruder.post("/tweestaps/instellen/", {"code": _code(planted)})
    later = _password_sign_in(organiser.email)
    guessed = later.post("/tweestaps/", {"code": _code(planted)})

    assert planted != owners
    assert attempt.status_code == 403  # the account has an authenticator now: second step first
    assert guessed.status_code == 400
    assert TOTPDevice.objects.filter(user=organiser).count() == 1
    assert later.get(ORGANISER_PAGE).status_code == 302


def test_a_wrong_app_code_does_not_make_the_recovery_codes_wait():
    organiser = OrganiserFactory()
    codes = _set_up(_password_sign_in(organiser.email))
    client = _password_sign_in(organiser.email)

    client.post("/tweestaps/", {"code": "000000"})
    recovered = client.post("/tweestaps/", {"code": codes[0]})

    assert recovered["Location"] == "/"


def test_an_entrant_invited_to_a_jury_that_asks_for_it_needs_the_second_step():
    entrant = UserFactory(email="inzender@example.org")  # the role stays "entrant"
    member = JuryMemberFactory(user=entrant, round__edition__jury_second_factor=True)

    held = _password_sign_in(entrant.email).get(f"/jury/?ronde={member.round.pk}&x=1")

    wanted = f"next=%2Fjury%2F%3Fronde%3D{member.round.pk}%26x%3D1"  # the whole address
    assert held["Location"] == f"/tweestaps/instellen/?{wanted}"


def test_the_admin_shows_no_key_and_makes_no_device():
    organiser = OrganiserFactory()
    _set_up(_password_sign_in(organiser.email))
    device = TOTPDevice.objects.get(user=organiser)
    admin = Client()
    admin.force_login(OrganiserFactory())

    page = admin.get(f"/beheer/otp_totp/totpdevice/{device.pk}/change/")
    add = admin.get("/beheer/otp_totp/totpdevice/add/")
    config = admin.get(f"/beheer/otp_totp/totpdevice/{device.pk}/config/")

    assert page.status_code == 200
    assert device.key not in page.content.decode()
    assert add.status_code == 403
    assert config.status_code in (302, 404)  # no such page: the admin's catch-all


def test_an_account_that_needs_no_second_step_gets_no_authenticator():
    entrant = UserFactory(email="inzender@example.org")
    client = _password_sign_in(entrant.email)

    page = client.get("/tweestaps/instellen/")
    posted = client.post("/tweestaps/instellen/", {"code": "123456"})

    assert "Je account vraagt niet om een tweede stap" in page.content.decode()
    assert posted.status_code == 200
    assert not TOTPDevice.objects.exists()
