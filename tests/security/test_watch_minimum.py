"""Finding 8: the watch minimum counts what the server measures (heartbeats while the player
plays), not the number the browser sends; that number is capped at the wall time since the
scoring page was first opened."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from jury.enums import ReviewState
from jury.models import Assignment, Review
from media_pipeline.models import MediaAsset
from prijzen.enums import EntryState
from tests.factories import CriterionFactory, EntryFactory, JuryMemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def scoring(client):
    member = JuryMemberFactory()
    round_ = member.round
    round_.min_watch_share = Decimal("0.50")
    round_.save()
    criterion = CriterionFactory(round=round_)
    entry = EntryFactory(
        edition=round_.edition, category__edition=round_.edition, state=EntryState.SUBMITTED
    )
    entry.vlog = MediaAsset.objects.create(
        owner=entry.initiative.owner, original_key="o/1", duration=Decimal("120")
    )
    entry.save()
    assignment = Assignment.objects.create(round=round_, entry=entry, user=member.user)
    client.force_login(member.user)
    page = client.get(f"/jury/beoordelen/{assignment.pk}/")
    assert page.status_code == 200
    return client, assignment, criterion, page


def _url(assignment, suffix=""):
    return f"/jury/beoordelen/{assignment.pk}/{suffix}"


def _beat(client, assignment, **data):
    return client.post(_url(assignment, "kijken/"), data)


def _back(seconds):
    """Move the last heartbeat back, as if that much time passed."""
    review = Review.objects.get()
    Review.objects.filter(pk=review.pk).update(
        last_heartbeat_at=review.last_heartbeat_at - timedelta(seconds=seconds)
    )


def _submit(client, assignment, criterion):
    version = Review.objects.get().version
    return client.post(
        _url(assignment), {"version": str(version), f"score-{criterion.pk}": "7", "submit": "1"}
    )


def test_the_page_says_what_the_watch_time_means(scoring):
    _client, _assignment, _criterion, page = scoring

    text = page.content.decode()
    assert "Kijktijd: 0 van de benodigde 60 seconden, gemeten terwijl de video" in text
    assert "Het platform ziet niet of je echt kijkt." in text
    assert Review.objects.get().opened_at is not None


def test_a_reported_watch_time_without_playback_is_capped_and_does_not_count(scoring):
    client, assignment, criterion, _page = scoring

    data = {"version": "1", f"score-{criterion.pk}": "7", "watched_seconds": "108"}
    saved = client.post(_url(assignment), data, HTTP_X_AUTOSAVE="1")
    submitted = client.post(
        _url(assignment),
        {"version": "2", f"score-{criterion.pk}": "7", "watched_seconds": "108", "submit": "1"},
        HTTP_X_AUTOSAVE="0",
        follow=True,
    )

    assert saved.json()["saved"] is True
    review = Review.objects.get()
    wall = (timezone.now() - review.opened_at).total_seconds()
    assert review.watched_seconds <= Decimal(str(wall))
    assert review.watched_seconds < 5
    assert review.state == ReviewState.DRAFT
    assert "Bekijk minstens 60.0 seconden" in submitted.content.decode()


def test_the_service_refuses_with_watch_more(scoring):
    from common.errors import DomainError
    from jury import services

    _client, assignment, _criterion, _page = scoring
    review = Review.objects.get()
    review.scores = {str(c.pk): "7" for c in assignment.round.criteria.all()}
    review.watched_seconds = Decimal("108")  # the browser's number alone is not enough
    review.save()

    with pytest.raises(DomainError) as refused:
        services.submit_review(review=review, user=assignment.user, version=review.version)

    assert refused.value.code == "watch_more"


def test_heartbeats_spaced_in_time_add_up_to_enough(scoring):
    client, assignment, criterion, _page = scoring

    first = _beat(client, assignment, start="1")
    for _ in range(6):
        _back(10)
        answer = _beat(client, assignment)
    submitted = _submit(client, assignment, criterion)
    review = Review.objects.get()
    # 6 steps of 10 s moved back, plus the real time the test's own requests take (< 1 s)
    assert Decimal("60.0") <= review.heard_seconds < Decimal("61.0")
    assert first.json()["heard_seconds"] == "0.0"
    assert answer.json()["counted"] is True
    assert "Kijktijd: 60 van de benodigde 60 seconden" in answer.json()["message"]
    assert submitted.status_code == 302

    assert Review.objects.get().state == ReviewState.SUBMITTED


def test_just_under_the_minimum_is_refused(scoring):
    client, assignment, criterion, _page = scoring

    _beat(client, assignment, start="1")
    for _ in range(3):  # 3 x 15 s (a longer step counts as 15): 45 of 60, tolerance 6
        _back(20)
        _beat(client, assignment)
    _submit(client, assignment, criterion)

    review = Review.objects.get()
    assert review.heard_seconds == Decimal("45.0")
    assert review.state == ReviewState.DRAFT


def test_a_burst_of_heartbeats_adds_about_nothing(scoring):
    client, assignment, _criterion, _page = scoring

    answers = [_beat(client, assignment) for _ in range(20)]

    assert {a.status_code for a in answers} == {200}
    assert Review.objects.get().heard_seconds < 1


def test_a_heartbeat_after_a_long_silence_starts_a_new_stretch(scoring):
    client, assignment, _criterion, _page = scoring
    _beat(client, assignment)
    _back(300)

    _beat(client, assignment)

    assert Review.objects.get().heard_seconds == 0


def test_a_heartbeat_for_someone_elses_assignment_is_404(scoring):
    client, assignment, _criterion, _page = scoring
    other = JuryMemberFactory(round=assignment.round)
    theirs = Assignment.objects.create(
        round=assignment.round, entry=assignment.entry, user=other.user
    )

    answer = _beat(client, theirs)

    assert answer.status_code == 404
    assert not Review.objects.filter(assignment=theirs).exists()


def test_heartbeats_for_a_submitted_review_or_a_closed_round_change_nothing(scoring):
    client, assignment, _criterion, _page = scoring
    Review.objects.update(state=ReviewState.SUBMITTED)

    submitted = _beat(client, assignment)
    Review.objects.update(state=ReviewState.DRAFT)
    round_ = assignment.round
    round_.closes_at = timezone.now() - timedelta(minutes=1)
    round_.save()
    closed = _beat(client, assignment)

    assert (submitted.status_code, submitted.json()["code"]) == (400, "submitted")
    assert (closed.status_code, closed.json()["code"]) == (400, "closed")
    assert Review.objects.get().last_heartbeat_at is None


def test_the_api_uses_the_same_rule_with_its_own_heartbeat(scoring):
    from rest_framework.test import APIClient

    _client, assignment, criterion, _page = scoring
    api = APIClient()
    api.force_authenticate(user=assignment.user)
    url = f"/api/v1/assignments/{assignment.pk}/review/"
    api.patch(
        url,
        {"version": 1, "scores": {str(criterion.pk): "7"}, "watched_seconds": 108},
        format="json",
    )

    early = api.post(url + "submit/", {"version": 2}, format="json")
    capped = api.get(url).json()["watched_seconds"]
    api.post(url + "heartbeat/")
    for _ in range(4):
        _back(15)
        beat = api.post(url + "heartbeat/")
    later = api.post(url + "submit/", {"version": 2}, format="json")

    assert (early.status_code, early.json()["code"]) == (400, "watch_more")
    assert Decimal(capped) < 5
    assert beat.json()["heard_seconds"] == "60.0"
    assert later.status_code == 200, later.json()
