"""Rounds, conflicts of interest, assignment and reviews (services, with the real solver)."""

from decimal import Decimal
from itertools import product

import pytest
from django.utils import timezone

from common.errors import InvalidTransition, NotAllowed
from common.models import AuditLog
from jury import services
from jury.compute.solver import Infeasible
from jury.enums import REVIEW_TRANSITIONS, ROUND_TRANSITIONS, ReviewState, RoundState, TieKind
from jury.models import Assignment, Conflict, JurorTie, Review
from prijzen.enums import EntryState
from tests.factories import (
    CriterionFactory,
    EntryFactory,
    InitiativeFactory,
    JuryMemberFactory,
    RoundFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("source", "target"), list(product(RoundState.values, repeat=2)))
def test_round_transition(source, target):
    round_ = RoundFactory(state=source)

    if target in ROUND_TRANSITIONS[source]:
        assert services.transition_round(round_id=round_.pk, to=target).state == target
    else:
        with pytest.raises(InvalidTransition):
            services.transition_round(round_id=round_.pk, to=target)
        round_.refresh_from_db()
        assert round_.state == source


def _entry(round_, *, name="Buurtkamer", municipality="Utrecht", province="Utrecht"):
    initiative = InitiativeFactory(name=name, municipality=municipality, province=province)
    return EntryFactory(
        edition=round_.edition,
        category__edition=round_.edition,
        initiative=initiative,
        state=EntryState.SUBMITTED,
    )


@pytest.mark.parametrize(
    ("rule", "tie", "expected"),
    [
        (
            "none",
            (TieKind.ORGANISATION, "buurtkamer"),
            ["Verbonden met het initiatief Buurtkamer."],
        ),
        ("none", (TieKind.MUNICIPALITY, "Utrecht"), []),
        ("municipality", (TieKind.MUNICIPALITY, "Utrecht"), ["Zelfde gemeente: Utrecht."]),
        ("municipality", (TieKind.PROVINCE, "Utrecht"), []),
        ("province", (TieKind.MUNICIPALITY, "Amersfoort"), ["Zelfde provincie: Utrecht."]),
        ("province", (TieKind.PROVINCE, "Utrecht"), ["Zelfde provincie: Utrecht."]),
        ("province", (TieKind.PROVINCE, "Zeeland"), []),
    ],
)
def test_conflicts_are_found_from_ties_and_the_geography_rule(rule, tie, expected):
    round_ = RoundFactory(geography_rule=rule)
    entry = _entry(round_)
    member = JuryMemberFactory(round=round_)
    JurorTie.objects.create(user=member.user, kind=tie[0], value=tie[1])

    assert services.find_conflicts(round_=round_, user=member.user) == [
        (entry, reason) for reason in expected
    ]
    assert services.detect_conflicts(round_=round_) == len(expected)


def test_a_dismissed_conflict_stays_dismissed(django_user_model):
    round_ = RoundFactory(geography_rule="municipality")
    _entry(round_)
    member = JuryMemberFactory(round=round_)
    JurorTie.objects.create(user=member.user, kind=TieKind.MUNICIPALITY, value="Utrecht")
    services.detect_conflicts(round_=round_)
    organiser = django_user_model.objects.create_user("org@example.org", role="organiser")

    services.dismiss_conflict(conflict=Conflict.objects.get(), reason="Verhuisd", actor=organiser)

    assert services.detect_conflicts(round_=round_) == 0
    assert services.conflict_pairs(round_) == set()


def test_declaring_a_conflict_takes_away_open_work_only():
    round_ = RoundFactory()
    open_entry, done_entry = _entry(round_), _entry(round_, name="Ander")
    member = JuryMemberFactory(round=round_)
    Assignment.objects.create(round=round_, entry=open_entry, user=member.user)
    done = Assignment.objects.create(round=round_, entry=done_entry, user=member.user)
    Review.objects.create(assignment=done, state=ReviewState.SUBMITTED)

    services.declare_conflict(
        round_=round_, entry=open_entry, user=member.user, reason="Mijn buurvrouw"
    )
    services.declare_conflict(round_=round_, entry=done_entry, user=member.user, reason="Later")

    assert list(Assignment.objects.values_list("entry_id", flat=True)) == [done_entry.pk]
    assert services.conflict_pairs(round_) == {
        (member.user_id, open_entry.pk),
        (member.user_id, done_entry.pk),
    }


