import pytest
from django.contrib.auth import authenticate

from common.enums import Role
from common.models import User


@pytest.mark.django_db
def test_create_user_normalises_email_and_defaults_to_entrant():
    user = User.objects.create_user("Ingrid@Example.ORG", "geheim-wachtwoord-123")

    assert user.email == "ingrid@example.org"
    assert user.role == Role.ENTRANT
    assert (user.is_organiser, user.is_juror, user.is_staff) == (False, False, False)


@pytest.mark.django_db
def test_create_user_without_password_cannot_log_in_with_password():
    user = User.objects.create_user("magic@example.org")

    assert user.has_usable_password() is False


@pytest.mark.django_db
def test_create_superuser_is_staff_organiser():
    user = User.objects.create_superuser("baas@example.org", "geheim-wachtwoord-123")

    assert (user.role, user.is_staff, user.is_superuser) == (Role.ORGANISER, True, True)


@pytest.mark.django_db
def test_authenticate_by_email_ignores_case():
    user = User.objects.create_user("jurylid@example.org", "geheim-wachtwoord-123")

    assert authenticate(username="JuryLid@Example.org", password="geheim-wachtwoord-123") == user
    assert authenticate(username="jurylid@example.org", password="fout") is None


@pytest.mark.django_db
def test_email_unique_regardless_of_case():
    from django.db import IntegrityError, transaction

    User.objects.create_user("dubbel@example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="DUBBEL@example.org")
    assert User.objects.count() == 1


def _sign_in(client, email, password, ip="10.0.0.1"):
    return client.post("/inloggen/", {"username": email, "password": password}, REMOTE_ADDR=ip)


@pytest.mark.django_db
def test_password_sign_in_locks_an_address_after_ten_failures(client):
    from tests.factories import PASSWORD, UserFactory

    user = UserFactory(email="sanne@example.org")
    other = UserFactory(email="kees@example.org")
    for _attempt in range(10):
        wrong = _sign_in(client, "Sanne@example.org", "fout")
        assert "Het e-mailadres of het wachtwoord klopt niet" in wrong.content.decode()

    locked = _sign_in(client, "sanne@example.org", PASSWORD)
    allowed = _sign_in(client, other.email, PASSWORD)

    assert locked.status_code == 200  # the form again, not signed in
    assert "Te veel pogingen om in te loggen." in locked.content.decode()
    assert (allowed.status_code, allowed["Location"]) == (302, "/")
    assert user.last_login is None


@pytest.mark.django_db
def test_password_sign_in_locks_a_client_address_after_fifty_failures(client):
    from tests.factories import PASSWORD, UserFactory

    user = UserFactory()
    for i in range(50):
        _sign_in(client, f"raden{i}@example.org", "fout", ip="10.0.0.9")

    from_there = _sign_in(client, user.email, PASSWORD, ip="10.0.0.9")
    elsewhere = _sign_in(client, user.email, PASSWORD, ip="10.0.0.10")

    assert "Te veel pogingen om in te loggen." in from_there.content.decode()
    assert elsewhere.status_code == 302
