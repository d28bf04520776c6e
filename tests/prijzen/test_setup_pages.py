"""Organisers set up an edition, its categories, a round and its rubric through the pages, from
an empty database: no admin, no factories for what they make."""

import re

import pytest
from django.utils import timezone

from common.models import AuditLog
from jury.models import Criterion, Round
from prijzen.models import Category, Edition
from tests.factories import (
    CriterionFactory,
    EntryFactory,
    OrganiserFactory,
    RoundFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

EDITION = {
    "name": "Vrijwilligersprijzen 2027",
    "slug": "vrijwilligersprijzen-2027",
    "year": "2027",
    "theme": "Nieuwe gezichten",
    "question": "Hoe heten jullie nieuwe vrijwilligers welkom?",
    "entries_open_at": "2027-01-01T09:00",
    "entries_close_at": "2027-03-28T23:59",
    "upload_grace_minutes": "60",
    "ceremony_at": "2027-06-10T20:00",
    "max_upload_mb": "2048",
    "max_duration_seconds": "300",
    "entries_per_initiative": "1",
    "text_privacy": "Ik ken de privacyverklaring.",
    "text_people": "Iedereen vindt het goed.",
    "text_publication": "De vlog mag in de galerij.",
    "text_jury_terms": "Ik zwijg als het graf.",
}
ROUND = {
    "name": "Selectieronde",
    "kind": "selection",
    "category": "",
    "source_round": "",
    "opens_at": "2027-04-01T09:00",
    "closes_at": "2027-04-20T17:00",
    "jurors_per_entry": "3",
    "score_visibility": "after_close",
    "min_watch_share": "0.8",
    "geography_rule": "municipality",
    "official_method": "trimmed_mean",
    "reminder_days_before": "3",
}


@pytest.fixture
def organiser(client):
    user = OrganiserFactory()
    client.force_login(user)
    return user


def _errors(response) -> list[str]:
    return re.findall(r'class="errorlist"[^>]*>\s*<li>([^<]+)</li>', response.content.decode())


def test_an_organiser_makes_an_edition_from_the_home_page(client, organiser):
    home = client.get("/organisatie/").content.decode()
    assert 'href="/organisatie/edities/nieuw/"' in home

    reversed_dates = client.post(
        "/organisatie/edities/nieuw/", {**EDITION, "entries_close_at": "2026-12-01T09:00"}
    )
    assert reversed_dates.status_code == 400
    assert _errors(reversed_dates) == ["Inzenden moet sluiten nadat het opent."]
    assert not Edition.objects.exists()

    made = client.post("/organisatie/edities/nieuw/", EDITION)

    edition = Edition.objects.get()
    assert made["Location"] == "/organisatie/edities/vrijwilligersprijzen-2027/"
    assert (edition.name, edition.max_upload_bytes, edition.upload_grace_minutes) == (
        "Vrijwilligersprijzen 2027",
        2048 * 1024**2,
        60,
    )
    assert (
        timezone.localtime(edition.entries_close_at).strftime("%d-%m-%Y %H:%M")
        == "28-03-2027 23:59"
    )
    assert AuditLog.objects.filter(action="edition_created", actor=organiser).count() == 1
    page = client.get(made["Location"]).content.decode()
    assert 'value="2027-03-28T23:59"' in page  # the form shows what was saved, as ISO
    again = client.post("/organisatie/edities/nieuw/", EDITION)
    assert _errors(again) == ["Een andere editie heeft deze korte naam al."]


def test_categories_are_added_renamed_and_removed_only_without_entries(client, organiser):
    client.post("/organisatie/edities/nieuw/", EDITION)
    edition = Edition.objects.get()
    add = f"/organisatie/edities/{edition.slug}/categorieen/"

    client.post(add, {"new-name": "Lokaal", "new-slug": "lokaal", "new-position": "0"})
    client.post(add, {"new-name": "Landelijk", "new-slug": "landelijk", "new-position": "1"})
    twice = client.post(add, {"new-name": "Lokaal 2", "new-slug": "lokaal", "new-position": "2"})
    lokaal, landelijk = Category.objects.order_by("position")
    client.post(
        f"/organisatie/categorieen/{lokaal.pk}/",
        {
            f"c{lokaal.pk}-name": "Lokaal initiatief",
            f"c{lokaal.pk}-slug": "lokaal",
            f"c{lokaal.pk}-position": "0",
        },
    )
    EntryFactory(edition=edition, category=landelijk)
    kept = client.post(f"/organisatie/categorieen/{landelijk.pk}/", {"delete": "1"}, follow=True)

    assert twice.status_code == 400
    assert "Deze editie heeft al een categorie met deze korte naam." in twice.content.decode()
    assert list(Category.objects.order_by("position").values_list("name", flat=True)) == [
        "Lokaal initiatief",
        "Landelijk",
    ]
    assert "Deze categorie heeft inzendingen en blijft dus." in kept.content.decode()
    client.post(f"/organisatie/categorieen/{lokaal.pk}/", {"delete": "1"})
    assert list(Category.objects.values_list("name", flat=True)) == ["Landelijk"]


def test_a_round_and_its_rubric_are_set_up_in_forms(client, organiser):
    client.post("/organisatie/edities/nieuw/", EDITION)
    edition = Edition.objects.get()
    new_round = f"/jury/edities/{edition.slug}/nieuwe-ronde/"

    bad = client.post(
        new_round, {**ROUND, "closes_at": "2027-03-01T09:00", "min_watch_share": "1.5"}
    )
    assert sorted(_errors(bad)) == [
        "De deadline ligt na het begin van het beoordelen.",
        "Vul een deel tussen 0 en 1 in, zoals 0.8.",
    ]
    made = client.post(new_round, ROUND)
    round_ = Round.objects.get()
    assert made["Location"] == f"/jury/rondes/{round_.pk}/beoordelingsformulier/"
    assert (round_.state, round_.kind, round_.jurors_per_entry, round_.official_method) == (
        "draft",
        "selection",
        3,
        "trimmed_mean",
    )

    rubric = made["Location"]
    zero = client.post(
        rubric,
        {
            "action": "add",
            "new-name_nl": "Welkom",
            "new-name_en": "Welcome",
            "new-weight": "0",
            "new-scale_min": "1",
            "new-scale_max": "5",
            "new-step": "1",
            "new-position": "0",
        },
    )
    assert zero.status_code == 400
    assert not Criterion.objects.exists()
    client.post(
        rubric,
        {
            "action": "add",
            "new-name_nl": "Welkom",
            "new-name_en": "Welcome",
            "new-weight": "2",
            "new-scale_min": "1",
            "new-scale_max": "5",
            "new-step": "1",
            "new-required": "on",
            "new-counted": "on",
            "new-position": "0",
            "new-anchor_1": "Niet zichtbaar",
            "new-anchor_5": "Iedereen voelt zich welkom",
            "new-anchor_9": "buiten de schaal",
        },
    )

    criterion = Criterion.objects.get()
    assert (criterion.name_nl, criterion.weight, criterion.scale_max) == ("Welkom", 2, 5)
    assert criterion.anchors == {"1": "Niet zichtbaar", "5": "Iedereen voelt zich welkom"}
    page = client.get(rubric).content.decode()
    assert 'value="Iedereen voelt zich welkom"' in page
    saved = f"c{criterion.pk}-anchor_"  # the saved criterion's level fields: its scale only
    assert f'name="{saved}5"' in page and f'name="{saved}6"' not in page


def test_what_is_fixed_once_a_round_opened_stays_fixed(client, organiser):
    round_ = RoundFactory(state="open", hide_entrant_names=True, jurors_per_entry=2)
    settings_page = f"/jury/rondes/{round_.pk}/instellingen/"

    page = client.get(settings_page).content.decode()
    client.post(
        settings_page,
        {**ROUND, "name": "Nieuwe naam", "jurors_per_entry": "5", "closes_at": "2030-01-01T12:00"},
    )

    changed = Round.objects.get(pk=round_.pk)
    assert "Staat vast: de ronde is geopend." in page
    assert (changed.name, changed.jurors_per_entry, changed.hide_entrant_names) == (
        "Nieuwe naam",
        2,
        True,
    )
    assert changed.kind == round_.kind


def test_a_rubric_is_copied_and_fixed_after_the_first_score(client, organiser):
    earlier = RoundFactory(state="closed")
    CriterionFactory(round=earlier, name_nl="Warm welkom")
    CriterionFactory(round=earlier, name_nl="Blijvers")
    target = RoundFactory(state="draft")
    rubric = f"/jury/rondes/{target.pk}/beoordelingsformulier/"

    client.post(rubric, {"action": "copy", "source": earlier.pk})

    assert list(target.criteria.values_list("name_nl", flat=True)) == ["Warm welkom", "Blijvers"]
    from jury.models import Assignment, Review

    entry = EntryFactory(edition=target.edition, category__edition=target.edition)
    juror = UserFactory()
    assignment = Assignment.objects.create(round=target, entry=entry, user=juror)
    Review.objects.create(assignment=assignment, scores={"1": "7"})
    first = target.criteria.first()
    refused = client.post(rubric, {"action": "delete", "criterion": first.pk}, follow=True)
    assert "Het beoordelingsformulier staat vast" in refused.content.decode()
    assert target.criteria.count() == 2


def test_someone_else_gets_404_on_every_set_up_page(client):
    edition = RoundFactory().edition
    client.force_login(UserFactory())

    for path in (
        "/organisatie/edities/nieuw/",
        f"/organisatie/edities/{edition.slug}/",
        f"/jury/edities/{edition.slug}/nieuwe-ronde/",
    ):
        assert client.get(path).status_code == 404
