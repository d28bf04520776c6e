"""The jury API: rounds, assignments, reviews, conflicts and the organisers' round actions, as
each role sees them. Hidden objects answer 404; lists never hold another person's objects."""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from common import tokens
from common.enums import Role
from jury.compute.rankings import METHODS
from jury.enums import ConflictSource, ReviewState, RoundState, ScoreVisibility
from jury.models import Assignment, Conflict, ResultSnapshot, Review
from prijzen.enums import EntryState
from tests.factories import (
    PASSWORD,
    CriterionFactory,
    EntryFactory,
    JuryMemberFactory,
    OrganiserFactory,
    RoundFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def _entry(round_, **kwargs):
    return EntryFactory(
        edition=round_.edition,
        category__edition=round_.edition,
        state=EntryState.SUBMITTED,
        **kwargs,
    )


class World:
    """One open round with a two-line rubric; a member juror with two assignments, a second
    member with an assignment of their own (which could leak), a member with an active conflict
    on the first entry, an invited juror who did not accept, a juror of another round, the
    entrant of the first entry and an organiser."""

    def __init__(self, **round_fields):
        self.round = RoundFactory(**round_fields)
        self.required = CriterionFactory(
            round=self.round,
            position=1,
            scale_min=1,
            scale_max=10,
            step=Decimal("0.5"),
            weight=2,
            anchors={"1": "Zwak", "10": "Sterk"},
        )
        self.optional = CriterionFactory(round=self.round, position=2, required=False)
        self.member = JuryMemberFactory(round=self.round).user
        self.colleague = JuryMemberFactory(round=self.round).user
        self.conflicted = JuryMemberFactory(round=self.round).user
        self.invited = JuryMemberFactory(
            round=self.round, accepted_at=None, terms_accepted_at=None
        ).user
        self.other_round = RoundFactory()
        self.outsider = JuryMemberFactory(round=self.other_round).user
        self.entry = _entry(self.round, title="Buurtkamer")
        self.second = _entry(self.round, title="Taalcafé")
        self.entrant = self.entry.initiative.owner
        self.organiser = OrganiserFactory()
        self.mine = Assignment.objects.create(round=self.round, entry=self.entry, user=self.member)
        self.mine2 = Assignment.objects.create(
            round=self.round, entry=self.second, user=self.member
        )
        self.theirs = Assignment.objects.create(
            round=self.round, entry=self.entry, user=self.colleague
        )
        self.blocked = Assignment.objects.create(
            round=self.round, entry=self.entry, user=self.conflicted
        )
        self.not_accepted = Assignment.objects.create(
            round=self.round, entry=self.entry, user=self.invited
        )
        self.outsiders = Assignment.objects.create(
            round=self.other_round, entry=_entry(self.other_round), user=self.outsider
        )
        self.conflict = Conflict.objects.create(
            round=self.round,
            entry=self.entry,
            user=self.conflicted,
            source=ConflictSource.DETECTED,
            reason="Zelfde gemeente: Utrecht.",
        )


@pytest.fixture
def world():
    return World()


def _as(api, user):
    api.force_authenticate(user=user)
    return api


def _ids(response):
    return [item["id"] for item in response.json()["results"]]


def _review_url(assignment, suffix=""):
    return f"/api/v1/assignments/{assignment.pk}/review/{suffix}"


# --- Rounds -----------------------------------------------------------------------------------


def test_rounds_anonymous_is_401_in_the_error_shape(api, world):
    response = api.get("/api/v1/rounds/")

    assert response.status_code == 401
    assert set(response.json()) == {"code", "message", "fields"}
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("entrant", []),
        ("invited", []),
        ("member", ["round"]),
        ("conflicted", ["round"]),
        ("outsider", ["other_round"]),
        ("organiser", ["round", "other_round"]),
    ],
)
def test_rounds_list_holds_only_the_rounds_of_active_memberships(api, world, who, expected):
    response = _as(api, getattr(world, who)).get("/api/v1/rounds/?ordering=id")

    assert response.status_code == 200
    assert _ids(response) == sorted(getattr(world, name).pk for name in expected)


def test_round_shows_its_rubric_to_a_member(api, world):
    response = _as(api, world.member).get(f"/api/v1/rounds/{world.round.pk}/")

    body = response.json()
    assert response.status_code == 200
    assert body["state"] == "open"
    assert body["edition"] == world.round.edition.slug
    assert [c["id"] for c in body["criteria"]] == [world.required.pk, world.optional.pk]
    first = body["criteria"][0]
    assert first["name"] == world.required.name_nl
    assert (first["scale_min"], first["scale_max"], first["step"], first["weight"]) == (
        1,
        10,
        "0.50",
        "2.00",
    )
    assert first["anchors"] == {"1": "Zwak", "10": "Sterk"}
    assert (first["required"], body["criteria"][1]["required"]) == (True, False)