def test_declaring_a_conflict_needs_a_reason():
    round_ = RoundFactory()
    with pytest.raises(services.JuryError) as caught:
        services.declare_conflict(
            round_=round_,
            entry=_entry(round_),
            user=JuryMemberFactory(round=round_).user,
            reason="  ",
        )
    assert str(caught.value.message) == "Vertel kort waarom."
    assert Conflict.objects.count() == 0


def test_assignment_gives_k_conflict_free_jurors_with_balanced_loads():
    round_ = RoundFactory(jurors_per_entry=2)
    entries = [_entry(round_, name=f"Initiatief {i}") for i in range(6)]
    members = [JuryMemberFactory(round=round_) for _ in range(4)]
    pending = JuryMemberFactory(round=round_, terms_accepted_at=None)
    Conflict.objects.create(
        round=round_, entry=entries[0], user=members[0].user, source="declared", reason="Familie"
    )

    proposal = services.propose_assignment(round_=round_)
    services.commit_assignment(round_=round_, proposal=proposal, actor=None)

    pairs = set(Assignment.objects.values_list("user_id", "entry_id"))
    per_entry = {e.pk: sum(1 for _u, eid in pairs if eid == e.pk) for e in entries}
    loads = [sum(1 for u, _e in pairs if u == m.user_id) for m in members]
    assert set(per_entry.values()) == {2}
    assert (members[0].user_id, entries[0].pk) not in pairs
    assert sorted(loads) == [3, 3, 3, 3]
    assert all(u != pending.user_id for u, _e in pairs)


def test_rerun_after_a_drop_out_keeps_submitted_reviews():
    round_ = RoundFactory(jurors_per_entry=2)
    entries = [_entry(round_, name=f"Initiatief {i}") for i in range(4)]
    members = [JuryMemberFactory(round=round_) for _ in range(3)]
    services.commit_assignment(
        round_=round_, proposal=services.propose_assignment(round_=round_), actor=None
    )
    leaving = members[0]
    kept = Assignment.objects.filter(user=leaving.user).first()
    Review.objects.create(assignment=kept, state=ReviewState.SUBMITTED)
    leaving.dropped_out_at = timezone.now()
    leaving.save()

    services.commit_assignment(
        round_=round_, proposal=services.propose_assignment(round_=round_), actor=None
    )

    assert list(Assignment.objects.filter(user=leaving.user)) == [kept]
    counts = {e.pk: Assignment.objects.filter(entry=e).count() for e in entries}
    assert set(counts.values()) == {2}  # the kept review counts towards the entry's k


def test_an_impossible_assignment_is_explained():
    round_ = RoundFactory(jurors_per_entry=3)
    entry = _entry(round_)
    JuryMemberFactory(round=round_)
    JuryMemberFactory(round=round_)

    proposal = services.propose_assignment(round_=round_)

    assert isinstance(proposal, Infeasible)
    assert proposal.entries == (entry.pk,)


@pytest.fixture
def scoring():
    round_ = RoundFactory()
    first = CriterionFactory(round=round_, weight=Decimal("1"))
    second = CriterionFactory(round=round_, weight=Decimal("2"), step=Decimal("0.5"))
    shown = CriterionFactory(round=round_, required=False, counted=False)
    member = JuryMemberFactory(round=round_)
    assignment = Assignment.objects.create(round=round_, entry=_entry(round_), user=member.user)
    review = services.review_for(assignment=assignment, user=member.user)
    return round_, (first, second, shown), member.user, review


