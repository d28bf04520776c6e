"""Organisers' round page: invitations, conflicts, the assignment proposal, reminders."""

from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from jury import selectors, services
from jury.enums import TieKind
from jury.models import Assignment, Conflict, JurorTie, JuryMember, Review
from prijzen.enums import EntryState
from prijzen.models import Entry
from tests.factories import (
    CategoryFactory,
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


def _entries(round_, n):
    return [
        EntryFactory(
            edition=round_.edition,
            category__edition=round_.edition,
            number=i + 1,
            state=EntryState.SUBMITTED,
        )
        for i in range(n)
    ]


def test_only_organisers_see_the_round_page(client):
    round_ = RoundFactory()
    client.force_login(JuryMemberFactory(round=round_).user)

    assert client.get(f"/jury/rondes/{round_.pk}/").status_code == 404


def test_invite_from_the_round_page(client, organiser, django_capture_on_commit_callbacks):
    round_ = RoundFactory()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/jury/rondes/{round_.pk}/uitnodigen/",
            {"email": "Nieuw@Jury.nl", "name": "Nina"},
            follow=True,
        )
    bad = client.post(f"/jury/rondes/{round_.pk}/uitnodigen/", {"email": "geen"}, follow=True)

    assert "De uitnodiging is verstuurd naar nieuw@jury.nl." in response.content.decode()
    assert [m.to for m in mail.outbox] == [["nieuw@jury.nl"]]
    assert JuryMember.objects.get().user.name == "Nina"
    assert "Dit is geen geldig e-mailadres." in bad.content.decode()
    assert JuryMember.objects.count() == 1


def test_propose_then_commit_the_shown_assignment(client, organiser):
    round_ = RoundFactory(jurors_per_entry=2)
    _entries(round_, 4)
    for _ in range(3):
        JuryMemberFactory(round=round_)

    shown = client.post(f"/jury/rondes/{round_.pk}/voorstel/")
    page = shown.content.decode()
    digest = shown.context["hash"]
    committed = client.post(f"/jury/rondes/{round_.pk}/vastleggen/", {"hash": digest}, follow=True)

    assert "Voorstel voor de toewijzing" in page
    assert len(shown.context["coverage"]) == 4
    assert all(len(jurors) == 2 for _title, jurors in shown.context["coverage"])
    assert Assignment.objects.count() == 8
    assert "De toewijzing is opgeslagen (8 wijzigingen)." in committed.content.decode()


def test_a_changed_situation_refuses_the_old_proposal(client, organiser):
    round_ = RoundFactory(jurors_per_entry=1)
    _entries(round_, 2)
    JuryMemberFactory(round=round_)

    response = client.post(f"/jury/rondes/{round_.pk}/vastleggen/", {"hash": "oud"}, follow=True)

    assert "Er is intussen iets veranderd." in response.content.decode()
    assert Assignment.objects.count() == 0


def test_an_impossible_assignment_is_explained_in_dutch(client, organiser):
    round_ = RoundFactory(jurors_per_entry=2)
    [entry] = _entries(round_, 1)
    JuryMemberFactory(round=round_)

    page = client.post(f"/jury/rondes/{round_.pk}/voorstel/").content.decode()

    assert "Toewijzen is niet mogelijk:" in page
    assert (
        f"Inzending {entry.pk} heeft 2 juryleden nodig; beschikbaar: 1 (met een "
        "belangenconflict: 0, niet actief: 0, op hun maximum: 0)."
    ) in page


def test_detect_and_dismiss_a_conflict(client, organiser):
    round_ = RoundFactory(geography_rule="municipality")
    [entry] = _entries(round_, 1)
    member = JuryMemberFactory(round=round_)
    JurorTie.objects.create(
        user=member.user, kind=TieKind.MUNICIPALITY, value=entry.initiative.municipality
    )

    found = client.post(f"/jury/rondes/{round_.pk}/conflicten-zoeken/", follow=True)
    conflict = Conflict.objects.get()
    client.post(
        f"/jury/rondes/{round_.pk}/conflicten/{conflict.pk}/afwijzen/",
        {"reason": "Verhuisd in 2020"},
    )

    assert "1 nieuw belangenconflict gevonden." in found.content.decode()
    conflict.refresh_from_db()
    assert (conflict.dismissal_reason, conflict.dismissed_by) == ("Verhuisd in 2020", organiser)