def test_round_name_of_a_criterion_follows_accept_language(api, world):
    response = _as(api, world.member).get(
        f"/api/v1/rounds/{world.round.pk}/", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.json()["criteria"][0]["name"] == world.required.name_en


@pytest.mark.parametrize(
    ("who", "status"),
    [("entrant", 404), ("invited", 404), ("outsider", 404), ("member", 200), ("organiser", 200)],
)
def test_round_detail_is_404_for_non_members(api, world, who, status):
    response = _as(api, getattr(world, who)).get(f"/api/v1/rounds/{world.round.pk}/")

    assert response.status_code == status
    if status == 404:
        assert response.json()["code"] == "not_found"


def test_rounds_filter_by_edition_slug_and_state_for_organisers(api, world):
    closed = RoundFactory(edition=world.round.edition, state=RoundState.CLOSED)
    client = _as(api, world.organiser)
    slug = world.round.edition.slug

    by_edition = client.get(f"/api/v1/rounds/?edition={slug}&ordering=id")
    by_state = client.get("/api/v1/rounds/?state=closed")
    newest_first = client.get(f"/api/v1/rounds/?edition={slug}&ordering=-id")
    bad_state = client.get("/api/v1/rounds/?state=ajar")

    assert _ids(by_edition) == [world.round.pk, closed.pk]
    assert _ids(by_state) == [closed.pk]
    assert _ids(newest_first) == [closed.pk, world.round.pk]
    assert bad_state.status_code == 400
    assert list(bad_state.json()["fields"]) == ["state"]


@pytest.mark.parametrize("count", [1, 3])
def test_rounds_list_uses_a_fixed_number_of_queries(api, count):
    juror = UserFactory(role=Role.JUROR)
    for _ in range(count):
        member = JuryMemberFactory(user=juror)
        CriterionFactory(round=member.round)
        CriterionFactory(round=member.round)
    client = _as(api, juror)

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/rounds/")

    assert len(response.json()["results"]) == count
    assert len(queries) == 3, [q["sql"] for q in queries]


# --- Assignments ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("entrant", []),
        ("invited", []),
        ("conflicted", []),
        ("organiser", []),
        ("member", ["mine", "mine2"]),
        ("colleague", ["theirs"]),
        ("outsider", ["outsiders"]),
    ],
)
def test_assignments_list_holds_only_your_own_visible_ones(api, world, who, expected):
    response = _as(api, getattr(world, who)).get("/api/v1/assignments/?ordering=id")

    assert response.status_code == 200
    assert _ids(response) == [getattr(world, name).pk for name in expected]


OPERATIONS = [
    ("get", "/api/v1/rounds/"),
    ("get", "/api/v1/rounds/{round}/"),
    ("get", "/api/v1/rounds/{round}/ranking/"),
    ("get", "/api/v1/rounds/{round}/certificate/"),
    ("post", "/api/v1/rounds/{round}/close/"),
    ("get", "/api/v1/rounds/{round}/conflicts/"),
    ("get", "/api/v1/rounds/{round}/exports/rangschikking/?format=csv"),
    ("post", "/api/v1/conflicts/{conflict}/dismiss/"),
    ("get", "/api/v1/assignments/"),
    ("get", "/api/v1/assignments/{assignment}/"),
    ("get", "/api/v1/assignments/{assignment}/review/"),
    ("put", "/api/v1/assignments/{assignment}/review/"),
    ("patch", "/api/v1/assignments/{assignment}/review/"),
    ("post", "/api/v1/assignments/{assignment}/review/submit/"),
    ("post", "/api/v1/assignments/{assignment}/review/reopen/"),
    ("post", "/api/v1/assignments/{assignment}/conflict/"),
]


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_every_operation_is_401_for_anonymous_and_changes_nothing(api, world, method, path):
    url = path.format(round=world.round.pk, conflict=world.conflict.pk, assignment=world.mine.pk)

    response = getattr(api, method)(url, {"version": 1, "reason": "x"}, format="json")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert not Review.objects.exists() and Conflict.objects.count() == 1
    assert not ResultSnapshot.objects.exists()


def test_assignments_filter_by_round_and_review_state(api, world):
    Review.objects.create(assignment=world.mine, state=ReviewState.SUBMITTED)
    Review.objects.create(assignment=world.mine2, state=ReviewState.DRAFT)
    client = _as(api, world.member)

    assert _ids(client.get(f"/api/v1/assignments/?round={world.round.pk}&ordering=id")) == [
        world.mine.pk,
        world.mine2.pk,
    ]
    assert _ids(client.get(f"/api/v1/assignments/?round={world.other_round.pk}")) == []
    assert _ids(client.get("/api/v1/assignments/?review_state=submitted")) == [world.mine.pk]
    assert _ids(client.get("/api/v1/assignments/?review_state=draft")) == [world.mine2.pk]
    assert _ids(client.get("/api/v1/assignments/?review_state=not_started")) == []
    assert client.get("/api/v1/assignments/?round=abc").status_code == 400


def test_assignment_list_item_shows_the_entry_and_the_review_state(api, world):
    Review.objects.create(assignment=world.mine2, state=ReviewState.DRAFT)

    response = _as(api, world.member).get("/api/v1/assignments/?ordering=id")

    first, second = response.json()["results"]
    assert first["entry"]["title"] == "Buurtkamer"
    assert first["entry"]["entrant"] == {
        "name": world.entry.initiative.name,
        "municipality": "Utrecht",
        "province": "Utrecht",
    }
    assert (first["review_state"], second["review_state"]) == ("not_started", "draft")
    assert first["round"] == world.round.pk


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("member", 200),
        ("colleague", 404),
        ("conflicted", 404),
        ("invited", 404),
        ("entrant", 404),
        ("organiser", 404),
    ],
)
def test_assignment_detail_only_for_its_active_juror(api, world, who, status):
    assignment = {
        "colleague": world.mine,
        "conflicted": world.blocked,
        "invited": world.not_accepted,
    }.get(who, world.mine)

    response = _as(api, getattr(world, who)).get(f"/api/v1/assignments/{assignment.pk}/")

    assert response.status_code == status
    if status == 200:
        body = response.json()
        assert body["entry"]["id"] == world.entry.pk
        assert body["vlog"] is None  # no ready vlog: the page shows no player either


