"""The texts people agree to are the edition's own, every version is kept, and a changed text
is asked again: of entrants on their entry pages, of jurors before they see entries again."""

import re

import pytest
from django import forms
from django.core import mail

from common.models import AuditLog
from jury import invitations
from jury.models import Assignment, JuryMember
from prijzen import services
from prijzen.forms import EditionForm
from prijzen.models import Consent, Entry, Wording
from tests.factories import (
    EntryFactory,
    JuryMemberFactory,
    OrganiserFactory,
    RoundFactory,
)

pytestmark = pytest.mark.django_db


def _edition_page_values(edition, **changes) -> dict:
    """What the edition page's form sends back when an organiser changes only ``changes``."""
    data = {}
    for field in EditionForm(instance=edition):
        if isinstance(field.field.widget, forms.CheckboxInput):
            if field.value():
                data[field.name] = "on"
        else:
            value = field.field.widget.format_value(field.value())
            data[field.name] = "" if value is None else value
    return {**data, **changes}


def _change_text(client, edition, kind, text):
    client.force_login(OrganiserFactory())
    response = client.post(
        f"/organisatie/edities/{edition.slug}/",
        _edition_page_values(edition, **{f"text_{kind}": text}),
    )
    assert response.status_code == 302, response.context["form"].errors


def test_a_changed_text_is_a_new_version_and_the_old_one_is_kept(client):
    entry = EntryFactory()
    edition = entry.edition
    owner = entry.initiative.owner
    services.set_consents(entry=entry, given={"privacy", "people"}, actor=owner)

    _change_text(client, edition, "privacy", "Wij bewaren jullie gegevens tot 1 juli.")
    _change_text(client, edition, "privacy", "Wij bewaren jullie gegevens tot 1 juli.")

    versions = Wording.objects.filter(edition=edition, kind="privacy").order_by("version")
    assert [(w.version, w.text[:22]) for w in versions] == [
        (1, "Ik heb de privacyverkl"),
        (2, "Wij bewaren jullie geg"),
    ]
    assert Wording.objects.filter(edition=edition).count() == 5  # one change, saved twice
    given = Consent.objects.get(entry=entry, kind="privacy")
    assert given.wording.version == 1  # the consent keeps the words that were shown
    assert AuditLog.objects.filter(action="wording_changed").count() == 1


def test_an_entrant_is_asked_again_and_the_record_keeps_both_texts(client):
    entry = EntryFactory()
    owner = entry.initiative.owner
    services.set_consents(entry=entry, given={"privacy", "people", "publication"}, actor=owner)
    _change_text(client, entry.edition, "privacy", "Wij bewaren jullie gegevens tot 1 juli.")

    client.force_login(owner)
    form_page = client.get(f"/inzendingen/{entry.pk}/bewerken/").content.decode()
    assert (
        "Wij bewaren jullie gegevens tot 1 juli. (deze tekst is veranderd: lees hem en "
        "vink hem opnieuw aan)"
    ) in form_page
    assert 'value="privacy"\n' not in form_page and 'value="privacy" checked' not in form_page
    fresh = Entry.objects.get(pk=entry.pk)  # as the next request reads it
    missing = [str(m) for m in services.missing_for_submission(fresh)]
    assert "akkoord met de privacyverklaring" in missing

    data = {
        "category": entry.category_id,
        "title": "",
        "summary": "",
        "answer": "",
        "consents": ["privacy", "people", "publication"],
    }
    client.post(f"/inzendingen/{entry.pk}/bewerken/", data, HTTP_X_AUTOSAVE="1")

    privacy = Consent.objects.filter(entry=entry, kind="privacy").order_by("pk")
    assert [(c.wording.version, c.withdrawn_at is None) for c in privacy] == [(1, False), (2, True)]
    people = Consent.objects.filter(entry=entry, kind="people")
    assert [c.wording.version for c in people] == [1]  # unchanged text: nothing asked again
    assert services.outdated_consents(Entry.objects.get(pk=entry.pk)) == set()
    client.force_login(OrganiserFactory())
    record = client.get(f"/inzendingen/{entry.pk}/").content.decode()
    assert "(versie van de tekst 1): “Ik heb de privacyverklaring gelezen." in record
    assert "(versie van de tekst 2): “Wij bewaren jullie gegevens tot 1 juli.”" in record


