"""Finding 15: malformed input on the scoring and ties pages gets a clear message (a 400 in the
API's error shape for the autosave), never a server error, and changes nothing."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from jury.models import Assignment, JurorTie, Review
from prijzen.enums import EntryState
from tests.factories import CriterionFactory, EntryFactory, JuryMemberFactory

pytestmark = pytest.mark.django_db

AT_LEAST_0 = "groter is dan of gelijk is aan 0"
EXPECTED_LIST = "Verwachtte een lijst met items, maar kreeg type"


@pytest.fixture
def scoring(client):
    member = JuryMemberFactory()
    criterion = CriterionFactory(round=member.round)
    entry = EntryFactory(
        edition=member.round.edition,
        category__edition=member.round.edition,
        state=EntryState.SUBMITTED,
    )
    assignment = Assignment.objects.create(round=member.round, entry=entry, user=member.user)
    client.force_login(member.user)
    client.get(f"/jury/beoordelen/{assignment.pk}/")  # makes the draft, version 1
    return client, f"/jury/beoordelen/{assignment.pk}/", criterion


@pytest.mark.parametrize(
    ("field", "value", "label", "problem"),
    [
        ("watched_seconds", "abc", "Kijktijd", "Een geldig nummer is vereist."),
        ("watched_seconds", "NaN", "Kijktijd", "Een geldig nummer is vereist."),
        ("watched_seconds", "6,0", "Kijktijd", "Een geldig nummer is vereist."),
        ("watched_seconds", "-5", "Kijktijd", f"Zorg ervoor dat deze waarde {AT_LEAST_0}."),
        ("notes", "{}", "Notities", f'{EXPECTED_LIST} "dict".'),
        ("notes", "not json", "Notities", f'{EXPECTED_LIST} "str".'),
        ("version", "x", "Versie", "Een geldig getal is vereist."),
    ],
)
def test_autosave_refuses_a_malformed_field_with_the_api_error_shape(
    scoring, field, value, label, problem
):
    client, url, criterion = scoring
    data = {"version": "1", f"score-{criterion.pk}": "7", field: value}

    response = client.post(url, data, HTTP_X_AUTOSAVE="1")

    assert response.status_code == 400
    body = response.json()
    assert body["saved"] is False
    assert body["code"] == "invalid"
    assert body["message"] == f"Niet opgeslagen. {label}: {problem}"
    assert list(body["fields"]) == [field]
    review = Review.objects.get()
    assert (review.version, review.scores, review.watched_seconds) == (1, {}, 0)


def test_the_form_post_shows_the_message_on_the_page(scoring):
    client, url, _criterion = scoring

    response = client.post(url, {"version": "1", "notes": json.dumps({"t": 1})}, follow=True)

    assert response.status_code == 200
    assert "Niet opgeslagen. Notities: " in response.content.decode()
    assert Review.objects.get().version == 1


def test_a_well_formed_autosave_still_saves(scoring):
    client, url, criterion = scoring
    notes = json.dumps([{"t": 12.5, "text": "Mooi begin"}])
    data = {"version": "1", f"score-{criterion.pk}": "7", "notes": notes, "watched_seconds": "6.0"}
    # Stored at most as the time since the page was opened: as if it was opened a minute ago.
    Review.objects.update(opened_at=timezone.now() - timedelta(minutes=1))

    response = client.post(url, data, HTTP_X_AUTOSAVE="1")

    assert response.json() == {"saved": True, "version": 2}
    review = Review.objects.get()
    assert review.notes == [{"t": 12.5, "text": "Mooi begin"}]
    assert str(review.watched_seconds) == "6.0"


@pytest.mark.parametrize("value", ["x", "", "1e3", "-1"])
def test_deleting_a_tie_that_is_not_a_number_is_refused_plainly(client, value):
    member = JuryMemberFactory()
    tie = JurorTie.objects.create(user=member.user, kind="municipality", value="Zwolle")
    client.force_login(member.user)

    response = client.post("/jury/banden/", {"delete": value}, follow=True)

    assert response.status_code == 200
    assert "Deze band is niet gevonden" in response.content.decode()
    assert list(JurorTie.objects.all()) == [tie]


def test_a_juror_cannot_delete_another_jurors_tie(client):
    mine, theirs = JuryMemberFactory(), JuryMemberFactory()
    tie = JurorTie.objects.create(user=theirs.user, kind="municipality", value="Zwolle")
    client.force_login(mine.user)

    client.post("/jury/banden/", {"delete": str(tie.pk)})

    assert JurorTie.objects.filter(pk=tie.pk).exists()