def test_assignment_detail_has_the_presigned_preview_of_a_ready_vlog(api, world):
    from media_pipeline.enums import AssetState, RenditionKind
    from media_pipeline.models import MediaAsset, Rendition

    asset = MediaAsset.objects.create(
        owner=world.entrant, original_key="originals/a", state=AssetState.READY
    )
    Rendition.objects.create(
        asset=asset,
        kind=RenditionKind.PREVIEW,
        key="previews/a.mp4",
        content_type="video/mp4",
        size_bytes=10,
        width=1280,
        height=720,
        duration=Decimal("61.5"),
    )
    Rendition.objects.create(
        asset=asset,
        kind=RenditionKind.POSTER,
        key="posters/a.jpg",
        content_type="image/jpeg",
        size_bytes=10,
    )
    world.entry.vlog = asset
    world.entry.save()

    vlog = _as(api, world.member).get(f"/api/v1/assignments/{world.mine.pk}/").json()["vlog"]

    assert "previews/a.mp4" in vlog["src"] and "Signature" in vlog["src"]
    assert "posters/a.jpg" in vlog["poster"]
    assert (vlog["width"], vlog["height"], vlog["duration"]) == (1280, 720, "61.50")


def test_hidden_entrant_names_are_absent_from_list_and_detail(api):
    world = World(hide_entrant_names=True)
    client = _as(api, world.member)

    listed = client.get("/api/v1/assignments/").json()["results"]
    detail = client.get(f"/api/v1/assignments/{world.mine.pk}/").json()

    assert [a["entry"]["entrant"] for a in listed] == [None, None]
    assert detail["entry"]["entrant"] is None
    assert world.entry.initiative.name not in str(listed) + str(detail)
    assert detail["entry"]["title"] == "Buurtkamer"


@pytest.mark.parametrize("count", [1, 3])
def test_assignments_list_uses_a_fixed_number_of_queries(api, count):
    member = JuryMemberFactory()
    for _ in range(count):
        assignment = Assignment.objects.create(
            round=member.round, entry=_entry(member.round), user=member.user
        )
        Review.objects.create(assignment=assignment)
    client = _as(api, member.user)

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/assignments/")

    assert len(response.json()["results"]) == count
    assert len(queries) == 2, [q["sql"] for q in queries]


# --- Reviews ----------------------------------------------------------------------------------


def test_review_starts_as_an_empty_draft_without_writing(api, world):
    response = _as(api, world.member).get(_review_url(world.mine))

    assert response.status_code == 200
    body = response.json()
    assert (body["state"], body["version"], body["scores"]) == ("draft", 1, {})
    assert body["other_totals"] is None
    assert not Review.objects.exists()


@pytest.mark.parametrize("who", ["colleague", "conflicted", "entrant", "organiser", "outsider"])
def test_review_of_someone_elses_assignment_is_404_and_changes_nothing(api, world, who):
    client = _as(api, getattr(world, who))
    body = {
        "version": 1,
        "scores": {str(world.required.pk): "5"},
        "comments": {},
        "overall_comment": "",
    }

    responses = [
        client.get(_review_url(world.mine)),
        client.put(_review_url(world.mine), body, format="json"),
        client.patch(_review_url(world.mine), {"version": 1}, format="json"),
        client.post(_review_url(world.mine, "submit/"), {"version": 1}, format="json"),
        client.post(_review_url(world.mine, "reopen/")),
        client.post(f"/api/v1/assignments/{world.mine.pk}/conflict/", {"reason": "x"}),
    ]

    assert [r.status_code for r in responses] == [404] * 6
    assert not Review.objects.exists()
    assert Conflict.objects.count() == 1


def test_put_saves_a_draft_and_returns_the_next_version(api, world):
    client = _as(api, world.member)
    body = {
        "version": 1,
        "scores": {str(world.required.pk): "7.5", str(world.optional.pk): 4},
        "comments": {str(world.required.pk): "Sterk verhaal."},
        "overall_comment": "Mooi.",
        "notes": [{"t": "12.5", "text": "Hier wordt het welkom goed uitgelegd."}],
        "watched_seconds": "30.0",
    }

    client.put(_review_url(world.mine), {**body, "watched_seconds": "0"}, format="json")
    # The reported watch time is capped at the time since the review was first opened.
    Review.objects.update(opened_at=timezone.now() - timedelta(minutes=1))
    body["version"] = 2
    response = client.put(_review_url(world.mine), body, format="json")

    assert response.status_code == 200, response.json()
    assert response.json()["version"] == 3
    review = Review.objects.get()
    assert review.scores == {str(world.required.pk): "7.5", str(world.optional.pk): "4"}
    assert review.comments == {str(world.required.pk): "Sterk verhaal."}
    assert review.notes == [{"t": 12.5, "text": "Hier wordt het welkom goed uitgelegd."}]
    assert (review.overall_comment, review.watched_seconds, review.state) == (
        "Mooi.",
        Decimal("30.0"),
        ReviewState.DRAFT,
    )


