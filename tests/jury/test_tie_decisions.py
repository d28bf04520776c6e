"""Ties the round's rule leaves open: the organisers record an order with a written reason,
the official order follows it, and the results certificate freezes it."""

from decimal import Decimal

import pytest

from common.models import AuditLog
from jury import services
from jury.certificates import close_round, decide_tie, verify
from jury.compute import rankings
from jury.models import Assignment, Review, TieDecision
from prijzen.enums import EntryState
from tests.factories import EntryFactory, JuryMemberFactory, OrganiserFactory, RoundFactory

SCALE = (1, 10)


def _review(entry, juror, total):
    return rankings.ReviewScores(
        entry_id=entry, juror_id=juror, weighted_total=Decimal(total), scores={1: Decimal(total)}
    )


def test_organiser_order_breaks_a_tie_the_rule_leaves_open():
    # Entries 1 and 2 get the same scores from the same jurors: every method ties them.
    reviews = [
        _review(e, j, t)
        for e, j, t in [
            (1, "a", 7),
            (1, "b", 5),
            (2, "a", 7),
            (2, "b", 5),
            (3, "a", 9),
            (3, "b", 9),
        ]
    ]

    open_tie = rankings.official_ranking(reviews, scale=SCALE)
    decided = rankings.official_ranking(
        reviews, scale=SCALE, organiser_orders={frozenset({1, 2}): [2, 1]}
    )

    assert [(r.entry_id, r.rank, r.needs_decision) for r in open_tie.rows] == [
        (3, 1, False),
        (1, 2, True),
        (2, 2, True),
    ]
    assert [(r.entry_id, r.rank, r.decided_by, r.needs_decision) for r in decided.rows] == [
        (3, 1, None, False),
        (2, 2, "organiser", False),
        (1, 3, "organiser", False),
    ]
    assert decided.ties[0].needs_decision is False
    assert str(decided.ties[0].text) == (
        "Gelijke score. De organisatie heeft besloten, met een geschreven reden."
    )


def test_an_order_for_entries_that_are_not_tied_together_changes_nothing():
    reviews = [_review(e, j, t) for e, j, t in [(1, "a", 7), (2, "a", 7), (3, "a", 2)]]

    ranking = rankings.official_ranking(
        reviews, scale=SCALE, organiser_orders={frozenset({1, 3}): [3, 1]}
    )

    assert [(r.entry_id, r.rank) for r in ranking.rows] == [(1, 1), (2, 1), (3, 3)]


@pytest.fixture
def tied_round(db):
    round_ = RoundFactory(official_method="mean")
    members = [JuryMemberFactory(round=round_) for _ in range(2)]
    entries = []
    for number, totals in enumerate([("7", "5"), ("7", "5"), ("9", "9")], start=1):
        entry = EntryFactory(
            edition=round_.edition,
            category__edition=round_.edition,
            state=EntryState.SUBMITTED,
            number=number,
        )
        entries.append(entry)
        for member, total in zip(members, totals, strict=True):
            assignment = Assignment.objects.create(round=round_, entry=entry, user=member.user)
            Review.objects.create(
                assignment=assignment,
                state="submitted",
                weighted_total=Decimal(total),
                scores={"1": total},
            )
    return round_, entries


def test_decide_tie_is_audited_and_frozen_in_the_certificate(tied_round):
    round_, (e1, e2, e3) = tied_round
    organiser = OrganiserFactory()

    decide_tie(
        round_=round_, order=[e2.pk, e1.pk], reason="Meer nieuwe vrijwilligers.", actor=organiser
    )
    snapshot = close_round(round_=round_, actor=organiser)

    assert snapshot.ranking == [[e3.pk, 1, "9.00"], [e2.pk, 2, "6.00"], [e1.pk, 3, "6.00"]]
    assert snapshot.parameters["tie_decisions"] == [
        {"order": [e2.pk, e1.pk], "reason": "Meer nieuwe vrijwilligers."}
    ]
    log = AuditLog.objects.get(action="tie_decided")
    assert log.data == {"order": [e2.pk, e1.pk], "reason": "Meer nieuwe vrijwilligers."}
    assert verify(snapshot).ok is True


