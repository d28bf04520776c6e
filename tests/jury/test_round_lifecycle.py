"""A round's life cycle through the organiser's round page and the API: what is missing
before it can open, open with confirmation, close with confirmation, reopen with a reason."""

from datetime import timedelta

import pytest
from django.utils import timezone

from common.models import AuditLog
from jury.models import Assignment, Conflict, ResultSnapshot, Round
from prijzen.enums import EntryState
from tests.factories import (
    CriterionFactory,
    EntryFactory,
    JuryMemberFactory,
    OrganiserFactory,
    RoundFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser(client):
    user = OrganiserFactory()
    client.force_login(user)
    return user


def _ready_round(**extra) -> Round:
    """A draft round with a rubric, two accepted jury members and two entries each assigned
    to both: ready to open."""
    round_ = RoundFactory(state="draft", jurors_per_entry=2, **extra)
    CriterionFactory(round=round_)
    members = [JuryMemberFactory(round=round_) for _n in range(2)]
    for _n in range(2):
        entry = EntryFactory(
            edition=round_.edition, category__edition=round_.edition, state=EntryState.SUBMITTED
        )
        for member in members:
            Assignment.objects.create(round=round_, entry=entry, user=member.user)
    return round_


def _problems(client, round_) -> list[str]:
    import re

    page = client.get(f"/jury/rondes/{round_.pk}/").content.decode()
    block = re.search(r'<ul id="opening-problems">(.*?)</ul>', page, re.S)
    return re.findall(r"<li>(.*?)</li>", block.group(1)) if block else []


def test_an_empty_round_says_everything_it_misses_and_does_not_open(client, organiser):
    round_ = RoundFactory(state="draft", jurors_per_entry=2)

    problems = _problems(client, round_)
    response = client.post(f"/jury/rondes/{round_.pk}/openen/", {"confirm": "1"}, follow=True)

    assert problems == [
        "De ronde heeft nog geen beoordelingsformulier: voeg minstens één criterium toe.",
        "Er zijn geen inzendingen om te beoordelen.",
        "0 juryleden hebben geaccepteerd; de ronde heeft er 2 nodig.",
    ]
    assert Round.objects.get(pk=round_.pk).state == "draft"
    assert "Er zijn geen inzendingen om te beoordelen." in response.content.decode()


def test_a_conflicted_or_unaccepted_assignment_does_not_cover_an_entry(client, organiser):
    round_ = _ready_round()
    member = round_.members.first()
    entry = Assignment.objects.filter(user=member.user).first().entry
    Conflict.objects.create(
        round=round_, entry=entry, user=member.user, source="declared", reason="Buren"
    )

    assert _problems(client, round_) == [
        "1 inzending heeft minder dan 2 juryleden toegewezen: maak een toewijzingsvoorstel en "
        "leg het vast."
    ]


def test_a_round_on_a_shortlist_waits_for_the_round_before_it(client, organiser):
    first = RoundFactory(state="open")
    second = _ready_round(edition=first.edition, source_round=first)

    assert f"De ronde waar deze op volgt ({first.name}) is nog niet gesloten." in _problems(
        client, second
    )


def test_a_ready_round_opens_after_confirmation(client, organiser):
    round_ = _ready_round()
    assert _problems(client, round_) == []

    unconfirmed = client.post(f"/jury/rondes/{round_.pk}/openen/", follow=True)
    assert Round.objects.get(pk=round_.pk).state == "draft"
    assert "Vink het vakje aan om te bevestigen." in unconfirmed.content.decode()

    client.post(f"/jury/rondes/{round_.pk}/openen/", {"confirm": "1"})

    assert Round.objects.get(pk=round_.pk).state == "open"
    row = AuditLog.objects.get(action="state_change", object_id=str(round_.pk))
    assert (row.actor, row.data) == (organiser, {"from": "draft", "to": "open"})


def test_close_asks_once_and_reopen_needs_a_reason_and_a_future_deadline(client, organiser):
    round_ = RoundFactory(state="open")
    url = f"/jury/rondes/{round_.pk}/"

    client.post(f"{url}sluiten/")
    assert Round.objects.get(pk=round_.pk).state == "open"
    client.post(f"{url}sluiten/", {"confirm": "1"})
    assert Round.objects.get(pk=round_.pk).state == "closed"

    no_reason = client.post(f"{url}heropenen/", {"confirm": "1", "reason": " "}, follow=True)
    assert "Schrijf op waarom de ronde weer opengaat." in no_reason.content.decode()
    Round.objects.filter(pk=round_.pk).update(closes_at=timezone.now() - timedelta(hours=1))
    no_deadline = client.post(
        f"{url}heropenen/", {"confirm": "1", "reason": "Jurylid ziek"}, follow=True
    )
    assert "kies een nieuwe deadline" in no_deadline.content.decode()
    assert Round.objects.get(pk=round_.pk).state == "closed"

    later = (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    client.post(f"{url}heropenen/", {"confirm": "1", "reason": "Jurylid ziek", "closes_at": later})

    reopened = Round.objects.get(pk=round_.pk)
    assert reopened.state == "open"
    assert timezone.localtime(reopened.closes_at).strftime("%Y-%m-%dT%H:%M") == later
    assert AuditLog.objects.get(action="round_reopened").data["reason"] == "Jurylid ziek"
    client.post(f"{url}sluiten/", {"confirm": "1"})
    assert ResultSnapshot.objects.filter(round=round_).count() == 2  # a new certificate


def test_reopen_is_refused_when_a_following_round_started_or_results_are_out(client, organiser):
    first = RoundFactory(state="closed")
    follower = RoundFactory(edition=first.edition, source_round=first, state="open")
    url = f"/jury/rondes/{first.pk}/heropenen/"

    followed = client.post(url, {"confirm": "1", "reason": "Fout"}, follow=True)
    follower.delete()
    first.edition.results_state = "scheduled"
    first.edition.save()
    scheduled = client.post(url, {"confirm": "1", "reason": "Fout"}, follow=True)

    assert "Een ronde die hierop volgt is begonnen" in followed.content.decode()
    assert "gepland" in scheduled.content.decode()
    assert Round.objects.get(pk=first.pk).state == "closed"


def test_the_api_opens_and_reopens_through_the_same_rules(client, organiser):
    empty = RoundFactory(state="draft")
    ready = _ready_round()

    refused = client.post(f"/api/v1/rounds/{empty.pk}/open/")
    opened = client.post(f"/api/v1/rounds/{ready.pk}/open/")
    again = client.post(f"/api/v1/rounds/{ready.pk}/open/")
    client.post(f"/api/v1/rounds/{ready.pk}/close/")
    no_reason = client.post(
        f"/api/v1/rounds/{ready.pk}/reopen/", {}, content_type="application/json"
    )
    reopened = client.post(
        f"/api/v1/rounds/{ready.pk}/reopen/",
        {"reason": "Herkansing"},
        content_type="application/json",
    )

    assert refused.status_code == 400
    assert refused.json()["code"] == "not_ready"
    assert "geen inzendingen" in refused.json()["message"]
    assert (opened.status_code, opened.json()["state"]) == (200, "open")
    assert again.status_code == 409
    assert no_reason.status_code == 400
    assert no_reason.json()["fields"] == {"reason": ["Dit veld is vereist."]}
    assert (reopened.status_code, reopened.json()["state"]) == (200, "open")
