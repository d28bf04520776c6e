"""Results certificates: closing freezes the inputs and the order; verify_results recomputes."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from jury.certificates import close_round, verify
from jury.models import Assignment, ResultSnapshot, Review
from prijzen.enums import EntryState
from tests.factories import EntryFactory, JuryMemberFactory, OrganiserFactory, RoundFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored_round():
    round_ = RoundFactory(official_method="mean")
    members = [JuryMemberFactory(round=round_) for _ in range(2)]
    for i, totals in enumerate([("8", "9"), ("6", "5")]):
        entry = EntryFactory(
            edition=round_.edition,
            category__edition=round_.edition,
            state=EntryState.SUBMITTED,
            number=i + 1,
        )
        for member, total in zip(members, totals, strict=True):
            assignment = Assignment.objects.create(round=round_, entry=entry, user=member.user)
            Review.objects.create(
                assignment=assignment,
                state="submitted",
                weighted_total=Decimal(total),
                scores={"1": total},
            )
    return round_


def test_closing_freezes_the_certificate(scored_round):
    snapshot = close_round(round_=scored_round, actor=OrganiserFactory())

    scored_round.refresh_from_db()
    assert scored_round.state == "closed"
    assert (snapshot.method, len(snapshot.inputs), len(snapshot.input_sha256)) == ("mean", 4, 64)
    assert [rank for _entry, rank, _score in snapshot.ranking] == [1, 2]
    assert [score for _entry, _rank, score in snapshot.ranking] == ["8.50", "5.50"]
    assert verify(snapshot).ok is True


def test_verify_results_detects_a_tampered_score(scored_round, capsys):
    close_round(round_=scored_round, actor=None)
    call_command("verify_results", str(scored_round.pk))
    assert capsys.readouterr().out.startswith(f"OK: round {scored_round.pk}")

    Review.objects.filter(weighted_total=Decimal("5")).update(weighted_total=Decimal("10"))

    with pytest.raises(SystemExit) as exited:
        call_command("verify_results", str(scored_round.pk))
    err = capsys.readouterr().err
    assert exited.value.code == 1
    assert "MISMATCH: the scores differ from the ones in the certificate (SHA-256)" in err
    assert "MISMATCH: the recomputed ranking differs from the certificate" in err


def test_no_scoring_after_closing_without_reopening(scored_round):
    from jury import services

    close_round(round_=scored_round, actor=None)
    review = Review.objects.first()
    juror = review.assignment.user

    with pytest.raises(services.JuryError) as caught:
        services.save_review(review=review, user=juror, version=review.version, data={"scores": {}})
    assert caught.value.code == "closed"


def test_organiser_closes_and_downloads_the_certificate(client, scored_round):
    client.force_login(OrganiserFactory())

    client.post(f"/jury/rondes/{scored_round.pk}/sluiten/", {"confirm": "1"})
    response = client.get(f"/jury/rondes/{scored_round.pk}/certificaat.json")

    body = response.json()
    snapshot = ResultSnapshot.objects.get()
    assert body["input_sha256"] == snapshot.input_sha256
    assert body["ranking"] == snapshot.ranking
    assert response["Content-Disposition"] == (
        f'attachment; filename="resultaten-ronde-{scored_round.pk}.json"'
    )
    # One presenter: the API gives the same certificate, made_at in Amsterdam time.
    assert client.get(f"/api/v1/rounds/{scored_round.pk}/certificate/").json() == body
    assert body["made_at"] == timezone.localtime(snapshot.created_at).isoformat()
    assert body["made_at"].endswith(("+01:00", "+02:00"))
