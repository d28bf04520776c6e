"""Findings 6 and 7: a juror's own entry is a conflict by itself; a review submitted before a
conflict stops counting until an organiser keeps it (audited); a withdrawn entry disappears
from its jurors' pages and API and from the ranking."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from common.models import AuditLog
from jury import selectors, services
from jury.models import Assignment, Conflict, Review
from prijzen.enums import EntryState
from tests.factories import (
    CriterionFactory,
    EntryFactory,
    InitiativeFactory,
    JuryMemberFactory,
    OrganiserFactory,
    RoundFactory,
)

pytestmark = pytest.mark.django_db


def _entry(round_, **kwargs):
    return EntryFactory(
        edition=round_.edition,
        category__edition=round_.edition,
        state=EntryState.SUBMITTED,
        **kwargs,
    )


def _submitted(round_, member, entry, total="7.000"):
    assignment = Assignment.objects.create(round=round_, entry=entry, user=member.user)
    return Review.objects.create(
        assignment=assignment, state="submitted", weighted_total=Decimal(total), scores={}
    )


def _ranked(round_):
    reviews, _scale = selectors.ranking_input(round_)
    return sorted((r.entry_id, r.juror_id) for r in reviews)


# --- Finding 6: conflicts of interest --------------------------------------------------------


def test_a_juror_is_never_proposed_for_the_entry_they_entered():
    round_ = RoundFactory(jurors_per_entry=1)
    member, other = JuryMemberFactory(round=round_), JuryMemberFactory(round=round_)
    own = _entry(round_, initiative=InitiativeFactory(owner=member.user))
    _entry(round_)

    proposal = services.propose_assignment(round_=round_)

    assert (member.user_id, own.pk) not in proposal.pairs()
    assert (other.user_id, own.pk) in proposal.pairs()
    found = services.find_conflicts(round_=round_, user=member.user)
    assert [(e, str(reason)) for e, reason in found] == [(own, "Ingezonden door deze persoon.")]


def test_an_assignment_of_ones_own_entry_is_not_shown_and_does_not_count(client):
    round_ = RoundFactory()
    member = JuryMemberFactory(round=round_)
    own = _entry(round_, initiative=InitiativeFactory(owner=member.user))
    review = _submitted(round_, member, own)  # made before the juror's entry was known
    client.force_login(member.user)

    page = client.get(f"/jury/beoordelen/{review.assignment_id}/")

    assert page.status_code == 404
    assert _ranked(round_) == []
    conflict = Conflict.objects.create(
        round=round_, entry=own, user=member.user, source="declared", reason="Eigen initiatief"
    )
    with pytest.raises(services.JuryError) as refused:
        services.decide_conflicted_review(
            conflict=conflict, keep=True, reason="toch", actor=OrganiserFactory()
        )
    assert refused.value.code == "own_entry"
    assert _ranked(round_) == []


def test_a_review_submitted_before_declaring_a_conflict_stops_counting_until_kept(client):
    round_ = RoundFactory()
    CriterionFactory(round=round_)
    member, other = JuryMemberFactory(round=round_), JuryMemberFactory(round=round_)
    entry = _entry(round_)
    _submitted(round_, member, entry, "9.000")
    _submitted(round_, other, entry, "5.000")
    services.declare_conflict(round_=round_, entry=entry, user=member.user, reason="Mijn buurman")
    assert _ranked(round_) == [(entry.pk, other.user_id)]

    organiser = OrganiserFactory()
    client.force_login(organiser)
    conflict = Conflict.objects.get()
    page = client.get(f"/jury/rondes/{round_.pk}/").content.decode()
    assert "Hun ingediende beoordeling telt niet mee in de ranglijst." in page
    url = f"/jury/rondes/{round_.pk}/conflicten/{conflict.pk}/beoordeling/"
    no_reason = client.post(url, {"keep": "1", "reason": " "}, follow=True)
    assert "Vertel kort waarom." in no_reason.content.decode()
    assert _ranked(round_) == [(entry.pk, other.user_id)]

    client.post(url, {"keep": "1", "reason": "Buurman sinds vorige week"})

    assert _ranked(round_) == sorted([(entry.pk, member.user_id), (entry.pk, other.user_id)])
    kept = AuditLog.objects.get(action="conflicted_review_kept")
    assert (kept.actor, kept.data["reason"]) == (organiser, "Buurman sinds vorige week")
    # The juror still cannot open it: the conflict stands, only the review counts.
    client.force_login(member.user)
    mine = Assignment.objects.get(user=member.user)
    assert client.get(f"/jury/beoordelen/{mine.pk}/").status_code == 404

    api = APIClient()
    api.force_authenticate(organiser)
    excluded = api.post(
        f"/api/v1/conflicts/{conflict.pk}/review-decision/",
        {"keep": False, "reason": "Toch liever niet"},
        format="json",
    )
    assert excluded.status_code == 200
    body = excluded.json()
    assert (body["submitted_review"], body["review_kept"]) == (True, False)
    assert _ranked(round_) == [(entry.pk, other.user_id)]


def test_a_juror_cannot_decide_about_their_own_conflicted_review():
    round_ = RoundFactory()
    member = JuryMemberFactory(round=round_)
    entry = _entry(round_)
    _submitted(round_, member, entry)
    conflict = services.declare_conflict(
        round_=round_, entry=entry, user=member.user, reason="Familie"
    )
    api = APIClient()
    api.force_authenticate(member.user)

    response = api.post(
        f"/api/v1/conflicts/{conflict.pk}/review-decision/",
        {"keep": True, "reason": "Ik ben eerlijk"},
        format="json",
    )

    assert response.status_code == 404
    assert _ranked(round_) == []


# --- Finding 7: withdrawn entries -----------------------------------------------------------


def test_a_withdrawn_entry_leaves_its_jurors_pages_api_and_the_ranking(client):
    round_ = RoundFactory()
    member, other = JuryMemberFactory(round=round_), JuryMemberFactory(round=round_)
    kept, withdrawn = _entry(round_), _entry(round_)
    _submitted(round_, other, kept)
    _submitted(round_, other, withdrawn)
    assignment = Assignment.objects.create(round=round_, entry=withdrawn, user=member.user)
    Entry = type(withdrawn)
    Entry.objects.filter(pk=withdrawn.pk).update(state=EntryState.WITHDRAWN)
    client.force_login(member.user)
    api = APIClient()
    api.force_authenticate(member.user)

    page = client.get(f"/jury/beoordelen/{assignment.pk}/")
    home = client.get("/jury/").content.decode()
    listed = api.get("/api/v1/assignments/").json()
    detail = api.get(f"/api/v1/assignments/{assignment.pk}/")

    assert page.status_code == 404
    assert withdrawn.title not in home
    assert listed["count"] == 0
    assert detail.status_code == 404
    assert _ranked(round_) == [(kept.pk, other.user_id)]
