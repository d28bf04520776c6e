"""Shortlists: the top N of a closed round's frozen order or by hand, audited, and the next
round judging exactly the shortlist."""

import pytest

from common.models import AuditLog
from jury import services, shortlists
from jury.models import Shortlisting
from tests.factories import CategoryFactory, OrganiserFactory, RoundFactory
from tests.prijzen.results_data import closed_round, public_entry

pytestmark = pytest.mark.django_db


@pytest.fixture
def ranked():
    """Four entries ranked 1 (e1), 2 (e2), 3 (e3 and e4 tied on the official mean)."""
    category = CategoryFactory()
    entries = [public_entry(category, number=n) for n in range(1, 5)]
    totals = {entries[0]: [9, 9], entries[1]: [8, 8], entries[2]: [6, 6], entries[3]: [7, 5]}
    return closed_round(category.edition, totals), entries


def _listed(round_):
    return sorted(Shortlisting.objects.filter(round=round_).values_list("entry__number", "how"))


def test_shortlist_top_takes_the_frozen_order_and_is_audited(ranked):
    round_, entries = ranked
    organiser = OrganiserFactory()

    top = shortlists.shortlist_top(round_=round_, count=2, actor=organiser)

    assert top == [entries[0].pk, entries[1].pk]
    assert _listed(round_) == [(1, "top"), (2, "top")]
    log = AuditLog.objects.get(action="shortlist_top")
    assert (log.actor, log.data) == (organiser, {"count": 2, "entries": top})


def test_shortlist_top_refuses_a_tie_across_the_boundary(ranked):
    round_, _entries = ranked

    with pytest.raises(shortlists.ShortlistError) as error:
        shortlists.shortlist_top(round_=round_, count=3, actor=None)

    assert error.value.code == "tie_at_boundary"
    assert str(error.value.message) == (
        "Inzendingen 3, 4 delen plaats 3, dus de top 3 is niet duidelijk. Kies zelf uit deze "
        "inzendingen."
    )
    assert _listed(round_) == []


def test_shortlist_top_again_replaces_the_top_and_keeps_entries_added_by_hand(ranked):
    round_, entries = ranked
    shortlists.add_to_shortlist(round_=round_, entry=entries[3], actor=None)
    shortlists.shortlist_top(round_=round_, count=2, actor=None)

    shortlists.shortlist_top(round_=round_, count=1, actor=None)

    assert _listed(round_) == [(1, "top"), (4, "by_hand")]


@pytest.mark.parametrize(("count", "code"), [(0, "count_too_small"), (5, "count_too_large")])
def test_shortlist_top_refuses_a_wrong_count(ranked, count, code):
    round_, _entries = ranked

    with pytest.raises(shortlists.ShortlistError) as error:
        shortlists.shortlist_top(round_=round_, count=count, actor=None)

    assert error.value.code == code
    assert _listed(round_) == []


def test_shortlist_needs_a_closed_round():
    round_ = RoundFactory(state="open")
    entry = public_entry(CategoryFactory(edition=round_.edition), number=1)

    with pytest.raises(shortlists.ShortlistError) as error:
        shortlists.add_to_shortlist(round_=round_, entry=entry, actor=None)

    assert error.value.code == "round_not_closed"
    assert not Shortlisting.objects.exists()


def test_shortlist_refuses_an_entry_the_round_did_not_judge(ranked):
    round_, _entries = ranked
    other = public_entry(CategoryFactory(), number=9)

    with pytest.raises(shortlists.ShortlistError) as error:
        shortlists.add_to_shortlist(round_=round_, entry=other, actor=None)

    assert error.value.code == "entry_not_in_round"


def test_next_round_judges_exactly_the_shortlist_and_freezes_it_once_started(ranked):
    round_, entries = ranked
    shortlists.shortlist_top(round_=round_, count=2, actor=None)
    final = RoundFactory(edition=round_.edition, source_round=round_, state="draft")

    assert list(services.round_entries(final).order_by("number")) == entries[:2]

    services.transition_round(round_id=final.pk, to="open")
    with pytest.raises(shortlists.ShortlistError) as error:
        shortlists.remove_from_shortlist(round_=round_, entry=entries[0], actor=None)
    assert error.value.code == "next_round_started"
    assert _listed(round_) == [(1, "top"), (2, "top")]


def test_shortlist_page_adds_and_removes_by_hand(client, ranked):
    round_, entries = ranked
    client.force_login(OrganiserFactory())
    url = f"/jury/rondes/{round_.pk}/voordracht/"

    client.post(url, {"action": "add", "entry": entries[2].pk})
    assert _listed(round_) == [(3, "by_hand")]
    response = client.post(url, {"action": "remove", "entry": entries[2].pk}, follow=True)

    assert _listed(round_) == []
    assert [str(m) for m in response.context["messages"]] == [
        "Inzending 3 staat op de voordracht.",
        "Inzending 3 staat niet meer op de voordracht.",
    ]
    actions = AuditLog.objects.filter(action__startswith="shortlist").order_by("pk")
    assert [log.action for log in actions] == ["shortlist_add", "shortlist_remove"]


@pytest.mark.parametrize("value", ["", "drie", "2.5"])
def test_shortlist_page_refuses_a_count_that_is_not_a_number(client, ranked, value):
    round_, _entries = ranked
    client.force_login(OrganiserFactory())

    response = client.post(
        f"/jury/rondes/{round_.pk}/voordracht/", {"action": "top", "count": value}, follow=True
    )

    assert [str(m) for m in response.context["messages"]] == ["Voer een geheel getal in."]
    assert _listed(round_) == []


def test_shortlist_page_is_hidden_from_everyone_but_organisers(client, ranked):
    round_, entries = ranked
    client.force_login(entries[0].initiative.owner)

    assert client.get(f"/jury/rondes/{round_.pk}/voordracht/").status_code == 404
    assert (
        client.post(
            f"/jury/rondes/{round_.pk}/voordracht/", {"action": "add", "entry": entries[3].pk}
        ).status_code
        == 404
    )
    assert _listed(round_) == []


def test_the_page_offers_no_buttons_once_the_shortlist_is_fixed(client, ranked):
    from jury.models import Round

    closed, _entries = ranked
    RoundFactory(edition=closed.edition, source_round=closed, state="open")
    client.force_login(OrganiserFactory())

    page = client.get(f"/jury/rondes/{closed.pk}/voordracht/").content.decode()

    assert "De volgende ronde is begonnen" in page
    assert 'name="action"' not in page
    assert Round.objects.get(pk=closed.pk).state == "closed"