def test_a_changed_gallery_text_is_asked_again_on_the_entry_page(client):
    entry = EntryFactory(state="submitted")
    owner = entry.initiative.owner
    services.set_publication_consent(entry=entry, given=True, actor=owner)
    _change_text(client, entry.edition, "publication", "De vlog mag ook op onze website.")

    client.force_login(owner)
    page = client.get(f"/inzendingen/{entry.pk}/").content.decode()
    assert "“De vlog mag ook op onze website.”" in page
    assert "Ik ga akkoord met de nieuwe tekst" in page

    client.post(f"/inzendingen/{entry.pk}/publicatie/", {"publication": "1"})

    active = Consent.objects.get(entry=entry, kind="publication", withdrawn_at__isnull=True)
    assert active.wording.text == "De vlog mag ook op onze website."
    assert (
        "Ik ga akkoord met de nieuwe tekst"
        not in client.get(f"/inzendingen/{entry.pk}/").content.decode()
    )


def test_changed_jury_terms_hide_the_entries_until_the_juror_accepts_them(client):
    round_ = RoundFactory(state="open")
    member = JuryMemberFactory(round=round_)
    entry = EntryFactory(category__edition=round_.edition, state="submitted")
    assignment = Assignment.objects.create(round=round_, entry=entry, user=member.user)
    other_edition_member = JuryMemberFactory()

    _change_text(client, round_.edition, "jury_terms", "Ik deel niets, ook niet na de prijs.")

    member.refresh_from_db()
    assert member.terms_accepted_at is None
    other_edition_member.refresh_from_db()
    assert other_edition_member.terms_accepted_at is not None
    client.force_login(member.user)
    home = client.get("/jury/").content.decode()
    assert "De geheimhoudingsvoorwaarden zijn veranderd" in home
    assert assignment.entry.title not in home
    assert client.get(f"/jury/beoordelen/{assignment.pk}/").status_code == 404

    terms = client.get(f"/jury/rondes/{round_.pk}/voorwaarden/").content.decode()
    assert "Ik deel niets, ook niet na de prijs." in terms
    refused = client.post(f"/jury/rondes/{round_.pk}/voorwaarden/", {})
    assert refused.status_code == 200
    assert JuryMember.objects.get(pk=member.pk).terms_accepted_at is None

    accepted = client.post(f"/jury/rondes/{round_.pk}/voorwaarden/", {"terms": "on"})

    assert accepted["Location"] == "/jury/"
    member.refresh_from_db()
    assert (member.terms_wording.version, member.terms_accepted_at is not None) == (2, True)
    assert assignment.entry.title in client.get("/jury/").content.decode()


def test_the_invitation_shows_the_editions_own_terms(client, django_capture_on_commit_callbacks):
    round_ = RoundFactory()
    _change_text(client, round_.edition, "jury_terms", "Wat je ziet, blijft binnen de jury.")
    client.logout()
    with django_capture_on_commit_callbacks(execute=True):
        invitations.invite_juror(round_=round_, email="nieuw@example.org", actor=OrganiserFactory())
    path = re.search(r"/jury/uitnodiging/\S+/", mail.outbox[-1].body).group(0)

    page = client.get(path).content.decode()
    client.post(path, {"terms": "on"})

    assert "Wat je ziet, blijft binnen de jury." in page
    member = JuryMember.objects.get(user__email="nieuw@example.org")
    assert member.terms_wording.text == "Wat je ziet, blijft binnen de jury."


def test_a_juror_who_never_accepted_cannot_use_the_terms_page(client):
    member = JuryMemberFactory(accepted_at=None, terms_accepted_at=None)
    client.force_login(member.user)
    assert client.get(f"/jury/rondes/{member.round_id}/voorwaarden/").status_code == 404
