"""The jury member's pages: invitation, home with progress, scoring, conflicts."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jury import invitations
from jury.enums import ReviewState
from jury.models import Assignment, Conflict, JuryMember, Review
from prijzen.enums import EntryState
from tests.factories import (
    CriterionFactory,
    EntryFactory,
    JuryMemberFactory,
    OrganiserFactory,
    RoundFactory,
)

pytestmark = pytest.mark.django_db


def _invite(round_, email="jurylid@example.org"):
    with_link = invitations.invite_juror(round_=round_, email=email, actor=OrganiserFactory())
    return with_link


def test_invited_juror_accepts_with_the_terms_and_is_signed_in(
    client, django_capture_on_commit_callbacks
):
    round_ = RoundFactory()
    with django_capture_on_commit_callbacks(execute=True):
        _invite(round_)
    [invite] = mail.outbox
    path = re.search(r"/jury/uitnodiging/\S+/", invite.body).group(0)

    refused = client.post(path, {})
    accepted = client.post(path, {"terms": "on"})
    reused = client.get(path)

    assert "Accepteer de geheimhouding om mee te doen." in refused.content.decode()
    assert accepted["Location"] == "/jury/"
    member = JuryMember.objects.get()
    assert member.active and member.user.email_verified_at is not None
    assert client.session["_auth_user_id"] == str(member.user_id)
    assert reused.status_code == 400
    assert "Deze uitnodigingslink werkt niet meer." in reused.content.decode()


def test_an_expired_invitation_is_refused(client, django_capture_on_commit_callbacks):
    round_ = RoundFactory()
    with django_capture_on_commit_callbacks(execute=True):
        _invite(round_)
    JuryMember.objects.update(invited_at=timezone.now() - timedelta(days=15))
    path = re.search(r"/jury/uitnodiging/\S+/", mail.outbox[0].body).group(0)

    response = client.post(path, {"terms": "on"})

    assert response.status_code == 400
    assert JuryMember.objects.get().accepted_at is None


def _assigned(round_, user, n):
    entries = [
        EntryFactory(
            edition=round_.edition,
            category__edition=round_.edition,
            state=EntryState.SUBMITTED,
            title=f"Inzending {i}",
        )
        for i in range(n)
    ]
    return [Assignment.objects.create(round=round_, entry=e, user=user) for e in entries]


@pytest.mark.parametrize("count", [1, 3])
def test_home_shows_progress_with_a_fixed_number_of_queries(client, count):
    member = JuryMemberFactory()
    assignments = _assigned(member.round, member.user, count)
    Review.objects.create(assignment=assignments[0], state=ReviewState.SUBMITTED)
    client.force_login(member.user)

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/jury/")

    page = response.content.decode()
    assert f"1 van {count} ingestuurd" in page
    assert all(f"Inzending {i}" in page for i in range(count))
    assert len(queries) == 6, [q["sql"] for q in queries]  # second-step rule, progress


def test_another_jurors_or_a_conflicted_assignment_is_404(client):
    member = JuryMemberFactory()
    mine, conflicted = _assigned(member.round, member.user, 2)
    Conflict.objects.create(
        round=member.round,
        entry=conflicted.entry,
        user=member.user,
        source="declared",
        reason="Buren",
    )
    other = JuryMemberFactory(round=member.round)
    client.force_login(other.user)
    assert client.get(f"/jury/beoordelen/{mine.pk}/").status_code == 404

    client.force_login(member.user)
    assert client.get(f"/jury/beoordelen/{mine.pk}/").status_code == 200
    assert client.get(f"/jury/beoordelen/{conflicted.pk}/").status_code == 404


def test_autosave_returns_the_new_version_and_refuses_a_stale_one(client):
    member = JuryMemberFactory()
    criterion = CriterionFactory(round=member.round)
    [assignment] = _assigned(member.round, member.user, 1)
    client.force_login(member.user)
    client.get(f"/jury/beoordelen/{assignment.pk}/")
    url = f"/jury/beoordelen/{assignment.pk}/"

    first = client.post(url, {"version": 1, f"score-{criterion.pk}": "7"}, HTTP_X_AUTOSAVE="1")
    stale = client.post(url, {"version": 1, f"score-{criterion.pk}": "3"}, HTTP_X_AUTOSAVE="1")

    assert first.json() == {"saved": True, "version": 2}
    assert stale.status_code == 400
    assert stale.json()["code"] == "stale"
    assert Review.objects.get().scores == {str(criterion.pk): "7"}


@pytest.mark.parametrize("value", ["NaN", "Infinity", "1e999"])
def test_autosave_refuses_a_score_that_is_not_a_number_without_an_error_page(client, value):
    member = JuryMemberFactory()
    criterion = CriterionFactory(round=member.round)
    [assignment] = _assigned(member.round, member.user, 1)
    client.force_login(member.user)
    url = f"/jury/beoordelen/{assignment.pk}/"

    response = client.post(url, {"version": 1, f"score-{criterion.pk}": value}, HTTP_X_AUTOSAVE="1")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert response.json()["fields"] == {"scores": ["Vul een getal in."]}
    assert not Review.objects.filter(scores__has_key=str(criterion.pk)).exists()


def test_submit_and_next_opens_the_next_open_entry(client):
    member = JuryMemberFactory()
    criterion = CriterionFactory(round=member.round)
    first, second = _assigned(member.round, member.user, 2)
    client.force_login(member.user)
    client.get(f"/jury/beoordelen/{first.pk}/")

    data = {"version": 1, f"score-{criterion.pk}": "8", "submit_next": "1"}
    response = client.post(f"/jury/beoordelen/{first.pk}/", data)

    assert response["Location"] == f"/jury/beoordelen/{second.pk}/"
    assert Review.objects.get(assignment=first).state == ReviewState.SUBMITTED


def test_declaring_a_conflict_takes_the_entry_off_the_list(client):
    member = JuryMemberFactory()
    [assignment] = _assigned(member.round, member.user, 1)
    client.force_login(member.user)

    response = client.post(
        f"/jury/beoordelen/{assignment.pk}/belangenverstrengeling/",
        {"reason": "Ik ken de initiatiefnemer"},
        follow=True,
    )

    assert Assignment.objects.count() == 0
    assert Conflict.objects.get().reason == "Ik ken de initiatiefnemer"
    assert "Deze inzending is van je lijst gehaald." in response.content.decode()


@pytest.mark.parametrize(
    ("policy", "own_submitted", "round_state", "shown"),
    [
        ("never", True, "closed", False),
        ("after_own", False, "open", False),
        ("after_own", True, "open", True),
        ("after_close", True, "open", False),
        ("after_close", True, "closed", True),
    ],
)
def test_other_jurors_scores_follow_the_rounds_policy(
    client, policy, own_submitted, round_state, shown
):
    round_ = RoundFactory(score_visibility=policy)
    me, other = JuryMemberFactory(round=round_), JuryMemberFactory(round=round_)
    [mine] = _assigned(round_, me.user, 1)
    theirs = Assignment.objects.create(round=round_, entry=mine.entry, user=other.user)
    Review.objects.create(assignment=theirs, state="submitted", weighted_total="6.500")
    Review.objects.create(assignment=mine, state="submitted" if own_submitted else "draft")
    round_.state = round_state
    round_.save()
    client.force_login(me.user)

    page = client.get(f"/jury/beoordelen/{mine.pk}/").content.decode()

    assert ("Jurylid 1: 6,500" in page) is shown  # Dutch decimal comma
    assert ("Cijfers van de andere juryleden" in page) is shown


def test_a_juror_who_comes_back_submits_the_form_as_the_page_wrote_it(client):
    """The page's own hidden values, posted back unchanged, are accepted: a Dutch "6,0" in
    ``watched_seconds`` was a server error for every juror who returned to a review."""
    member = JuryMemberFactory()
    criterion = CriterionFactory(round=member.round, step=Decimal("0.5"))
    [assignment] = _assigned(member.round, member.user, 1)
    client.force_login(member.user)
    url = f"/jury/beoordelen/{assignment.pk}/"
    client.get(url)
    Review.objects.update(watched_seconds=Decimal("6.5"))

    page = client.get(url).content.decode()
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))
    hidden.pop("csrfmiddlewaretoken", None)
    response = client.post(url, {**hidden, f"score-{criterion.pk}": "7.5", "submit": "1"})

    assert hidden["watched_seconds"] == "6.5"
    assert response.status_code == 302
    review = Review.objects.get()
    assert review.state == ReviewState.SUBMITTED
    assert review.scores == {str(criterion.pk): "7.5"}


def test_level_texts_typed_by_hand_never_break_the_scoring_page(client):
    member = JuryMemberFactory()
    anchors = {"5": "Heel goed", "1": "Zwak", "goed": "x", "9": "buiten"}  # "goed": by hand
    CriterionFactory(round=member.round, scale_min=1, scale_max=5, anchors=anchors)
    [assignment] = _assigned(member.round, member.user, 1)
    client.force_login(member.user)

    response = client.get(f"/jury/beoordelen/{assignment.pk}/")

    assert response.status_code == 200
    page = response.content.decode()
    assert page.index("<dt>1</dt><dd>Zwak</dd>") < page.index("<dt>5</dt><dd>Heel goed</dd>")
    assert "buiten" not in page