def test_reminders_go_to_jurors_with_open_work_only(client, organiser):
    round_ = RoundFactory()
    entry, other = _entries(round_, 2)
    busy, done = JuryMemberFactory(round=round_), JuryMemberFactory(round=round_)
    Assignment.objects.create(round=round_, entry=entry, user=busy.user)
    finished = Assignment.objects.create(round=round_, entry=other, user=done.user)
    Review.objects.create(assignment=finished, state="submitted")

    response = client.post(f"/jury/rondes/{round_.pk}/herinneren/", follow=True)

    assert [m.to for m in mail.outbox] == [[busy.user.email]]
    assert "1 herinnering verstuurd." in response.content.decode()


def test_the_api_finds_conflicts_and_sends_reminders_as_the_page_does(client, organiser):
    round_ = RoundFactory(geography_rule="municipality")
    [entry] = _entries(round_, 1)
    member, other = JuryMemberFactory(round=round_), JuryMemberFactory(round=round_)
    JurorTie.objects.create(
        user=member.user, kind=TieKind.MUNICIPALITY, value=entry.initiative.municipality
    )
    Assignment.objects.create(round=round_, entry=entry, user=other.user)

    found = client.post(f"/api/v1/rounds/{round_.pk}/find-conflicts/")
    again = client.post(f"/api/v1/rounds/{round_.pk}/find-conflicts/")
    reminded = client.post(f"/api/v1/rounds/{round_.pk}/remind/")

    assert (found.json(), again.json()) == ({"count": 1}, {"count": 0})
    assert Conflict.objects.get().user == member.user
    assert reminded.json() == {"count": 1}
    assert [m.to for m in mail.outbox] == [[other.user.email]]


def test_juror_records_and_removes_ties(client):
    member = JuryMemberFactory()
    client.force_login(member.user)

    client.post("/jury/banden/", {"kind": "organisation", "value": "Voedselbank Noord"})
    tie = JurorTie.objects.get()
    client.post("/jury/banden/", {"delete": tie.pk})

    assert (tie.kind, tie.value) == ("organisation", "Voedselbank Noord")
    assert JurorTie.objects.count() == 0


def test_conflicts_can_be_checked_before_inviting(client, organiser):
    round_ = RoundFactory(geography_rule="province")
    [entry] = _entries(round_, 1)
    person = JuryMemberFactory().user  # a juror of another round, with ties on record
    JurorTie.objects.create(user=person, kind=TieKind.PROVINCE, value=entry.initiative.province)

    known = client.get(f"/jury/rondes/{round_.pk}/", {"check": person.email}).content.decode()
    unknown = client.get(f"/jury/rondes/{round_.pk}/", {"check": "x@y.nl"}).content.decode()

    assert f"{entry.title}: Zelfde provincie: {entry.initiative.province}." in known
    assert "Voor dit adres zijn nog geen banden bekend." in unknown
    assert JuryMember.objects.filter(round=round_).count() == 0  # nothing stored


@pytest.mark.parametrize("count", [1, 3])
def test_round_page_query_count_does_not_grow(client, organiser, count):
    round_ = RoundFactory()
    entries = _entries(round_, count)
    for entry in entries:
        member = JuryMemberFactory(round=round_)
        Assignment.objects.create(round=round_, entry=entry, user=member.user)
        Conflict.objects.create(
            round=round_, entry=entry, user=member.user, source="declared", reason="Buren"
        )
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/jury/rondes/{round_.pk}/")

    assert response.status_code == 200
    assert len(queries) == 10, [q["sql"] for q in queries]


def test_the_rubric_and_the_method_are_fixed_once_scoring_started(client, organiser):
    from django.contrib.admin.sites import site

    from jury.models import Review, Round

    round_ = RoundFactory(state="draft")
    admin = site._registry[Round]
    inline = admin.get_inline_instances(None)[0]

    assert "official_method" not in admin.get_readonly_fields(None, round_)
    assert inline._editable(round_) is True
    round_.state = "open"
    assignment = Assignment.objects.create(
        round=round_, entry=_entries(round_, 1)[0], user=JuryMemberFactory(round=round_).user
    )
    Review.objects.create(assignment=assignment, scores={"1": "7"})

    assert "official_method" in admin.get_readonly_fields(None, round_)
    assert inline._editable(round_) is False
    page = client.get(f"/beheer/jury/round/{round_.pk}/change/", follow=True).content.decode()
    assert "Het beoordelingsformulier staat vast: de eerste cijfers zijn binnen." in page