def test_put_needs_the_whole_form_and_patch_only_the_version(api, world):
    client = _as(api, world.member)

    put = client.put(_review_url(world.mine), {"version": 1}, format="json")
    patch_without_version = client.patch(_review_url(world.mine), {}, format="json")
    patch = client.patch(
        _review_url(world.mine), {"version": 1, "overall_comment": "Goed."}, format="json"
    )

    assert put.status_code == 400
    assert sorted(put.json()["fields"]) == ["comments", "overall_comment", "scores"]
    assert patch_without_version.status_code == 400
    assert list(patch_without_version.json()["fields"]) == ["version"]
    assert patch.status_code == 200
    assert Review.objects.get().overall_comment == "Goed."


def test_stale_version_is_409_and_saves_nothing(api, world):
    client = _as(api, world.member)
    key = str(world.required.pk)
    client.patch(_review_url(world.mine), {"version": 1, "scores": {key: "7"}}, format="json")

    stale = client.patch(
        _review_url(world.mine), {"version": 1, "scores": {key: "3"}}, format="json"
    )
    stale_submit = client.post(_review_url(world.mine, "submit/"), {"version": 1}, format="json")

    assert stale.status_code == 409
    assert stale.json()["code"] == "stale"
    assert set(stale.json()) == {"code", "message", "fields"}
    assert stale_submit.status_code == 409
    assert stale_submit.json()["code"] == "stale"
    review = Review.objects.get()
    assert (review.scores, review.version, review.state) == ({key: "7"}, 2, ReviewState.DRAFT)


@pytest.mark.parametrize(
    ("score", "code"),
    [("11", "out_of_scale"), ("0.5", "out_of_scale"), ("7.25", "out_of_scale")],
)
def test_scores_outside_the_scale_or_step_are_refused(api, world, score, code):
    response = _as(api, world.member).patch(
        _review_url(world.mine),
        {"version": 1, "scores": {str(world.required.pk): score}},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["code"] == code
    assert Review.objects.get().scores == {}


@pytest.mark.parametrize("score", ["zeven", "NaN", "Infinity", "1e999", True, ["7"]])
def test_scores_that_are_not_numbers_are_refused_with_a_field_error(api, world, score):
    response = _as(api, world.member).patch(
        _review_url(world.mine),
        {"version": 1, "scores": {str(world.required.pk): score}},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["scores"]
    assert not Review.objects.exists()


def test_a_criterion_of_another_round_is_refused(api, world):
    foreign = CriterionFactory(round=world.other_round)
    client = _as(api, world.member)

    score = client.patch(
        _review_url(world.mine), {"version": 1, "scores": {str(foreign.pk): 5}}, format="json"
    )
    comment = client.patch(
        _review_url(world.mine), {"version": 1, "comments": {str(foreign.pk): "x"}}, format="json"
    )

    assert score.status_code == 400
    assert score.json()["code"] == "criterion"
    assert comment.status_code == 400
    assert list(comment.json()["fields"]) == ["comments"]
    assert all(r.scores == {} and r.comments == {} for r in Review.objects.all())


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("overall_comment", "x" * 5001),
        ("comments", {"REQ": "x" * 2001}),
        ("notes", [{"t": "1", "text": "x"}] * 201),
        ("notes", [{"t": "-1", "text": "x"}]),
        ("watched_seconds", "-1"),
        ("version", "een"),
    ],
)
def test_too_long_or_wrong_values_are_refused(api, world, field, value):
    if field == "comments":
        value = {str(world.required.pk): value["REQ"]}
    body = {"version": 1, field: value}

    response = _as(api, world.member).patch(_review_url(world.mine), body, format="json")

    assert response.status_code == 400
    assert list(response.json()["fields"]) == [field]
    assert not Review.objects.exists()


def test_submit_checks_required_criteria_then_submits_with_the_weighted_total(api, world):
    client = _as(api, world.member)
    optional = str(world.optional.pk)
    client.patch(_review_url(world.mine), {"version": 1, "scores": {optional: 6}}, format="json")

    incomplete = client.post(_review_url(world.mine, "submit/"), {"version": 2}, format="json")
    client.patch(
        _review_url(world.mine),
        {"version": 2, "scores": {str(world.required.pk): 9}},
        format="json",
    )
    submitted = client.post(_review_url(world.mine, "submit/"), {"version": 3}, format="json")

    assert incomplete.status_code == 400
    assert incomplete.json()["code"] == "incomplete"
    assert world.required.name_nl in incomplete.json()["message"]
    assert submitted.status_code == 200
    body = submitted.json()
    assert (body["state"], body["version"]) == ("submitted", 4)
    assert body["weighted_total"] == "8.000"  # (9 * 2 + 6 * 1) / 3
    assert Review.objects.get().state == ReviewState.SUBMITTED


def _submit(client, world, assignment=None):
    assignment = assignment or world.mine
    client.patch(
        _review_url(assignment),
        {"version": 1, "scores": {str(world.required.pk): 8}},
        format="json",
    )
    response = client.post(_review_url(assignment, "submit/"), {"version": 2}, format="json")
    assert response.status_code == 200, response.json()
    return response.json()


