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
