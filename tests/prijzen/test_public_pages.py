"""Public pages (edition, winners, gallery, entry) and the embargo: before publication no
channel shows a decision, not even through order or counts."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jury import shortlists
from prijzen import services
from results import decisions
from tests.factories import CategoryFactory, OrganiserFactory
from tests.prijzen.results_data import closed_round, entries_closed, public_entry

pytestmark = pytest.mark.django_db

SECRET = "GEHEIM juryrapport over de winnaar"


@pytest.fixture
def contest():
    """Edition with two categories. Lokaal: e1 (Utrecht), e2 (Zwolle, Overijssel), e3 without
    publication consent; Landelijk: e4. The jury ranks e2 first."""
    lokaal = CategoryFactory(name="Lokaal", slug="lokaal")
    landelijk = CategoryFactory(edition=lokaal.edition, name="Landelijk", slug="landelijk")
    e1 = public_entry(lokaal, number=1, title="Koffie met de buren")
    e2 = public_entry(
        lokaal,
        number=2,
        title="Welkom in het dorpshuis",
        initiative__municipality="Zwolle",
        initiative__province="Overijssel",
    )
    e3 = public_entry(lokaal, number=3, consent=False, title="Niet openbaar")
    e4 = public_entry(landelijk, number=4, title="Samen sterk")
    entries_closed(lokaal.edition)  # the jury decides after the deadline
    return lokaal.edition, (e1, e2, e3, e4)


def _decide(edition, entries):
    e1, e2, e3, _e4 = entries
    round_ = closed_round(edition, {e1: [6, 6], e2: [9, 9], e3: [8, 8]})
    shortlists.shortlist_top(round_=round_, count=3, actor=None)
    decisions.record_award(entry=e2, motivation=SECRET, actor=OrganiserFactory())


def _page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    return re.sub(r"\?X-Amz-[^\"\s]*", "?signed", html)  # presigned URLs carry the time


def _titles(response):
    return [e.title for e in response.context["page"]]


def test_gallery_shows_consented_entries_in_number_order(client, contest):
    edition, _entries = contest

    response = client.get(f"/edities/{edition.slug}/galerij/")

    assert _titles(response) == ["Koffie met de buren", "Welkom in het dorpshuis", "Samen sterk"]
    assert "Niet openbaar" not in response.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?q=dorpshuis", ["Welkom in het dorpshuis"]),
        ("?q=zwolle", ["Welkom in het dorpshuis"]),
        ("?categorie=landelijk", ["Samen sterk"]),
        ("?provincie=Overijssel", ["Welkom in het dorpshuis"]),
        ("?provincie=Utrecht&categorie=lokaal", ["Koffie met de buren"]),
        ("?q=bestaat-niet", []),
        ("?categorie=onbekend&pagina=99", []),
        ("?pagina=abc", ["Koffie met de buren", "Welkom in het dorpshuis", "Samen sterk"]),
    ],
)
def test_gallery_search_and_filters(client, contest, query, expected):
    edition, _entries = contest

    assert _titles(client.get(f"/edities/{edition.slug}/galerij/{query}")) == expected


def test_withdrawing_consent_removes_the_entry_from_every_public_page(client, contest):
    edition, (e1, *_rest) = contest
    client.get(f"/edities/{edition.slug}/galerij/{e1.number}/")  # public now

    services.set_publication_consent(entry=e1, given=False, actor=e1.initiative.owner)

    assert "Koffie met de buren" not in _page(client, f"/edities/{edition.slug}/galerij/")
    assert client.get(f"/edities/{edition.slug}/galerij/{e1.number}/").status_code == 404
    assert client.get(f"/edities/{edition.slug}/galerij/{e1.number}/poster.jpg").status_code == 404


def test_entry_page_has_open_graph_tags_and_no_private_urls(client, contest):
    edition, (e1, *_rest) = contest

    html = _page(client, f"/edities/{edition.slug}/galerij/1/")

    poster = f"http://testserver/edities/{edition.slug}/galerij/1/poster.jpg"
    assert f'<meta property="og:image" content="{poster}">' in html
    assert '<meta property="og:title" content="Koffie met de buren">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert f"renditions/{e1.pk}.mp4" in html  # the web preview …
    assert "originals/" not in html  # … never the original
    assert "storyboard" not in html  # the storyboard index is for signed-in viewers


def test_poster_address_redirects_to_a_presigned_poster(client, contest):
    edition, (e1, *_rest) = contest

    response = client.get(f"/edities/{edition.slug}/galerij/1/poster.jpg")

    assert response.status_code == 302
    assert f"/renditions/{e1.pk}.jpg?" in response["Location"]
    assert "X-Amz-Signature=" in response["Location"]
    assert response["Cache-Control"] == "private, max-age=300"  # no shared cache keeps it


@pytest.mark.parametrize("number", [3, 99])
def test_entries_that_are_not_public_answer_404(client, contest, number):
    edition, _entries = contest
    assert client.get(f"/edities/{edition.slug}/galerij/{number}/").status_code == 404


def test_nothing_leaks_before_publication(client, contest):
    edition, entries = contest
    e2 = entries[1]
    public = [
        f"/edities/{edition.slug}/{path}"
        for path in ("", "winnaars/", "galerij/", "galerij/?q=welkom", "galerij/2/", "galerij/1/")
    ]
    before = {url: _page(client, url) for url in public}
    client.force_login(e2.initiative.owner)
    own = [f"/inzendingen/{e2.pk}/", "/inzendingen/"]
    before_own = {url: _page(client, url) for url in own}
    client.logout()

    _decide(edition, entries)
    edition.refresh_from_db()
    assert edition.results_state == "private"

    for url in public:  # byte for byte the same: no text, order or count changed
        assert _page(client, url) == before[url], url
    client.force_login(e2.initiative.owner)
    for url in own:
        assert _page(client, url) == before_own[url], url
    from django.core import mail

    assert mail.outbox == []


def test_after_publication_the_winner_and_nominees_are_shown(client, contest):
    edition, entries = contest
    e1, e2, _e3, _e4 = entries
    _decide(edition, entries)
    decisions.publish_results(edition=edition)

    winners = _page(client, f"/edities/{edition.slug}/winnaars/")
    entry = _page(client, f"/edities/{edition.slug}/galerij/2/")
    client.force_login(e2.initiative.owner)
    status = _page(client, f"/inzendingen/{e2.pk}/")
    client.force_login(e1.initiative.owner)
    nominee_status = _page(client, f"/inzendingen/{e1.pk}/")

    assert SECRET in winners and SECRET in entry
    assert "Welkom in het dorpshuis" in winners.split("Ook genomineerd")[0]
    assert "Koffie met de buren" in winners.split("Ook genomineerd")[1]
    assert "Winnaar in Lokaal" in entry
    assert "<dd>Winnaar" in status
    assert "<dd>Genomineerd" in nominee_status


def test_winner_without_consent_is_named_as_hidden(client, contest):
    edition, (_e1, _e2, e3, _e4) = contest
    decisions.record_award(entry=e3, motivation=SECRET, actor=None)
    decisions.publish_results(edition=edition)

    html = _page(client, f"/edities/{edition.slug}/winnaars/")

    assert "Op verzoek van het initiatief tonen we de winnaar hier niet." in html
    assert "Niet openbaar" not in html and SECRET not in html


@pytest.mark.parametrize("path", ["galerij/", "winnaars/"])
def test_public_list_pages_make_the_same_number_of_queries_for_1_and_3_entries(client, path):
    counts = []
    for size in (1, 3):
        category = CategoryFactory()
        entries = [public_entry(category, number=n) for n in range(1, size + 1)]
        round_ = closed_round(category.edition, {e: [5 + i, 5] for i, e in enumerate(entries)})
        shortlists.shortlist_top(round_=round_, count=size, actor=None)
        decisions.record_award(entry=entries[0], motivation="Mooi", actor=None)
        decisions.publish_results(edition=category.edition)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/edities/{category.edition.slug}/{path}")
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_a_second_round_on_the_shortlist_does_not_reveal_it_to_entrants(client, contest):
    from jury.models import Assignment
    from tests.factories import JuryMemberFactory, RoundFactory

    edition, (e1, e2, e3, _e4) = contest
    first = closed_round(edition, {e1: [9], e2: [5], e3: [4]})
    shortlists.shortlist_top(round_=first, count=1, actor=None)
    second = RoundFactory(edition=edition, source_round=first, state="open")
    Assignment.objects.create(round=second, entry=e1, user=JuryMemberFactory(round=second).user)

    pages = {}
    for entry in (e1, e2):
        client.force_login(entry.initiative.owner)
        pages[entry.number] = (
            _page(client, f"/inzendingen/{entry.pk}/"),
            client.get(f"/api/v1/entries/{entry.pk}/").json()["in_review"],
        )

    assert pages[1][1] is pages[2][1] is False
    assert "<dd>Ingediend" in pages[1][0] and "<dd>Ingediend" in pages[2][0]


@pytest.mark.parametrize("query", ["?q=a%00b", "?categorie=%00", "?provincie=x%00"])
def test_gallery_search_with_a_nul_byte_finds_nothing_without_an_error(client, contest, query):
    edition, _entries = contest

    response = client.get(f"/edities/{edition.slug}/galerij/{query}")

    assert response.status_code == 200