def test_submitted_review_can_be_corrected_or_reopened_as_on_the_page(api, world):
    client = _as(api, world.member)
    submitted = _submit(client, world)
    key = str(world.required.pk)

    edit = client.patch(
        _review_url(world.mine),
        {"version": submitted["version"], "scores": {key: "2"}},
        format="json",
    )
    again = client.post(
        _review_url(world.mine, "submit/"), {"version": edit.json()["version"]}, format="json"
    )
    reopened = client.post(_review_url(world.mine, "reopen/"))
    reopened_twice = client.post(_review_url(world.mine, "reopen/"))

    assert (edit.status_code, edit.json()["state"]) == (200, "submitted")
    assert (again.status_code, again.json()["code"]) == (409, "invalid_transition")
    assert (reopened.status_code, reopened.json()["state"]) == (200, "draft")
    assert reopened_twice.status_code == 409
    review = Review.objects.get()
    assert review.scores[key] == "2"
    assert review.weighted_total == Decimal("2.000")  # recomputed: only the required one, 2


def test_nothing_changes_after_the_round_closed(api, world):
    client = _as(api, world.member)
    _submit(client, world, world.mine)
    client.patch(
        _review_url(world.mine2), {"version": 1, "overall_comment": "Half."}, format="json"
    )
    world.round.closes_at = timezone.now() - timedelta(minutes=1)
    world.round.save()

    draft = client.patch(
        _review_url(world.mine2), {"version": 2, "overall_comment": "Heel."}, format="json"
    )
    submit = client.post(_review_url(world.mine2, "submit/"), {"version": 2}, format="json")
    reopen = client.post(_review_url(world.mine, "reopen/"))

    assert [(r.status_code, r.json()["code"]) for r in (draft, submit, reopen)] == [
        (400, "closed"),
        (400, "closed"),
        (400, "closed"),
    ]
    assert Review.objects.get(assignment=world.mine2).overall_comment == "Half."
    assert Review.objects.get(assignment=world.mine).state == ReviewState.SUBMITTED


def test_submit_waits_for_the_watch_minimum(api, world):
    from media_pipeline.models import MediaAsset

    world.round.min_watch_share = Decimal("0.50")
    world.round.save()
    world.entry.vlog = MediaAsset.objects.create(
        owner=world.entrant, original_key="o/1", duration=Decimal("60")
    )
    world.entry.save()
    client = _as(api, world.member)
    client.patch(
        _review_url(world.mine),
        {"version": 1, "scores": {str(world.required.pk): 8}, "watched_seconds": 10},
        format="json",
    )

    early = client.post(_review_url(world.mine, "submit/"), {"version": 2}, format="json")
    client.patch(_review_url(world.mine), {"version": 2, "watched_seconds": 31}, format="json")
    client.post(_review_url(world.mine, "heartbeat/"))  # the player plays: the server measures
    for _ in range(3):
        Review.objects.update(last_heartbeat_at=F("last_heartbeat_at") - timedelta(seconds=10))
        client.post(_review_url(world.mine, "heartbeat/"))
    later = client.post(_review_url(world.mine, "submit/"), {"version": 3}, format="json")

    assert (early.status_code, early.json()["code"]) == (400, "watch_more")
    assert later.status_code == 200


@pytest.mark.parametrize(
    ("policy", "closed", "own_submitted", "expected"),
    [
        (ScoreVisibility.NEVER, False, True, None),
        (ScoreVisibility.NEVER, True, True, None),
        (ScoreVisibility.AFTER_OWN, False, False, None),
        (ScoreVisibility.AFTER_OWN, False, True, ["6.000"]),
        (ScoreVisibility.AFTER_CLOSE, False, True, None),
        (ScoreVisibility.AFTER_CLOSE, True, False, ["6.000"]),
    ],
)
def test_other_jurors_totals_follow_the_score_visibility(
    api, world, policy, closed, own_submitted, expected
):
    world.round.score_visibility = policy
    world.round.save()
    key = str(world.required.pk)
    Review.objects.create(
        assignment=world.theirs,
        state=ReviewState.SUBMITTED,
        scores={key: "6"},
        weighted_total=Decimal("6"),
    )
    # A draft never shows.
    Review.objects.create(assignment=world.blocked, state=ReviewState.DRAFT, scores={key: "1"})
    Review.objects.create(
        assignment=world.mine,
        scores={str(world.required.pk): "8"},
        state=ReviewState.SUBMITTED if own_submitted else ReviewState.DRAFT,
    )
    if closed:
        world.round.state = RoundState.CLOSED
        world.round.save()

    response = _as(api, world.member).get(_review_url(world.mine))

    assert response.json()["other_totals"] == expected


# --- Conflicts --------------------------------------------------------------------------------


def test_declaring_a_conflict_hides_the_assignment(api, world):
    client = _as(api, world.member)

    response = client.post(
        f"/api/v1/assignments/{world.mine.pk}/conflict/",
        {"reason": "Mijn buurvrouw doet mee."},
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["entry"], body["source"], body["reason"]) == (
        world.entry.pk,
        "declared",
        "Mijn buurvrouw doet mee.",
    )
    assert client.get(f"/api/v1/assignments/{world.mine.pk}/").status_code == 404
    assert _ids(client.get("/api/v1/assignments/")) == [world.mine2.pk]
    assert not Assignment.objects.filter(pk=world.mine.pk).exists()  # unsubmitted: removed