def test_copy_a_round_with_its_rubric_to_the_newest_edition(client, organiser):
    from jury.models import Criterion, Round
    from tests.factories import CriterionFactory, EditionFactory

    old = RoundFactory(name="Juryronde 2021")
    CriterionFactory(round=old, name_nl="Verbindt")
    CriterionFactory(round=old, name_nl="Verrast")
    newest = EditionFactory(year=9999)

    client.post(
        "/beheer/jury/round/", {"action": "copy_to_newest_edition", "_selected_action": [old.pk]}
    )

    copy = Round.objects.get(edition=newest)
    assert (copy.name, copy.state) == ("Juryronde 2021", "draft")
    assert list(Criterion.objects.filter(round=copy).values_list("name_nl", flat=True)) == [
        "Verbindt",
        "Verrast",
    ]


def _scored_round():
    from decimal import Decimal

    round_ = RoundFactory(official_method="mean")
    entries = _entries(round_, 3)
    members = [JuryMemberFactory(round=round_) for _ in range(3)]
    totals = {0: ["9", "8", "9"], 1: ["5", "6", "4"], 2: ["7", "7", "7"]}
    for i, entry in enumerate(entries):
        entry.title = f"Inzending {'ABC'[i]}"
        entry.save()
        for member, total in zip(members, totals[i], strict=True):
            assignment = Assignment.objects.create(round=round_, entry=entry, user=member.user)
            Review.objects.create(
                assignment=assignment, state="submitted", weighted_total=Decimal(total)
            )
    return round_


def test_ranking_page_shows_the_official_order_and_agreement(client, organiser):
    round_ = _scored_round()

    response = client.get(f"/jury/rondes/{round_.pk}/rangschikking/")

    titles = [title for _row, title, _ranks in response.context["rows"]]
    assert titles == ["Inzending A", "Inzending C", "Inzending B"]
    assert [row.score for row, _t, _r in response.context["rows"]] == [
        Decimal("8.67"),
        Decimal("7.00"),
        Decimal("5.00"),
    ]
    page = " ".join(response.content.decode().split())
    assert "Overeenstemming tussen de juryleden" in page
    assert "Officiële methode: Gemiddelde. Het gemiddelde van de totalen van de juryleden." in page


def test_ranking_page_ranks_per_category_with_remarks_and_by_disagreement(client, organiser):
    round_ = _scored_round()
    entries = list(services.round_entries(round_).order_by("title"))  # A, B, C
    lokaal = CategoryFactory(edition=round_.edition, name="Lokaal")
    Entry.objects.filter(pk__in=[e.pk for e in entries]).update(category=lokaal)
    other = CategoryFactory(edition=round_.edition, name="Landelijk")
    Entry.objects.filter(pk=entries[2].pk).update(category=other)  # C is Landelijk
    Review.objects.filter(assignment__entry=entries[0]).update(overall_comment="Hartelijk.")

    groups = client.get(f"/jury/rondes/{round_.pk}/rangschikking/").context["groups"]
    disagreement = client.get(f"/jury/rondes/{round_.pk}/rangschikking/?volgorde=onenigheid")

    assert [(g["category"], [(r["place"], r["title"]) for r in g["rows"]]) for g in groups] == [
        ("Lokaal", [(1, "Inzending A"), (2, "Inzending B")]),
        ("Landelijk", [(1, "Inzending C")]),
    ]
    assert [email for email, _text in groups[0]["rows"][0]["remarks"]] == sorted(
        Review.objects.filter(assignment__entry=entries[0]).values_list(
            "assignment__user__email", flat=True
        )
    )
    first = disagreement.context["groups"][0]["rows"]
    assert [r["row"].spread.sd for r in first] == sorted(
        (r["row"].spread.sd for r in first), reverse=True
    )


def test_ranking_csv_has_dutch_columns_and_every_method(client, organiser):
    import csv
    import io

    round_ = _scored_round()

    response = client.get(f"/jury/rondes/{round_.pk}/rangschikking.csv")

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert response["Content-Disposition"] == (
        f'attachment; filename="rangschikking-ronde-{round_.pk}.csv"'
    )
    assert rows[0][:3] == ["rang", "inzending", "score"]
    assert [r[1] for r in rows[1:]] == ["Inzending A", "Inzending C", "Inzending B"]
    assert len(rows[0]) == 6 + 7 + 2  # ... the methods, "verschoven", "ranginterval"


def test_the_ranking_is_for_organisers_only(client):
    round_ = _scored_round()
    client.force_login(JuryMemberFactory(round=round_).user)

    assert client.get(f"/jury/rondes/{round_.pk}/rangschikking/").status_code == 404
    assert client.get(f"/jury/rondes/{round_.pk}/rangschikking.csv").status_code == 404


