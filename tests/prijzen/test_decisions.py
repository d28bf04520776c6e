"""Winners, the embargo's state machine, the announcement and the outcome e-mails."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from common.errors import InvalidTransition
from common.models import AuditLog
from jury import shortlists
from prijzen.enums import RESULTS_TRANSITIONS, Outcome, ResultsState
from prijzen.models import Award, Edition, Entry
from results import decisions
from results.selectors import outcome_of, public_awards, public_nominee_ids
from tests.factories import CategoryFactory, EntryFactory, OrganiserFactory
from tests.prijzen.results_data import closed_round, public_entry

pytestmark = pytest.mark.django_db

STATES = [s.value for s in ResultsState]


@pytest.mark.parametrize("current", STATES)
@pytest.mark.parametrize("to", STATES)
def test_results_transitions_follow_the_table(current, to):
    edition = CategoryFactory().edition
    Edition.objects.filter(pk=edition.pk).update(results_state=current)
    allowed = to in RESULTS_TRANSITIONS[current]

    if allowed:
        decisions.transition_results(edition_id=edition.pk, to=to)
    else:
        with pytest.raises(InvalidTransition):
            decisions.transition_results(edition_id=edition.pk, to=to)

    edition.refresh_from_db()
    assert edition.results_state == (to if allowed else current)
    assert AuditLog.objects.filter(action="state_change").count() == (1 if allowed else 0)


@pytest.fixture
def contest():
    """One category, three entries: e1 wins, e2 is shortlisted, e3 is not selected."""
    category = CategoryFactory(name="Lokaal")
    e1, e2, e3 = (public_entry(category, number=n) for n in (1, 2, 3))
    round_ = closed_round(category.edition, {e1: [9, 8], e2: [7, 7], e3: [4, 6]})
    shortlists.shortlist_top(round_=round_, count=2, actor=None)
    decisions.record_award(entry=e1, motivation="Warm en persoonlijk.", actor=OrganiserFactory())
    return category.edition, (e1, e2, e3)


def test_record_award_is_audited_and_private(contest):
    edition, (e1, e2, e3) = contest

    award = Award.objects.get()
    assert (award.entry, award.category, award.motivation) == (
        e1,
        e1.category,
        "Warm en persoonlijk.",
    )
    assert AuditLog.objects.filter(action="award_recorded", object_id=str(award.pk)).count() == 1
    assert [outcome_of(e) for e in (e1, e2, e3)] == [None, None, None]
    assert public_awards(edition) == {}
    assert public_nominee_ids(edition) == set()


@pytest.mark.parametrize(
    ("motivation", "code"),
    [
        ("", "motivation_missing"),
        ("   ", "motivation_missing"),
        ("x" * 3001, "motivation_too_long"),
    ],
)
def test_record_award_needs_a_motivation(motivation, code):
    entry = public_entry(CategoryFactory(), number=1)

    with pytest.raises(decisions.DecisionError) as error:
        decisions.record_award(entry=entry, motivation=motivation, actor=None)

    assert error.value.code == code
    assert not Award.objects.exists()


def test_record_award_refuses_an_entry_that_was_not_submitted():
    entry = EntryFactory(state="draft")

    with pytest.raises(decisions.DecisionError) as error:
        decisions.record_award(entry=entry, motivation="Mooi", actor=None)

    assert error.value.code == "entry_not_submitted"
    assert not Award.objects.exists()


def test_publishing_releases_the_outcomes_and_queues_the_mails_once(
    contest, django_capture_on_commit_callbacks
):
    edition, (e1, e2, e3) = contest

    with django_capture_on_commit_callbacks() as callbacks:
        decisions.publish_results(edition=edition, actor=OrganiserFactory())

    edition.refresh_from_db()
    assert edition.results_state == "published"
    assert edition.results_published_at is not None
    assert len(callbacks) == 1
    assert [outcome_of(e) for e in (e1, e2, e3)] == [
        Outcome.WINNER,
        Outcome.NOMINEE,
        Outcome.NOT_SELECTED,
    ]
    assert set(public_awards(edition)) == {e1.pk}
    assert public_nominee_ids(edition) == {e1.pk, e2.pk}


def test_decisions_cannot_change_after_publication(contest):
    edition, (e1, e2, _e3) = contest
    decisions.publish_results(edition=edition)

    with pytest.raises(decisions.DecisionError) as error:
        decisions.record_award(entry=e2, motivation="Ook goed", actor=None)
    assert error.value.code == "published"
    with pytest.raises(decisions.DecisionError):
        decisions.remove_award(award=Award.objects.get(), actor=None)
    with pytest.raises(InvalidTransition):
        decisions.publish_results(edition=edition)
    assert list(Award.objects.values_list("entry_id", flat=True)) == [e1.pk]


def test_outcome_mails_say_the_outcome_and_go_once(contest):
    edition, (e1, e2, e3) = contest
    decisions.publish_results(edition=edition)

    assert decisions.send_outcome_mails(edition_id=edition.pk) == 3
    assert decisions.send_outcome_mails(edition_id=edition.pk) == 0

    by_to = {m.to[0]: m for m in mail.outbox}
    assert len(mail.outbox) == 3
    winner = by_to[e1.initiative.owner.email]
    assert winner.subject == f"Gefeliciteerd: {e1.initiative.name} wint bij de {edition.name}"
    assert 'heeft de categorie "Lokaal"' in winner.body
    assert "Warm en persoonlijk." in winner.body
    assert by_to[e2.initiative.owner.email].subject == (
        f"{e2.initiative.name} is genomineerd bij de {edition.name}"
    )
    thanks = by_to[e3.initiative.owner.email]
    assert thanks.subject == f"Bedankt voor je deelname aan de {edition.name}"
    assert "Je inzending is deze keer niet gekozen." in thanks.body
    assert "Wat de jury van je inzending vond" not in thanks.body  # feedback not enabled
    assert Entry.objects.filter(outcome_sent_at__isnull=True).count() == 0


def test_outcome_mail_carries_anonymous_feedback_when_enabled(contest):
    edition, (_e1, _e2, e3) = contest
    decisions.set_share_feedback(edition=edition, value=True, actor=None)
    decisions.publish_results(edition=edition)

    decisions.send_outcome_mails(edition_id=edition.pk)

    body = next(m.body for m in mail.outbox if m.to == [e3.initiative.owner.email])
    assert "Wat de jury van je inzending vond (gemiddelde score per criterium):" in body
    assert "- Opmerking van persoon" in body  # the remark's text, not its author
    juror_emails = e3.assignments.values_list("user__email", flat=True)
    assert all(email not in body.split("Opmerking van ")[0] for email in juror_emails)


def test_scheduled_publication_happens_when_due_and_not_before(contest):
    edition, _entries = contest
    moment = timezone.now() + dt.timedelta(hours=2)
    decisions.schedule_results(edition=edition, at=moment, actor=None)

    assert decisions.publish_due_results(now=moment - dt.timedelta(seconds=1)) == 0
    edition.refresh_from_db()
    assert (edition.results_state, edition.results_publish_at) == ("scheduled", moment)

    assert decisions.publish_due_results(now=moment) == 1
    edition.refresh_from_db()
    assert edition.results_state == "published"


def test_schedule_refuses_a_moment_in_the_past_and_can_be_cancelled(contest):
    edition, _entries = contest
    with pytest.raises(decisions.DecisionError) as error:
        decisions.schedule_results(edition=edition, at=timezone.now(), actor=None)
    assert error.value.code == "moment_in_past"

    decisions.schedule_results(
        edition=edition, at=timezone.now() + dt.timedelta(days=1), actor=None
    )
    decisions.cancel_schedule(edition=edition, actor=None)

    edition.refresh_from_db()
    assert (edition.results_state, edition.results_publish_at) == ("private", None)
    assert decisions.publish_due_results(now=timezone.now() + dt.timedelta(days=2)) == 0


def test_results_page_records_a_winner_and_publishes_after_confirmation(client, contest):
    edition, (_e1, e2, _e3) = contest
    client.force_login(OrganiserFactory())
    url = f"/edities/{edition.slug}/uitslag/"

    client.post(url, {"action": "award", "entry": e2.pk, "motivation": "Ook heel goed."})
    response = client.post(url, {"action": "publish"}, follow=True)

    assert set(Award.objects.values_list("entry__number", flat=True)) == {1, 2}
    assert [str(m) for m in response.context["messages"]][-1] == (
        "Zet een vinkje om te bevestigen dat de uitslag openbaar mag worden."
    )
    edition.refresh_from_db()
    assert edition.results_state == "private"

    client.post(url, {"action": "publish", "confirm": "1"})
    edition.refresh_from_db()
    assert edition.results_state == "published"


@pytest.mark.parametrize("moment", ["", "morgen", "2027-13-01T20:00"])
def test_results_page_refuses_a_wrong_moment(client, contest, moment):
    edition, _entries = contest
    client.force_login(OrganiserFactory())

    response = client.post(
        f"/edities/{edition.slug}/uitslag/", {"action": "schedule", "moment": moment}, follow=True
    )

    assert [str(m) for m in response.context["messages"]] == [
        "Vul een datum en tijd in, bijvoorbeeld 10-06-2027 20:00."
    ]
    edition.refresh_from_db()
    assert edition.results_state == "private"


def test_results_page_schedules_in_dutch_time(client, contest):
    edition, _entries = contest
    client.force_login(OrganiserFactory())
    year = timezone.now().year + 1

    client.post(
        f"/edities/{edition.slug}/uitslag/", {"action": "schedule", "moment": f"{year}-06-10T20:00"}
    )

    edition.refresh_from_db()
    assert edition.results_state == "scheduled"
    assert edition.results_publish_at == dt.datetime(year, 6, 10, 18, 0, tzinfo=dt.UTC)


def test_results_page_is_hidden_from_everyone_but_organisers(client, contest):
    edition, (e1, _e2, _e3) = contest
    client.force_login(e1.initiative.owner)

    assert client.get(f"/edities/{edition.slug}/uitslag/").status_code == 404
    assert (
        client.post(
            f"/edities/{edition.slug}/uitslag/", {"action": "publish", "confirm": "1"}
        ).status_code
        == 404
    )
    edition.refresh_from_db()
    assert edition.results_state == "private"


def test_plain_text_mails_do_not_escape_html(contest):
    """Names with & or quotes reach the mail as written (the templates are plain text)."""
    from pathlib import Path

    from django.conf import settings

    edition, (e1, _e2, _e3) = contest
    e1.initiative.name = 'Koffie & "Co"'
    e1.initiative.save()
    decisions.publish_results(edition=edition)
    decisions.send_outcome_mails(edition_id=edition.pk)

    body = next(m.body for m in mail.outbox if m.to == [e1.initiative.owner.email])
    assert 'Gefeliciteerd! Koffie & "Co" heeft de categorie' in body
    templates = sorted(Path(settings.BASE_DIR, "templates").glob("*/email/*.txt"))
    assert len(templates) == 5
    assert [p.name for p in templates if "{% autoescape off %}" not in p.read_text()] == []


def test_the_shortlist_cannot_change_after_publication(contest):
    from jury.models import Round, Shortlisting

    edition, (_e1, _e2, e3) = contest
    decisions.publish_results(edition=edition)
    round_ = Round.objects.get(edition=edition)

    with pytest.raises(shortlists.ShortlistError) as error:
        shortlists.add_to_shortlist(round_=round_, entry=e3, actor=None)

    assert error.value.code == "published"
    assert Shortlisting.objects.filter(entry=e3).count() == 0


def test_a_winner_cannot_be_recorded_twice_but_its_motivation_can_change(contest):
    _edition, (e1, _e2, _e3) = contest

    with pytest.raises(decisions.DecisionError) as error:
        decisions.record_award(entry=e1, motivation="Nog eens", actor=None)
    award = decisions.change_motivation(award=Award.objects.get(), motivation="Beter.", actor=None)

    assert error.value.code == "already_winner"
    assert Award.objects.get().motivation == award.motivation == "Beter."
    log = AuditLog.objects.get(action="award_changed")
    assert log.data == {"old": "Warm en persoonlijk.", "new": "Beter."}


@pytest.mark.parametrize("field", ["entry", "award"])
def test_results_page_answers_404_to_an_id_that_is_not_a_number(client, contest, field):
    edition, _entries = contest
    client.force_login(OrganiserFactory())
    action = "award" if field == "entry" else "remove-award"

    response = client.post(
        f"/edities/{edition.slug}/uitslag/", {"action": action, field: "abc", "motivation": "x"}
    )

    assert response.status_code == 404
    assert Award.objects.count() == 1


def test_feedback_leaves_out_a_juror_who_declared_a_conflict(contest):
    from jury.feedback import feedback_for
    from jury.models import Assignment, Conflict

    _edition, (_e1, _e2, e3) = contest
    first, second = Assignment.objects.filter(entry=e3).order_by("pk")
    Conflict.objects.create(
        round=first.round, entry=e3, user=first.user, source="declared", reason="Buurman"
    )

    feedback = feedback_for(e3)

    assert feedback.remarks == [f"Opmerking van {second.user.email}"]
    assert [(c.mean, c.scale_max) for c in feedback.criteria] == [(Decimal("6.0"), 10)]
