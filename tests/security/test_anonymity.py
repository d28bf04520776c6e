"""Finding 4: while a round that hides entrants' names is open, nothing a juror sees (number,
title, texts) leads to a public page: the entries it may judge are not public until it
closes. Rounds that show names, or judge another category, hide nothing."""

import pytest
from rest_framework.test import APIClient

from results.selectors import public_entries
from tests.factories import CategoryFactory, EditionFactory, RoundFactory
from tests.prijzen.results_data import public_entry

pytestmark = pytest.mark.django_db


@pytest.fixture
def gallery():
    edition = EditionFactory()
    judged, other = CategoryFactory(edition=edition), CategoryFactory(edition=edition)
    return (
        edition,
        public_entry(judged, number=7, title="Welkom bij de Voedselbank"),
        public_entry(other, number=8, title="Koffie met nieuwe vrijwilligers"),
    )


def _public_titles(client, edition):
    page = client.get(f"/edities/{edition.slug}/galerij/").content.decode()
    api = APIClient().get("/api/v1/gallery/").json()
    return (
        [t for t in ("Welkom bij de Voedselbank", "Koffie met nieuwe vrijwilligers") if t in page],
        sorted(row["title"] for row in api["results"]),
    )


def test_an_open_anonymous_round_keeps_its_entries_off_every_public_page(client, gallery):
    edition, judged, other = gallery
    round_ = RoundFactory(edition=edition, category=judged.category, hide_entrant_names=True)

    assert _public_titles(client, edition) == (
        ["Koffie met nieuwe vrijwilligers"],
        ["Koffie met nieuwe vrijwilligers"],
    )
    assert client.get(f"/edities/{edition.slug}/galerij/7/").status_code == 404
    assert APIClient().get(f"/api/v1/gallery/{judged.pk}/").status_code == 404

    round_.state = "closed"
    round_.save()

    assert list(public_entries(edition)) == [judged, other]
    assert client.get(f"/edities/{edition.slug}/galerij/7/").status_code == 200


def test_a_round_of_the_whole_edition_hides_every_entry(client, gallery):
    edition, _judged, _other = gallery
    RoundFactory(edition=edition, category=None, hide_entrant_names=True)

    assert _public_titles(client, edition) == ([], [])


@pytest.mark.parametrize(("state", "hide"), [("open", False), ("draft", True)])
def test_rounds_that_show_names_or_do_not_run_hide_nothing(client, gallery, state, hide):
    edition, judged, other = gallery
    RoundFactory(edition=edition, category=None, hide_entrant_names=hide, state=state)

    assert list(public_entries(edition)) == [judged, other]