def test_verify_detects_a_tie_decision_changed_after_closing(tied_round):
    round_, (e1, e2, _e3) = tied_round
    decide_tie(round_=round_, order=[e2.pk, e1.pk], reason="Reden", actor=None)
    snapshot = close_round(round_=round_, actor=None)

    TieDecision.objects.update(order=[e1.pk, e2.pk])

    assert verify(snapshot).problems == (
        "the tie decisions differ from the ones in the certificate",
    )


@pytest.mark.parametrize(
    ("order", "reason", "code"),
    [
        ("tied", "", "reason_missing"),
        ("tied", "x" * 2001, "reason_too_long"),
        ("not_tied", "Reden", "not_a_tie"),
        ("twice", "Reden", "not_a_tie"),
    ],
)
def test_decide_tie_refuses_bad_input_and_changes_nothing(tied_round, order, reason, code):
    round_, (e1, e2, e3) = tied_round
    orders = {"tied": [e2.pk, e1.pk], "not_tied": [e3.pk, e1.pk], "twice": [e1.pk, e1.pk]}

    with pytest.raises(services.JuryError) as error:
        decide_tie(round_=round_, order=orders[order], reason=reason, actor=None)

    assert error.value.code == code
    assert not TieDecision.objects.exists()


def test_decide_tie_needs_an_open_round(tied_round):
    round_, (e1, e2, _e3) = tied_round
    close_round(round_=round_, actor=None)
    round_.refresh_from_db()

    with pytest.raises(services.JuryError) as error:
        decide_tie(round_=round_, order=[e2.pk, e1.pk], reason="Reden", actor=None)

    assert error.value.code == "round_not_open"
    assert not TieDecision.objects.exists()


def test_ranking_page_shows_the_tie_and_records_the_organisers_order(client, tied_round):
    round_, (e1, e2, _e3) = tied_round
    client.force_login(OrganiserFactory())
    page = f"/jury/rondes/{round_.pk}/rangschikking/"

    before = client.get(page).content.decode()
    response = client.post(
        f"/jury/rondes/{round_.pk}/gelijke-stand/",
        {"order": "2, 1", "reason": "Meer bereik."},
        follow=True,
    )
    after = response.content.decode()

    assert "Gelijke score. De organisatie beslist en schrijft de reden op." in before
    assert 'name="order" required value="1, 2"' in before
    assert [str(m) for m in response.context["messages"]] == [
        "De volgorde van de gelijk geëindigde inzendingen is vastgelegd."
    ]
    assert "reden: Meer bereik." in after
    assert [(r.entry_id, r.rank) for r in response.context["report"].official.rows][1:] == [
        (e2.pk, 2),
        (e1.pk, 3),
    ]


@pytest.mark.parametrize("order", ["", "twee, een", "1, 99"])
def test_ranking_page_refuses_an_order_that_is_not_entry_numbers(client, tied_round, order):
    round_, _entries = tied_round
    client.force_login(OrganiserFactory())

    response = client.post(
        f"/jury/rondes/{round_.pk}/gelijke-stand/", {"order": order, "reason": "Reden"}, follow=True
    )

    assert [str(m) for m in response.context["messages"]] == [
        "Geef de nummers van de inzendingen op volgorde, gescheiden door komma's."
    ]
    assert not TieDecision.objects.exists()


def test_only_organisers_record_tie_decisions(client, tied_round):
    round_, (e1, _e2, _e3) = tied_round
    client.force_login(e1.initiative.owner)

    response = client.post(
        f"/jury/rondes/{round_.pk}/gelijke-stand/", {"order": "2, 1", "reason": "Reden"}
    )

    assert response.status_code == 404
    assert not TieDecision.objects.exists()


def test_verify_detects_a_tie_reason_changed_after_closing(tied_round):
    round_, (e1, e2, _e3) = tied_round
    decide_tie(round_=round_, order=[e2.pk, e1.pk], reason="Reden", actor=None)
    snapshot = close_round(round_=round_, actor=None)

    TieDecision.objects.update(reason="Een andere reden")

    assert verify(snapshot).problems == (
        "the tie decisions differ from the ones in the certificate",
    )
