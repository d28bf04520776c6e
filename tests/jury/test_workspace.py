"""The organisers' home: every edition at a glance, with what needs attention."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jury.certificates import decide_tie
from jury.models import Assignment, Conflict, Review
from media_pipeline.models import MediaAsset
from prijzen.enums import EntryState
from tests.factories import (
    EditionFactory,
    EntryFactory,
    JuryMemberFactory,
    OrganiserFactory,
    RoundFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _edition_with_work(n: int):
    """An edition with n submitted entries (one vlog failed), a draft, a round with two
    accepted jury members and one who has not accepted, half the reviews in, a found
    conflict."""
    edition = EditionFactory()
    round_ = RoundFactory(edition=edition, name=f"Selectie {edition.year}")
    members = [JuryMemberFactory(round=round_) for _n in range(2)]
    JuryMemberFactory(round=round_, accepted_at=None, terms_accepted_at=None)
    for i in range(n):
        entry = EntryFactory(edition=edition, category__edition=edition, state=EntryState.SUBMITTED)
        entry.vlog = MediaAsset.objects.create(
            owner=entry.initiative.owner,
            original_key=f"originals/{entry.pk}",
            state="failed" if i == 0 else "ready",
        )
        entry.save()
        for member in members:
            assignment = Assignment.objects.create(round=round_, entry=entry, user=member.user)
            if member is members[0]:
                Review.objects.create(assignment=assignment, state="submitted")
    EntryFactory(edition=edition, category__edition=edition)  # a draft
    Conflict.objects.create(
        round=round_,
        entry=entry,
        user=members[1].user,
        source="detected",
        reason="Zelfde gemeente.",
    )
    return edition, round_


def test_the_home_shows_each_edition_and_what_needs_attention(client):
    edition, round_ = _edition_with_work(2)
    client.force_login(OrganiserFactory())

    page = client.get("/organisatie/").content.decode()
    attention = re.findall(r'<li><a href="([^"]+)">([^<]+)</a></li>', page)

    entries = f"/organisatie/edities/{edition.slug}/inzendingen/"
    assert (entries, "1 vlog is geweigerd of mislukt.") in attention
    assert (
        f"/jury/rondes/{round_.pk}/",
        f"{round_.name}: 1 jurylid heeft nog niet geaccepteerd.",
    ) in attention
    assert (
        f"/jury/rondes/{round_.pk}/",
        f"{round_.name}: 1 gevonden belangenconflict om te beoordelen.",
    ) in attention
    assert re.search(r"<dt>Ingediend</dt><dd>2</dd>", page)
    assert re.search(r"<dt>Concepten</dt><dd>1</dd>", page)
    assert f'<a href="/jury/rondes/{round_.pk}/">{round_.name}</a>' in page
    # Accepted of invited (2 of 3), and reviews submitted of the assignments the jurors may
    # see (2 of 3: the conflicted one is no work, so the round can be complete).
    assert page.count("<td>2 van 3</td>") == 2
    assert 'href="/organisatie/"' in page  # in the header


@pytest.mark.parametrize("editions", [1, 4])
def test_the_home_takes_the_same_queries_for_one_or_many_editions(client, editions):
    for _n in range(editions):
        _edition_with_work(3)
    client.force_login(OrganiserFactory())

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/organisatie/")

    assert response.status_code == 200
    assert len(response.context["overviews"]) == editions
    # session, user, second-step device, editions, rounds
    assert len(queries) == 5, [q["sql"] for q in queries]


def test_the_home_is_for_organisers_only(client):
    client.force_login(UserFactory())

    assert client.get("/organisatie/").status_code == 404


def test_an_empty_platform_says_so(client):
    client.force_login(OrganiserFactory())

    assert "Er zijn nog geen edities." in client.get("/organisatie/").content.decode()


def test_a_round_with_all_scores_in_lists_the_ties_left_to_decide(client):
    """Entries 1 and 2 get the same scores from the same jury members: every method ties them,
    and the home asks for the organisers' order until it is recorded."""
    round_ = RoundFactory(official_method="mean", name="Voorronde")
    members = [JuryMemberFactory(round=round_) for _n in range(2)]
    entries = []
    for number, totals in enumerate([("7", "5"), ("7", "5"), ("9", "9")], start=1):
        entry = EntryFactory(
            edition=round_.edition,
            category__edition=round_.edition,
            state=EntryState.SUBMITTED,
            number=number,
        )
        entries.append(entry)
        for member, total in zip(members, totals, strict=True):
            assignment = Assignment.objects.create(round=round_, entry=entry, user=member.user)
            Review.objects.create(
                assignment=assignment,
                state="submitted",
                weighted_total=Decimal(total),
                scores={"1": total},
            )
    client.force_login(OrganiserFactory())
    item = (
        f"/jury/rondes/{round_.pk}/rangschikking/",
        "Voorronde: alle cijfers zijn binnen; 1 gelijke stand om te beslissen voor het sluiten.",
    )

    before = _attention(client)
    decide_tie(round_=round_, order=[entries[1].pk, entries[0].pk], reason="Reden", actor=None)
    after = _attention(client)

    assert item in before
    assert [link for link, _text in after if link == item[0]] == []


def _attention(client) -> list[tuple[str, str]]:
    page = client.get("/organisatie/").content.decode()
    return re.findall(r'<li><a href="([^"]+)">([^<]+)</a></li>', page)
