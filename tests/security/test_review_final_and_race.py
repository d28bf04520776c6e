"""Finding 5: with score visibility "after own", once the others' totals have been shown the
juror's submitted review is final (page and API). Finding 12: submit checks and computes on
the locked row, so a save that came in between is never overwritten by a stale total."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from jury import services
from jury.models import Assignment, Review
from prijzen.enums import EntryState
from tests.factories import CriterionFactory, EntryFactory, JuryMemberFactory, RoundFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def after_own():
    round_ = RoundFactory(score_visibility="after_own")
    criterion = CriterionFactory(round=round_, required=True)
    me, other = JuryMemberFactory(round=round_), JuryMemberFactory(round=round_)
    entry = EntryFactory(
        edition=round_.edition, category__edition=round_.edition, state=EntryState.SUBMITTED
    )
    mine = Assignment.objects.create(round=round_, entry=entry, user=me.user)
    theirs = Assignment.objects.create(round=round_, entry=entry, user=other.user)
    review = Review.objects.create(assignment=mine, scores={str(criterion.pk): "8"})
    services.submit_review(review=review, user=me.user, version=1)
    return criterion, me, mine, theirs


def test_after_seeing_the_others_totals_the_review_is_final(client, after_own):
    criterion, me, mine, theirs = after_own
    Review.objects.create(assignment=theirs, state="submitted", weighted_total="4.000")
    client.force_login(me.user)
    url = f"/jury/beoordelen/{mine.pk}/"

    page = client.get(url).content.decode()
    changed = client.post(url, {"version": "2", f"score-{criterion.pk}": "4"}, HTTP_X_AUTOSAVE="1")
    reopened = client.post(url, {"version": "2", "reopen": "1"}, follow=True)
    api = APIClient()
    api.force_authenticate(me.user)
    by_api = api.post(f"/api/v1/assignments/{mine.pk}/review/reopen/", format="json")

    assert "Jurylid 1: 4,000" in page
    assert "Je beoordeling staat vast: je hebt de scores van de andere juryleden gezien." in page
    assert "Weer openen als concept" not in page
    assert (changed.status_code, changed.json()["code"]) == (400, "final")
    assert "Je beoordeling staat vast" in reopened.content.decode()
    assert (by_api.status_code, by_api.json()["code"]) == (400, "final")
    review = Review.objects.get(assignment=mine)
    assert (review.state, review.scores, review.weighted_total) == (
        "submitted",
        {str(criterion.pk): "8"},
        Decimal("8.000"),
    )


def test_before_any_other_total_is_shown_the_review_can_still_change(client, after_own):
    criterion, me, mine, _theirs = after_own
    client.force_login(me.user)
    url = f"/jury/beoordelen/{mine.pk}/"

    page = client.get(url).content.decode()
    changed = client.post(url, {"version": "2", f"score-{criterion.pk}": "6"}, HTTP_X_AUTOSAVE="1")

    assert "Nog geen ingestuurd." in page
    assert "Na het indienen zie je de scores van de andere juryleden." in page
    assert changed.json() == {"saved": True, "version": 3}
    assert Review.objects.get(assignment=mine).weighted_total == Decimal("6.000")


def test_submit_from_a_stale_copy_is_refused_and_the_total_matches_the_scores():
    round_ = RoundFactory()
    criterion = CriterionFactory(round=round_)
    member = JuryMemberFactory(round=round_)
    entry = EntryFactory(
        edition=round_.edition, category__edition=round_.edition, state=EntryState.SUBMITTED
    )
    assignment = Assignment.objects.create(round=round_, entry=entry, user=member.user)
    Review.objects.create(assignment=assignment, scores={str(criterion.pk): "5"})
    stale = Review.objects.get()  # the copy a submit request loaded, at version 1
    services.save_review(
        review=Review.objects.get(),
        user=member.user,
        version=1,
        data={"scores": {str(criterion.pk): "9"}},
    )  # another window, v2

    with pytest.raises(services.JuryError) as refused:
        services.submit_review(review=stale, user=member.user, version=1)
    assert refused.value.code == "stale"
    assert Review.objects.get().state == "draft"

    submitted = services.submit_review(review=stale, user=member.user, version=2)

    stored = Review.objects.get()
    assert submitted.weighted_total == stored.weighted_total == Decimal("9.000")
    assert stored.scores == {str(criterion.pk): "9"}
    assert stored.weighted_total == services.weighted_total(round_, stored.scores)
