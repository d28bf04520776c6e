"""The results through the API: public gallery and winners (with the embargo), organisers'
winners, shortlist and announcement, and who may do what."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from common.models import AuditLog
from jury import shortlists
from jury.models import Shortlisting
from prijzen import services
from prijzen.enums import EntryState
from prijzen.models import Award, Edition
from results import decisions
from tests.factories import CategoryFactory, OrganiserFactory, UserFactory
from tests.prijzen.results_data import closed_round, entries_closed, public_entry

pytestmark = pytest.mark.django_db

SECRET = "GEHEIM juryrapport"


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def contest():
    """Lokaal: e1, e2 (Overijssel), e3 without publication consent; a closed round that ranks
    e2 first; e2 shortlisted with e1, and recorded as the (still private) winner."""
    lokaal = CategoryFactory(name="Lokaal", slug="lokaal")
    e1 = public_entry(lokaal, number=1, title="Koffie met de buren")
    e2 = public_entry(
        lokaal,
        number=2,
        title="Welkom in het dorpshuis",
        initiative__municipality="Zwolle",
        initiative__province="Overijssel",
    )
    e3 = public_entry(lokaal, number=3, consent=False, title="Niet openbaar")
    round_ = closed_round(lokaal.edition, {e1: [7, 7], e2: [9, 9], e3: [3, 3]})
    return lokaal.edition, round_, (e1, e2, e3)


def _decide(round_, e2):
    shortlists.shortlist_top(round_=round_, count=2, actor=None)
    decisions.record_award(entry=e2, motivation=SECRET, actor=None)


def _gallery(api, query=""):
    response = api.get(f"/api/v1/gallery/{query}")
    assert response.status_code == 200
    return response.json()


def test_gallery_lists_public_entries_by_number_with_filters(api, contest):
    edition, _round, _entries = contest

    body = _gallery(api, f"?edition={edition.slug}")
    assert [e["title"] for e in body["results"]] == [
        "Koffie met de buren",
        "Welkom in het dorpshuis",
    ]
    first = body["results"][0]
    assert first["page_url"] == f"http://testserver/edities/{edition.slug}/galerij/1/"
    assert first["poster_url"] == f"http://testserver/edities/{edition.slug}/galerij/1/poster.jpg"
    assert (first["category"], first["province"], first["winner"], first["nominated"]) == (
        "lokaal",
        "Utrecht",
        False,
        False,
    )
    assert [e["number"] for e in _gallery(api, "?province=Overijssel")["results"]] == [2]
    assert [e["number"] for e in _gallery(api, "?search=koffie")["results"]] == [1]
    assert _gallery(api, "?category=landelijk")["results"] == []
    assert api.get("/api/v1/gallery/?ordering=-number").json()["results"][0]["number"] == 2


def test_gallery_and_winners_show_nothing_before_publication(api, contest):
    edition, round_, (_e1, e2, e3) = contest
    before = (_gallery(api), api.get(f"/api/v1/gallery/{e2.pk}/").json())

    _decide(round_, e2)

    assert (_gallery(api), api.get(f"/api/v1/gallery/{e2.pk}/").json()) == before
    assert api.get(f"/api/v1/editions/{edition.slug}/winners/").json() == []
    assert api.get(f"/api/v1/gallery/{e3.pk}/").status_code == 404


def test_after_publication_the_api_shows_winner_and_nominee(api, contest):
    edition, round_, (_e1, e2, _e3) = contest
    _decide(round_, e2)
    decisions.publish_results(edition=edition)

    flags = {e["number"]: (e["winner"], e["nominated"]) for e in _gallery(api)["results"]}
    winners = api.get(f"/api/v1/editions/{edition.slug}/winners/").json()

    assert flags == {1: (False, True), 2: (True, True)}
    assert [(w["category"], w["motivation"], w["entry"]["number"]) for w in winners] == [
        ("lokaal", SECRET, 2)
    ]


def test_a_winner_without_consent_is_listed_without_entry_or_motivation(api, contest):
    edition, _round, (_e1, _e2, e3) = contest
    decisions.record_award(entry=e3, motivation=SECRET, actor=None)
    decisions.publish_results(edition=edition)

    winners = api.get(f"/api/v1/editions/{edition.slug}/winners/").json()

    assert winners == [
        {"category": "lokaal", "category_name": "Lokaal", "motivation": None, "entry": None}
    ]


def test_withdrawn_consent_removes_the_entry_from_the_api_at_once(api, contest):
    _edition, _round, (e1, _e2, _e3) = contest

    services.set_publication_consent(entry=e1, given=False, actor=e1.initiative.owner)

    assert [e["number"] for e in _gallery(api)["results"]] == [2]
    assert api.get(f"/api/v1/gallery/{e1.pk}/").status_code == 404


def test_gallery_list_makes_the_same_number_of_queries_for_1_and_3_entries(api):
    counts = []
    for size in (1, 3):
        category = CategoryFactory()
        entries = [public_entry(category, number=n) for n in range(1, size + 1)]
        entries_closed(category.edition)
        decisions.record_award(entry=entries[0], motivation="Mooi", actor=None)
        decisions.publish_results(edition=category.edition)
        with CaptureQueriesContext(connection) as queries:
            body = _gallery(api, f"?edition={category.edition.slug}")
        assert len(body["results"]) == size
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


# --- Organisers ---------------------------------------------------------------------------


def test_organiser_records_changes_and_removes_a_winner(api, contest):
    _edition, _round, (e1, _e2, _e3) = contest
    organiser = OrganiserFactory()
    api.force_authenticate(organiser)

    created = api.post(
        "/api/v1/awards/", {"entry": e1.pk, "motivation": "Hartelijk."}, format="json"
    )
    award_id = created.json()["id"]
    changed = api.patch(
        f"/api/v1/awards/{award_id}/", {"motivation": "Heel hartelijk."}, format="json"
    )
    listed = api.get("/api/v1/awards/").json()["results"]
    removed = api.delete(f"/api/v1/awards/{award_id}/")

    assert created.status_code == 201
    assert (created.json()["entry"], created.json()["category"]) == (e1.pk, "lokaal")
    assert changed.json()["motivation"] == "Heel hartelijk."
    assert [a["id"] for a in listed] == [award_id]
    assert removed.status_code == 204
    assert not Award.objects.exists()
    assert [
        log.action for log in AuditLog.objects.filter(action__startswith="award").order_by("pk")
    ] == ["award_recorded", "award_changed", "award_removed"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"entry": 999999, "motivation": "x"}, "entry"),
        ({"entry": "een"}, "entry"),
        ({"motivation": "x"}, "entry"),
    ],
)
def test_award_with_bad_input_is_refused_and_changes_nothing(api, contest, body, field):
    api.force_authenticate(OrganiserFactory())

    response = api.post("/api/v1/awards/", body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert field in response.json()["fields"]
    assert not Award.objects.exists()


def test_award_for_an_entry_that_was_not_submitted_is_refused(api, contest):
    _edition, _round, (e1, _e2, _e3) = contest
    services.transition_entry(entry_id=e1.pk, to=EntryState.WITHDRAWN)  # before the deadline
    api.force_authenticate(OrganiserFactory())

    response = api.post("/api/v1/awards/", {"entry": e1.pk, "motivation": "x"}, format="json")

    assert (response.status_code, response.json()["code"]) == (400, "entry_not_submitted")
    assert response.json()["message"] == "Alleen een ingediende inzending kan winnen."


def test_organiser_schedules_cancels_and_publishes(api, contest):
    edition, _round, _entries = contest
    api.force_authenticate(OrganiserFactory())
    base = f"/api/v1/editions/{edition.slug}/results/"
    moment = (timezone.now() + dt.timedelta(days=3)).replace(microsecond=0)

    scheduled = api.post(f"{base}schedule/", {"at": moment.isoformat()}, format="json").json()
    cancelled = api.post(f"{base}cancel/").json()
    published = api.post(f"{base}publish/").json()
    again = api.post(f"{base}publish/")

    assert scheduled["results_state"] == "scheduled"
    assert dt.datetime.fromisoformat(scheduled["results_publish_at"]) == moment
    assert (cancelled["results_state"], cancelled["results_publish_at"]) == ("private", None)
    assert published["results_state"] == "published"
    assert (again.status_code, again.json()["code"]) == (409, "invalid_transition")


@pytest.mark.parametrize("at", ["", "morgen", "2001-01-01T10:00:00Z"])
def test_schedule_with_a_bad_moment_is_refused(api, contest, at):
    edition, _round, _entries = contest
    api.force_authenticate(OrganiserFactory())

    response = api.post(
        f"/api/v1/editions/{edition.slug}/results/schedule/", {"at": at}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["code"] in {"invalid", "moment_in_past"}
    edition.refresh_from_db()
    assert edition.results_state == "private"


def test_organiser_manages_the_shortlist(api, contest):
    _edition, round_, (_e1, e2, e3) = contest
    api.force_authenticate(OrganiserFactory())
    base = f"/api/v1/rounds/{round_.pk}/shortlist/"

    top = api.post(f"{base}top/", {"count": 1}, format="json").json()
    added = api.post(base, {"entry": e3.pk}, format="json")
    removed = api.delete(f"{base}{e3.pk}/")
    missing = api.post(base, {"entry": 999999}, format="json")

    assert [(i["number"], i["how"]) for i in top] == [(2, "top")]
    assert added.status_code == 201
    assert [(i["number"], i["how"]) for i in added.json()] == [(2, "top"), (3, "by_hand")]
    assert removed.status_code == 204
    assert missing.status_code == 404
    assert list(Shortlisting.objects.values_list("entry_id", flat=True)) == [e2.pk]


@pytest.mark.parametrize("who", ["anonymous", "entrant", "juror"])
def test_decision_endpoints_are_hidden_from_everyone_but_organisers(api, contest, who):
    edition, round_, (e1, e2, _e3) = contest
    _decide(round_, e2)
    if who != "anonymous":
        api.force_authenticate(
            e1.initiative.owner if who == "entrant" else UserFactory(role="juror")
        )
    expected = 401 if who == "anonymous" else 404

    calls = [
        api.get("/api/v1/awards/"),
        api.post("/api/v1/awards/", {"entry": e1.pk, "motivation": "x"}, format="json"),
        api.get(f"/api/v1/editions/{edition.slug}/results/"),
        api.post(f"/api/v1/editions/{edition.slug}/results/publish/"),
        api.get(f"/api/v1/rounds/{round_.pk}/shortlist/"),
        api.post(f"/api/v1/rounds/{round_.pk}/shortlist/top/", {"count": 1}, format="json"),
    ]

    assert [c.status_code for c in calls] == [expected] * len(calls)
    assert SECRET not in "".join(c.content.decode() for c in calls)
    edition.refresh_from_db()
    assert edition.results_state == "private"
    assert list(Award.objects.values_list("entry_id", flat=True)) == [e2.pk]


def test_entrants_see_their_outcome_in_the_api_only_after_publication(api, contest):
    edition, round_, (e1, e2, e3) = contest
    _decide(round_, e2)

    def outcomes():
        result = {}
        for entry in (e1, e2, e3):
            api.force_authenticate(entry.initiative.owner)
            result[entry.number] = api.get(f"/api/v1/entries/{entry.pk}/").json()["outcome"]
        return result

    before = outcomes()
    decisions.publish_results(edition=edition)

    assert before == {1: None, 2: None, 3: None}
    assert outcomes() == {1: "nominee", 2: "winner", 3: "not_selected"}


def test_no_winner_while_entries_are_still_coming_in(api, client):
    """A winner can be chosen only after the deadline and its upload grace period, on the
    results page and through the API alike (results.decisions.record_award)."""
    category = CategoryFactory()
    entry = public_entry(category, number=1)
    edition = category.edition
    edition.entries_close_at = timezone.now() + dt.timedelta(hours=1)
    edition.upload_grace_minutes = 30
    edition.save()
    organiser = OrganiserFactory()
    api.force_authenticate(organiser)
    until = timezone.localtime(edition.grace_ends_at).strftime("%d-%m-%Y %H:%M")
    refused = f"Er komen nog inzendingen binnen tot {until}: kies de winnaars daarna."

    response = api.post("/api/v1/awards/", {"entry": entry.pk, "motivation": "x"}, format="json")
    client.force_login(organiser)
    page = client.post(
        f"/edities/{edition.slug}/uitslag/",
        {"action": "award", "entry": entry.pk, "motivation": "Mooi"},
        follow=True,
    )

    assert (response.status_code, response.json()["message"]) == (400, refused)
    assert refused in page.content.decode()
    assert "Winnaars kies je vanaf " in page.content.decode()  # instead of the form
    assert "Leg vast als winnaar" not in page.content.decode()
    assert not Award.objects.exists()
    # In the grace period still refused; after it, the winner is recorded.
    Edition.objects.filter(pk=edition.pk).update(
        entries_close_at=timezone.now() - dt.timedelta(minutes=10)
    )
    late = api.post("/api/v1/awards/", {"entry": entry.pk, "motivation": "x"}, format="json")
    assert (late.status_code, late.json()["code"]) == (400, "entries_open")
    entries_closed(edition)
    made = api.post("/api/v1/awards/", {"entry": entry.pk, "motivation": "x"}, format="json")
    assert made.status_code == 201
