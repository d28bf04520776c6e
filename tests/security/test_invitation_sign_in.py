"""Finding 3 (part): a jury invitation link never signs an organiser or superuser in; a
juror who accepts is signed in, marked as signed in by a link."""

import re

import pytest
from django.core import mail

from jury import invitations
from tests.factories import OrganiserFactory, RoundFactory, UserFactory
from web.accounts.second_factor import SIGNED_IN_BY_LINK

pytestmark = pytest.mark.django_db


def _accept(client, email, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitations.invite_juror(round_=RoundFactory(), email=email, actor=OrganiserFactory())
    path = re.search(r"/jury/uitnodiging/\S+/", mail.outbox[-1].body).group(0)
    return client.post(path, {"terms": "on"})


def test_a_jury_invitation_does_not_sign_an_organiser_in(
    client, django_capture_on_commit_callbacks
):
    organiser = OrganiserFactory()

    accepted = _accept(client, organiser.email, django_capture_on_commit_callbacks)

    assert accepted["Location"] == "/inloggen/?next=/jury/"
    assert "_auth_user_id" not in client.session


def test_a_juror_who_accepts_is_signed_in_by_the_link(client, django_capture_on_commit_callbacks):
    juror = UserFactory(role="juror")

    accepted = _accept(client, juror.email, django_capture_on_commit_callbacks)

    assert accepted["Location"] == "/jury/"
    assert client.session["_auth_user_id"] == str(juror.pk)
    assert client.session[SIGNED_IN_BY_LINK] is True