def test_a_conflict_after_submitting_keeps_the_review_but_hides_it(api, world):
    client = _as(api, world.member)
    _submit(client, world)

    response = client.post(
        f"/api/v1/assignments/{world.mine.pk}/conflict/",
        {"reason": "Later gezien: mijn neef."},
        format="json",
    )

    assert response.status_code == 201
    assert client.get(_review_url(world.mine)).status_code == 404
    assert Review.objects.get().state == ReviewState.SUBMITTED


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   "}, {"reason": "x" * 501}])
def test_a_conflict_needs_a_short_reason(api, world, body):
    response = _as(api, world.member).post(
        f"/api/v1/assignments/{world.mine.pk}/conflict/", body, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["reason"]
    assert Conflict.objects.count() == 1
    assert Assignment.objects.filter(pk=world.mine.pk).exists()


@pytest.mark.parametrize(
    ("who", "status"), [("organiser", 200), ("member", 404), ("conflicted", 404), ("entrant", 404)]
)
def test_round_conflicts_only_for_organisers(api, world, who, status):
    response = _as(api, getattr(world, who)).get(f"/api/v1/rounds/{world.round.pk}/conflicts/")

    assert response.status_code == status
    if status == 200:
        [conflict] = response.json()["results"]
        assert conflict["juror"]["email"] == world.conflicted.email
        assert conflict["entry"] == {
            "id": world.entry.pk,
            "number": world.entry.number,
            "title": "Buurtkamer",
        }
        assert (conflict["source"], conflict["active"]) == ("detected", True)


def test_round_conflicts_of_another_round_are_absent_and_unknown_round_is_404(api, world):
    Conflict.objects.create(
        round=world.other_round,
        entry=world.outsiders.entry,
        user=world.outsider,
        source="declared",
        reason="Buren",
    )
    client = _as(api, world.organiser)

    listed = client.get(f"/api/v1/rounds/{world.round.pk}/conflicts/")
    missing = client.get("/api/v1/rounds/999999/conflicts/")

    assert _ids(listed) == [world.conflict.pk]
    assert missing.status_code == 404


def test_dismissing_a_detected_conflict_shows_the_assignment_again(api, world):
    organiser = _as(APIClient(), world.organiser)

    response = organiser.post(
        f"/api/v1/conflicts/{world.conflict.pk}/dismiss/", {"reason": "Andere wijk."}, format="json"
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["active"], body["dismissal_reason"], body["dismissed_by"]) == (
        False,
        "Andere wijk.",
        world.organiser.email,
    )
    juror = _as(api, world.conflicted)
    assert _ids(juror.get("/api/v1/assignments/")) == [world.blocked.pk]
    active = organiser.get(f"/api/v1/rounds/{world.round.pk}/conflicts/?active=true")
    assert _ids(active) == []
    # A parameter without a value is refused, as the schema has no empty values (found by
    # the fuzz run: django-filter returned every conflict).
    empty = organiser.get(f"/api/v1/rounds/{world.round.pk}/conflicts/?source=&active=true")
    assert (empty.status_code, empty.json()["fields"]) == (
        400,
        {"source": ["Geef een waarde, of laat de parameter weg."]},
    )


def test_a_declared_conflict_cannot_be_dismissed(api, world):
    declared = Conflict.objects.create(
        round=world.round,
        entry=world.second,
        user=world.member,
        source="declared",
        reason="Mijn club",
    )

    response = _as(api, world.organiser).post(
        f"/api/v1/conflicts/{declared.pk}/dismiss/", {"reason": "Toch niet"}, format="json"
    )

    assert (response.status_code, response.json()["code"]) == (400, "declared")
    assert Conflict.objects.get(pk=declared.pk).dismissed_at is None


@pytest.mark.parametrize(
    ("who", "body", "status"),
    [
        ("member", {"reason": "Weg ermee"}, 404),
        ("conflicted", {"reason": "Weg ermee"}, 404),
        ("organiser", {}, 400),
        ("organiser", {"reason": ""}, 400),
    ],
)
def test_dismissing_needs_an_organiser_and_a_reason(api, world, who, body, status):
    response = _as(api, getattr(world, who)).post(
        f"/api/v1/conflicts/{world.conflict.pk}/dismiss/", body, format="json"
    )

    assert response.status_code == status
    assert Conflict.objects.get(pk=world.conflict.pk).dismissed_at is None


@pytest.mark.parametrize("count", [1, 3])
def test_round_conflicts_list_uses_a_fixed_number_of_queries(api, count):
    round_ = RoundFactory()
    organiser = OrganiserFactory()
    for _ in range(count):
        member = JuryMemberFactory(round=round_)
        Conflict.objects.create(
            round=round_,
            entry=_entry(round_),
            user=member.user,
            source="detected",
            reason="Buren",
            dismissed_by=organiser,
            dismissed_at=timezone.now(),
        )
    client = _as(api, organiser)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/api/v1/rounds/{round_.pk}/conflicts/")

    assert len(response.json()["results"]) == count
    assert len(queries) == 3, [q["sql"] for q in queries]


# --- Ranking, certificate, close, exports -----------------------------------------------------


def _scored(world):
    """Two jurors submit: the second entry scores higher than the first."""
    client = _as(APIClient(), world.member)
    for assignment, score in ((world.mine, "6"), (world.mine2, "9")):
        client.patch(
            _review_url(assignment),
            {"version": 1, "scores": {str(world.required.pk): score}},
            format="json",
        )
        client.post(_review_url(assignment, "submit/"), {"version": 2}, format="json")
    colleague = _as(APIClient(), world.colleague)
    body = {"version": 1, "scores": {str(world.required.pk): "7"}}
    colleague.patch(_review_url(world.theirs), body, format="json")
    colleague.post(_review_url(world.theirs, "submit/"), {"version": 2}, format="json")
    assert Review.objects.filter(state=ReviewState.SUBMITTED).count() == 3


def test_ranking_shows_the_official_order_and_every_method(api, world):
    _scored(world)

    response = _as(api, world.organiser).get(f"/api/v1/rounds/{world.round.pk}/ranking/")

    assert response.status_code == 200
    body = response.json()
    assert body["method"] == "mean"
    assert [(r["rank"], r["entry"]["title"], r["score"]) for r in body["rows"]] == [
        (1, "Taalcafé", "9.00"),
        (2, "Buurtkamer", "6.50"),
    ]
    first = body["rows"][1]
    assert (first["reviews"], first["range"]) == (2, "1.00")
    assert set(first["ranks"]) == set(body["methods"]) and "schulze" in first["ranks"]
    assert {j["juror"]["email"] for j in body["leniency"]["jurors"]} == {
        world.member.email,
        world.colleague.email,
    }
    assert set(body["agreement"]["overall"]) >= {"alpha", "code", "text", "explanation"}


def test_ranking_without_reviews_is_empty(api, world):
    response = _as(api, world.organiser).get(f"/api/v1/rounds/{world.round.pk}/ranking/")

    assert response.status_code == 200
    assert (response.json()["rows"], response.json()["leniency"]) == ([], None)


@pytest.mark.parametrize("who", ["member", "conflicted", "entrant", "outsider"])
@pytest.mark.parametrize(
    "path", ["ranking/", "certificate/", "conflicts/", "exports/rangschikking/?format=csv"]
)
def test_organiser_round_endpoints_are_404_for_everyone_else(api, world, who, path):
    _scored(world)
    results_made = ResultSnapshot.objects.count()

    response = _as(api, getattr(world, who)).get(f"/api/v1/rounds/{world.round.pk}/{path}")
    close = api.post(f"/api/v1/rounds/{world.round.pk}/close/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert close.status_code == 404
    assert ResultSnapshot.objects.count() == results_made
    world.round.refresh_from_db()
    assert world.round.state == RoundState.OPEN


def test_close_freezes_the_certificate_and_refuses_a_second_close(api, world):
    _scored(world)
    client = _as(api, world.organiser)
    before = client.get(f"/api/v1/rounds/{world.round.pk}/certificate/")

    closed = client.post(f"/api/v1/rounds/{world.round.pk}/close/")
    certificate = client.get(f"/api/v1/rounds/{world.round.pk}/certificate/")
    again = client.post(f"/api/v1/rounds/{world.round.pk}/close/")

    assert before.status_code == 404
    assert closed.status_code == 201
    assert certificate.status_code == 200
    body = certificate.json()
    snapshot = ResultSnapshot.objects.get()
    assert body["input_sha256"] == snapshot.input_sha256 == closed.json()["input_sha256"]
    assert body["ranking"] == [[world.second.pk, 1, "9.00"], [world.entry.pk, 2, "6.50"]]
    assert (body["round"], body["method"], len(body["inputs"])) == (world.round.pk, "mean", 3)
    assert (again.status_code, again.json()["code"]) == (409, "invalid_transition")
    assert ResultSnapshot.objects.count() == 1


def test_exports_as_csv_and_xlsx(api, world):
    _scored(world)
    client = _as(api, world.organiser)
    url = f"/api/v1/rounds/{world.round.pk}/exports/rangschikking/"

    as_csv = client.get(f"{url}?format=csv")
    as_xlsx = client.get(f"{url}?format=xlsx")
    default = client.get(url)

    assert as_csv.status_code == 200
    assert as_csv["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["rang", "inzending", "score"]
    assert [row[:2] for row in rows[1:]] == [["1", "Taalcafé"], ["2", "Buurtkamer"]]
    assert as_xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(as_xlsx.content)).active
    assert [c.value for c in sheet[2]][:2] == [1, "Taalcafé"]
    assert default.content == as_csv.content


def test_exports_refuse_an_unknown_kind_or_format(api, world):
    client = _as(api, world.organiser)
    url = f"/api/v1/rounds/{world.round.pk}/exports/"

    unknown_kind = client.get(f"{url}geheimen/?format=csv")
    unknown_format = client.get(f"{url}voortgang/?format=pdf")

    assert (unknown_kind.status_code, unknown_kind.json()["code"]) == (404, "not_found")
    assert unknown_format.status_code == 400
    assert list(unknown_format.json()["fields"]) == ["format"]


# --- Tokens -----------------------------------------------------------------------------------


def _token(user, scope):
    _token_obj, raw = tokens.create_token(
        user=user, name="script", scope=scope, expires_at=timezone.now() + timedelta(days=30)
    )
    return raw


def test_a_read_only_token_reads_but_cannot_close(api, world):
    raw = _token(world.organiser, "read")
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")

    listed = api.get("/api/v1/rounds/")
    close = api.post(f"/api/v1/rounds/{world.round.pk}/close/")

    assert listed.status_code == 200
    assert (close.status_code, close.json()["code"]) == (403, "token_read_only")
    world.round.refresh_from_db()
    assert world.round.state == RoundState.OPEN


def test_a_read_write_token_closes_the_round(api, world):
    raw = _token(world.organiser, "read_write")
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")

    response = api.post(f"/api/v1/rounds/{world.round.pk}/close/")

    assert response.status_code == 201
    world.round.refresh_from_db()
    assert world.round.state == RoundState.CLOSED


# --- The walkthroughs in docs/api.md, run as they are written ---------------------------------

DOCS = Path(__file__).resolve().parents[2] / "docs" / "api.md"


def _docs_block(heading: str, language: str) -> str:
    """The first ``language`` code block after ``heading`` in docs/api.md."""
    text = DOCS.read_text()
    after = text[text.index(heading) :]
    return re.search(rf"```{language}\n(.*?)```", after, re.S).group(1)


@pytest.fixture
def jury_walkthrough(transactional_db, live_server):
    round_ = RoundFactory(edition__slug="nvp-2021")
    for position, name in enumerate(["Verbindt", "Verrast"]):
        CriterionFactory(round=round_, position=position, name_nl=name, step=Decimal("0.5"))
    jan = JuryMemberFactory(
        round=round_,
        user__email="jan@example.org",
        user__email_verified_at=timezone.now(),
    ).user
    for title in ("Koffie bij Anna", "Taalcafé"):
        Assignment.objects.create(round=round_, entry=_entry(round_, title=title), user=jan)
    return live_server.url


def test_walkthrough_jury_member_with_python_requests(jury_walkthrough, monkeypatch, capsys):
    code = _docs_block("### A jury member's script in Python", "python").replace(
        'HOST = "http://127.0.0.1:8000"', f"HOST = {jury_walkthrough!r}"
    )
    monkeypatch.setenv("PASSWORD", PASSWORD)

    exec(compile(code, "docs/api.md (jury walkthrough)", "exec"), {"__name__": "walkthrough"})

    out = capsys.readouterr().out
    assert "Ingestuurd: Koffie bij Anna 7.750" in out
    assert "Ingestuurd: Taalcafé 7.750" in out
    assert sorted(Review.objects.values_list("state", "overall_comment")) == [
        ("submitted", "Warm welkom."),
        ("submitted", "Warm welkom."),
    ]


def test_walkthrough_jury_member_with_curl(jury_walkthrough, tmp_path):
    script = _docs_block("### A jury member's script with curl", "sh").replace(
        "HOST=http://127.0.0.1:8000", f"HOST={jury_walkthrough}"
    )

    result = subprocess.run(
        ["bash", "-c", script],
        cwd=tmp_path,
        env={**os.environ, "PASSWORD": PASSWORD},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert '"state":"submitted"' in result.stdout.replace(" ", ""), result.stdout[-2000:]
    [review] = Review.objects.all()
    assert (review.state, review.weighted_total) == ("submitted", Decimal("8.000"))


@pytest.fixture
def organiser_walkthrough(transactional_db, live_server):
    round_ = RoundFactory(edition__slug="nvp-2021")
    criterion = CriterionFactory(round=round_)
    entries = {title: _entry(round_, title=title) for title in ("Buurtkamer", "Taalcafé")}
    for juror_scores in ({"Buurtkamer": 6, "Taalcafé": 9}, {"Buurtkamer": 7, "Taalcafé": 8}):
        juror = JuryMemberFactory(round=round_).user
        for title, score in juror_scores.items():
            assignment = Assignment.objects.create(round=round_, entry=entries[title], user=juror)
            Review.objects.create(
                assignment=assignment,
                state=ReviewState.SUBMITTED,
                submitted_at=timezone.now(),
                scores={str(criterion.pk): str(score)},
                weighted_total=Decimal(score),
            )
    return live_server.url, _token(OrganiserFactory(), "read")


def test_walkthrough_organiser_with_python_requests(organiser_walkthrough, monkeypatch, capsys):
    host, raw = organiser_walkthrough
    code = _docs_block("### An organiser's script in Python", "python").replace(
        'HOST = "http://127.0.0.1:8000"', f"HOST = {host!r}"
    )
    monkeypatch.setenv("TOKEN", raw)

    exec(compile(code, "docs/api.md (organiser walkthrough)", "exec"), {"__name__": "walkthrough"})

    out = capsys.readouterr().out
    assert out.index("1 Taalcafé 8.50") < out.index("2 Buurtkamer 6.50")
    assert "2 rows; columns: rang, inzending, score" in out


def test_walkthrough_organiser_with_curl(organiser_walkthrough, tmp_path):
    host, raw = organiser_walkthrough
    script = _docs_block("### An organiser's script with curl", "sh").replace(
        "HOST=http://127.0.0.1:8000", f"HOST={host}"
    )

    result = subprocess.run(
        ["bash", "-c", script],
        cwd=tmp_path,
        env={**os.environ, "TOKEN": raw},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[:2] == [
        "1 Taalcafé 8.50 " + str({m: 1 for m in METHODS}),
        "2 Buurtkamer 6.50 " + str({m: 2 for m in METHODS}),
    ]
    sheet = load_workbook(tmp_path / "rangschikking.xlsx").active
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == [
        "Taalcafé",
        "Buurtkamer",
    ]
    assert (tmp_path / "rangschikking.csv").read_bytes().startswith("\ufeffrang".encode())