def test_reminders_follow_the_active_jury_member_and_what_a_juror_may_see(client, organiser):
    """One rule for "active jury member" and one for "what a juror may see": a juror who
    dropped out of another round is still reminded for this one; an invited juror who has not
    accepted, a juror who dropped out of this round, a conflicted juror and a juror whose only
    entry was withdrawn are not."""
    round_ = RoundFactory()
    earlier = RoundFactory(edition=round_.edition)
    entry, withdrawn = _entries(round_, 2)
    withdrawn.state = EntryState.WITHDRAWN
    withdrawn.save()
    now = timezone.now()
    active = JuryMemberFactory(round=round_)
    elsewhere = JuryMemberFactory(round=round_)
    JuryMemberFactory(round=earlier, user=elsewhere.user, dropped_out_at=now)
    invited = JuryMemberFactory(round=round_, accepted_at=None, terms_accepted_at=None)
    new_terms = JuryMemberFactory(round=round_, terms_accepted_at=None)
    gone = JuryMemberFactory(round=round_, dropped_out_at=now)
    conflicted = JuryMemberFactory(round=round_)
    left = JuryMemberFactory(round=round_)
    for member in (active, elsewhere, invited, new_terms, gone, conflicted):
        Assignment.objects.create(round=round_, entry=entry, user=member.user)
    Assignment.objects.create(round=round_, entry=withdrawn, user=left.user)
    Conflict.objects.create(
        round=round_, entry=entry, user=conflicted.user, source="declared", reason="Buurman"
    )

    response = client.post(f"/jury/rondes/{round_.pk}/herinneren/", follow=True)

    assert sorted(m.to[0] for m in mail.outbox) == sorted([active.user.email, elsewhere.user.email])
    assert "2 herinneringen verstuurd." in response.content.decode()


def test_progress_counts_the_work_a_juror_may_see_alike_on_every_page(client, organiser):
    """One count of progress (selectors.progress) for the round page, the progress export
    and the juror's home: a withdrawn entry or a conflict is no work."""
    round_ = RoundFactory()
    entry, other, withdrawn, conflicted = _entries(round_, 4)
    withdrawn.state = EntryState.WITHDRAWN
    withdrawn.save()
    member = JuryMemberFactory(round=round_)
    done = Assignment.objects.create(round=round_, entry=entry, user=member.user)
    Review.objects.create(assignment=done, state="submitted")
    Assignment.objects.create(round=round_, entry=other, user=member.user)
    Assignment.objects.create(round=round_, entry=withdrawn, user=member.user)
    Assignment.objects.create(round=round_, entry=conflicted, user=member.user)
    Conflict.objects.create(
        round=round_, entry=conflicted, user=member.user, source="declared", reason="Buren"
    )

    counted = selectors.progress(by="user_id", round=round_)[member.user_id]
    assert (counted.assigned, counted.submitted, counted.drafts, counted.not_started) == (
        2,
        1,
        0,
        1,
    )
    round_page = client.get(f"/jury/rondes/{round_.pk}/").content.decode()
    export = client.get(f"/jury/rondes/{round_.pk}/export/voortgang.csv").content.decode()
    client.force_login(member.user)
    home = client.get("/jury/").content.decode()

    assert "1 van 2 ingestuurd" in round_page
    assert f"{member.user.email};{member.user.name};2;1;0;1;" in export
    assert "1 van 2 ingestuurd" in home


def test_a_reason_beyond_its_column_is_refused_on_the_page_and_in_the_api(client, organiser):
    """One rule (jury.services.written_reason): a long reason is refused with its length,
    never cut short silently (the page used to store the first 500 characters)."""
    round_ = RoundFactory()
    [entry] = _entries(round_, 1)
    member = JuryMemberFactory(round=round_)
    conflict = Conflict.objects.create(
        round=round_, entry=entry, user=member.user, source="detected", reason="Zelfde gemeente."
    )
    long = "x" * 501

    page = client.post(
        f"/jury/rondes/{round_.pk}/conflicten/{conflict.pk}/afwijzen/",
        {"reason": long},
        follow=True,
    )
    api = client.post(
        f"/api/v1/conflicts/{conflict.pk}/dismiss/",
        {"reason": long},
        content_type="application/json",
    )

    assert "Houd de reden binnen 500 tekens (nu 501)." in page.content.decode()
    assert api.status_code == 400
    conflict.refresh_from_db()
    assert (conflict.dismissed_at, conflict.dismissal_reason) == (None, "")