def test_submitted_review_has_the_weighted_total(scoring):
    _round, (first, second, shown), juror, review = scoring
    review = services.save_review(
        review=review,
        user=juror,
        version=1,
        data={
            "scores": {first.pk: "6", second.pk: "9.5", shown.pk: "1"},
        },
    )

    review = services.submit_review(review=review, user=juror, version=review.version)

    assert review.state == ReviewState.SUBMITTED
    assert review.weighted_total == Decimal("8.333")  # (6 * 1 + 9.5 * 2) / 3, "shown" not counted


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("11", "Criterium"),
        ("7.5", "geef een cijfer van 1 tot 10 in stappen van 1."),
        ("abc", "Vul een getal in."),
        ("NaN", "Vul een getal in."),
        ("sNaN", "Vul een getal in."),
        ("Infinity", "Vul een getal in."),
        ("-Infinity", "Vul een getal in."),
        ("1e999", "geef een cijfer van 1 tot 10"),
    ],
)
def test_a_bad_score_is_refused_and_nothing_changes(scoring, value, message):
    _round, (first, *_rest), juror, review = scoring

    with pytest.raises(services.JuryError) as caught:
        services.save_review(
            review=review, user=juror, version=1, data={"scores": {first.pk: value}}
        )

    assert message in str(caught.value.message)
    review.refresh_from_db()
    assert (review.scores, review.version) == ({}, 1)


def test_a_second_tab_cannot_overwrite_silently(scoring):
    _round, (first, *_rest), juror, review = scoring
    services.save_review(review=review, user=juror, version=1, data={"scores": {first.pk: "5"}})

    with pytest.raises(services.JuryError) as caught:
        services.save_review(review=review, user=juror, version=1, data={"scores": {first.pk: "8"}})

    assert caught.value.code == "stale"
    review.refresh_from_db()
    assert review.scores == {str(first.pk): "5"}


def test_every_change_is_audited_with_old_and_new_values(scoring):
    _round, (first, *_rest), juror, review = scoring
    review = services.save_review(
        review=review, user=juror, version=1, data={"scores": {first.pk: "5"}}
    )
    services.save_review(review=review, user=juror, version=2, data={"scores": {first.pk: "7"}})

    changes = AuditLog.objects.filter(action="review_changed").order_by("pk")
    assert [(c.data["old"]["scores"], c.data["new"]["scores"]) for c in changes] == [
        ({}, {str(first.pk): "5"}),
        ({str(first.pk): "5"}, {str(first.pk): "7"}),
    ]


def test_submit_lists_missing_required_criteria(scoring):
    _round, (first, second, _shown), juror, review = scoring
    review = services.save_review(
        review=review, user=juror, version=1, data={"scores": {first.pk: "5"}}
    )

    with pytest.raises(services.JuryError) as caught:
        services.submit_review(review=review, user=juror, version=review.version)

    assert str(caught.value.message) == f"Geef een cijfer voor: {second.name_nl}."


@pytest.mark.parametrize("state", ["draft", "closed"])
def test_no_scoring_outside_an_open_round(scoring, state):
    round_, (first, *_rest), juror, review = scoring
    round_.state = state
    round_.save()

    with pytest.raises(services.JuryError) as caught:
        services.save_review(review=review, user=juror, version=1, data={"scores": {first.pk: 5}})
    assert caught.value.code == "closed"


def test_another_juror_cannot_touch_the_review(scoring):
    round_, (first, *_rest), _juror, review = scoring
    other = JuryMemberFactory(round=round_).user

    with pytest.raises(NotAllowed):
        services.save_review(review=review, user=other, version=1, data={"scores": {first.pk: 5}})


def test_a_conflicted_juror_cannot_score(scoring):
    round_, (first, *_rest), juror, review = scoring
    Conflict.objects.create(
        round=round_,
        entry=review.assignment.entry,
        user=juror,
        source="detected",
        reason="Zelfde gemeente",
    )

    with pytest.raises(services.JuryError) as caught:
        services.save_review(review=review, user=juror, version=1, data={"scores": {first.pk: 5}})
    assert caught.value.code == "conflict"


@pytest.mark.parametrize(("source", "target"), list(product(ReviewState.values, repeat=2)))
def test_review_transitions(scoring, source, target):
    _round, _criteria, juror, review = scoring
    Review.objects.filter(pk=review.pk).update(state=source)
    review.refresh_from_db()
    allowed = target in REVIEW_TRANSITIONS[source]

    if target == ReviewState.DRAFT and allowed:
        assert services.reopen_review(review=review, user=juror).state == ReviewState.DRAFT
    elif not allowed:
        from common import statemachine

        with pytest.raises(InvalidTransition):
            statemachine.transition(model=Review, pk=review.pk, to=target, table=REVIEW_TRANSITIONS)
    else:  # draft → submitted needs the required scores
        with pytest.raises(services.JuryError):
            services.submit_review(review=review, user=juror, version=review.version)
