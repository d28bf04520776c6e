"""The round page's organiser work through the API, through the same services: inviting,
proposing and committing the assignment, ordering tied entries; and a jury member's ties."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core import mail
from rest_framework.test import APIClient

from jury.models import Assignment, JurorTie, JuryMember, Review, TieDecision
from tests.factories import (
    CriterionFactory,
    EntryFactory,
    JuryMemberFactory,
    OrganiserFactory,
    RoundFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
A = "/api/v1"


@pytest.fixture
def organiser():
    client = APIClient()
    client.force_authenticate(user=OrganiserFactory())
    return client


def test_an_invitation_through_the_api_sends_the_same_link(
    organiser, django_capture_on_commit_callbacks
):
    round_ = RoundFactory(state="draft")

    with django_capture_on_commit_callbacks(execute=True):
        made = organiser.post(
            f"{A}/rounds/{round_.pk}/invitations/",
            {"email": " Nieuw.Jurylid@Example.org ", "name": "Noor"},
            format="json",
        )
    bad = organiser.post(
        f"{A}/rounds/{round_.pk}/invitations/", {"email": "geen-adres"}, format="json"
    )

    assert made.status_code == 201, made.content
    member = JuryMember.objects.get(round=round_)
    assert made.json()["email"] == member.user.email == "nieuw.jurylid@example.org"
    assert member.user.name == "Noor" and member.accepted_at is None
    assert [m.to for m in mail.outbox] == [["nieuw.jurylid@example.org"]]
    assert re.search(r"/jury/uitnodiging/\S+/", mail.outbox[0].body)
    assert (bad.status_code, bad.json()["code"], list(bad.json()["fields"])) == (
        400,
        "invalid",
        ["email"],
    )


def _round_with_entries(jurors: int = 2, entries: int = 3):
    round_ = RoundFactory(state="draft", jurors_per_entry=1)
    CriterionFactory(round=round_)
    members = [JuryMemberFactory(round=round_) for _ in range(jurors)]
    for number in range(1, entries + 1):
        EntryFactory(
            edition=round_.edition,
            category__edition=round_.edition,
            state="submitted",
            number=number,
        )
    return round_, members


def test_the_proposal_that_was_shown_is_committed_and_a_stale_one_is_refused(organiser):
    round_, _members = _round_with_entries()

    proposal = organiser.post(f"{A}/rounds/{round_.pk}/assignment-proposal/").json()
    assert proposal["feasible"] is True and proposal["reasons"] == []
    assert sum(load["entries"] for load in proposal["loads"]) == 3
    assert Assignment.objects.filter(round=round_).count() == 0  # a proposal saves nothing

    JuryMemberFactory(round=round_)  # the panel changes after the proposal was shown
    stale = organiser.post(
        f"{A}/rounds/{round_.pk}/assignment/", {"hash": proposal["hash"]}, format="json"
    )
    assert (stale.status_code, stale.json()["code"]) == (400, "stale_proposal")
    assert Assignment.objects.filter(round=round_).count() == 0

    fresh = organiser.post(f"{A}/rounds/{round_.pk}/assignment-proposal/").json()
    committed = organiser.post(
        f"{A}/rounds/{round_.pk}/assignment/", {"hash": fresh["hash"]}, format="json"
    )
    assert committed.json() == {"changes": 3}
    pairs = {(a.entry_id, a.user_id) for a in Assignment.objects.filter(round=round_)}
    assert pairs == {(c["entry"], c["jurors"][0]) for c in fresh["entries"]}


def test_an_impossible_proposal_says_why(organiser):
    round_, _members = _round_with_entries(jurors=0)

    answer = organiser.post(f"{A}/rounds/{round_.pk}/assignment-proposal/").json()

    assert (answer["feasible"], answer["hash"], answer["loads"]) == (False, None, [])
    assert len(answer["reasons"]) >= 1 and all(answer["reasons"])


def test_tied_entries_are_ordered_through_the_api(organiser):
    round_ = RoundFactory(official_method="mean")
    members = [JuryMemberFactory(round=round_) for _ in range(2)]
    entries = []
    for number, totals in enumerate([("7", "5"), ("7", "5"), ("9", "9")], start=1):
        entry = EntryFactory(
            edition=round_.edition,
            category__edition=round_.edition,
            state="submitted",
            number=number,
        )
        entries.append(entry)
        for member, total in zip(members, totals, strict=True):
            assignment = Assignment.objects.create(round=round_, entry=entry, user=member.user)
            Review.objects.create(
                assignment=assignment,
                state="submitted",
                scores={"1": total},
                weighted_total=Decimal(total),
            )
    url = f"{A}/rounds/{round_.pk}/tie-decisions/"

    not_tied = organiser.post(
        url, {"entries": [entries[2].pk, entries[0].pk], "reason": "Voorkeur."}, format="json"
    )
    decided = organiser.post(
        url,
        {"entries": [entries[1].pk, entries[0].pk], "reason": "Het publiek koos."},
        format="json",
    )

    assert (not_tied.status_code, not_tied.json()["code"]) == (400, "not_a_tie")
    assert decided.status_code == 201, decided.content
    assert decided.json()["entries"] == [entries[1].pk, entries[0].pk]
    assert TieDecision.objects.get(round=round_).reason == "Het publiek koos."


def test_a_jury_member_keeps_their_own_ties_through_the_api():
    juror, other = UserFactory(role="juror"), UserFactory(role="juror")
    theirs = JurorTie.objects.create(user=other, kind="organisation", value="Voedselbank")
    client = APIClient()
    client.force_authenticate(user=juror)

    first = client.post(
        f"{A}/me/ties/", {"kind": "municipality", "value": " Baarn "}, format="json"
    )
    again = client.post(f"{A}/me/ties/", {"kind": "municipality", "value": "Baarn"}, format="json")
    unknown_kind = client.post(
        f"{A}/me/ties/", {"kind": "vriendschap", "value": "x"}, format="json"
    )

    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert unknown_kind.status_code == 400
    assert client.get(f"{A}/me/ties/").json() == [
        {"id": first.json()["id"], "kind": "municipality", "value": "Baarn"}
    ]
    assert client.delete(f"{A}/me/ties/{theirs.pk}/").status_code == 404
    assert client.delete(f"{A}/me/ties/{first.json()['id']}/").status_code == 204
    assert list(JurorTie.objects.values_list("value", flat=True)) == ["Voedselbank"]
