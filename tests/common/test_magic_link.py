import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from common.models import LoginLink, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _request(client, email: str, **extra):
    return client.post("/aanmelden/", {"email": email, **extra}, **{"REMOTE_ADDR": "10.0.0.1"})


def _link_from_outbox(index: int = -1) -> str:
    return re.search(r"http://\S+/inloggen/link/(\S+)/", mail.outbox[index].body).group(0)


def test_new_address_gets_a_link_that_creates_a_verified_account(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _request(client, "Nieuw@Voorbeeld.nl")

    assert response.status_code == 302
    assert response["Location"] == "/aanmelden/verstuurd/"
    assert [m.to for m in mail.outbox] == [["nieuw@voorbeeld.nl"]]
    assert mail.outbox[0].subject == "Je inloglink voor de Vrijwilligersprijzen"
    assert User.objects.count() == 0  # nothing is created until the link is used
    path = _link_from_outbox().split("127.0.0.1:8000")[1]

    confirm = client.get(path)
    assert LoginLink.objects.get().used_at is None
    signed_in = client.post(path)

    assert confirm.status_code == 200  # opening the link (a mail scanner may) signs nobody in
    assert signed_in.status_code == 302
    user = User.objects.get()
    assert (user.email, user.email_verified_at is not None) == ("nieuw@voorbeeld.nl", True)
    assert client.session["_auth_user_id"] == str(user.pk)


def test_known_and_unknown_addresses_get_the_same_answer(client):
    UserFactory(email="bekend@voorbeeld.nl")

    known = _request(client, "bekend@voorbeeld.nl")
    unknown = _request(client, "onbekend@voorbeeld.nl")

    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])


def test_a_link_works_once(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _request(client, "eenmalig@voorbeeld.nl")
    path = _link_from_outbox().split("127.0.0.1:8000")[1]
    client.post(path)
    client.logout()

    replay = client.post(path)

    assert replay.status_code == 400
    assert "Deze inloglink werkt niet meer." in replay.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_expired_link_is_refused(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _request(client, "laat@voorbeeld.nl")
    LoginLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    response = client.post(_link_from_outbox().split("127.0.0.1:8000")[1])

    assert response.status_code == 400
    assert User.objects.count() == 0


# The rate limits (told to the person, per address, address+client and client) are tested in
# tests/security/test_sign_in_limits.py.


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("", "Vul je e-mailadres in."),
        ("geen-adres", "Dit is geen geldig e-mailadres. Kijk of er een typfout in zit."),
    ],
)
def test_a_bad_address_gets_a_clear_message(client, email, message):
    response = _request(client, email)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert LoginLink.objects.count() == 0


def test_next_page_is_kept_but_only_on_this_site(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _request(client, "a@voorbeeld.nl", next="/initiatief/")
        _request(client, "b@voorbeeld.nl", next="https://kwaadaardig.example/")

    first = client.post(_link_from_outbox(0).split("127.0.0.1:8000")[1])
    client.logout()
    second = client.post(_link_from_outbox(1).split("127.0.0.1:8000")[1])

    assert first["Location"] == "/initiatief/"
    assert second["Location"] == "/"
