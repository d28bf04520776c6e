"""The permission matrix: every operation of the API schema, called as each of nine roles.

The expected status of every cell is written down by hand in TABLE (not computed from the
code under test). The suite fails when the schema has an operation without a row, or a row
names an operation the schema no longer has. Every cell runs in its own test (a fresh
database), against a world with data that could leak (tests/api_world.py).

Rules checked in every cell: hidden objects answer 404 (never 403), anonymous callers 401,
an expired token 401, a read-only token 403 on writes; lists hold exactly the objects the
role may see (LISTS, by hand); decisions (winners, the shortlist, motivations, juror remarks,
outcomes) stay out of every answer to anyone but organisers until publication.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal

import pytest
import requests
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from jury import services as jury_services
from jury.models import Assignment, JurorTie, Review, Round
from jury.reports.rounds import XLSX_CONTENT_TYPE
from media_pipeline.models import MediaAsset
from prijzen import services
from results import decisions
from tests.api_world import JUROR_REMARK, MOTIVATION, ROLES, build_world, client_for
from tests.factories import (
    CategoryFactory,
    CriterionFactory,
    EntryFactory,
    JuryMemberFactory,
    OrganiserFactory,
    RoundFactory,
)
from tests.prijzen.results_data import closed_round, entries_closed, public_entry

pytestmark = pytest.mark.django_db

A = "/api/v1"

# Expected status per role, in the order of ROLES:
#   anon = anonymous, A/B = entrant_a/_b, jA/jU/jC = juror_assigned/_unassigned/_conflicted,
#   org = organiser (session), ro = the organiser's read-only token, exp = an expired token.
TABLE: dict[tuple[str, str], tuple[int, ...]] = {
    #                                                       anon A   B   jA  jU  jC  org ro  exp
    ("GET", "/me/"): (401, 200, 200, 200, 200, 200, 200, 200, 401),
    # One's own ties (as a jury member records them on the "Ties" page).
    ("GET", "/me/ties/"): (401, 200, 200, 200, 200, 200, 200, 200, 401),
    ("POST", "/me/ties/"): (401, 201, 201, 201, 201, 201, 201, 403, 401),
    ("DELETE", "/me/ties/{id}/"): (401, 204, 204, 204, 204, 204, 204, 403, 401),
    # Editions, the gallery and winners are public (embargo: winners empty until published).
    ("GET", "/editions/"): (200, 200, 200, 200, 200, 200, 200, 200, 401),
    ("GET", "/editions/{slug}/"): (200, 200, 200, 200, 200, 200, 200, 200, 401),
    # Setting up editions, categories, rounds and rubrics: organisers only.
    ("POST", "/editions/"): (401, 404, 404, 404, 404, 404, 201, 403, 401),
    ("PATCH", "/editions/{slug}/"): (401, 404, 404, 404, 404, 404, 200, 403, 401),
    ("POST", "/editions/{slug}/categories/"): (401, 404, 404, 404, 404, 404, 201, 403, 401),
    # The edition's whole export (as "Alles downloaden" on the edition page).
    ("GET", "/editions/{slug}/export/"): (401, 404, 404, 404, 404, 404, 200, 200, 401),
    ("GET", "/editions/{slug}/export/{sheet}/"): (401, 404, 404, 404, 404, 404, 200, 200, 401),
    ("PATCH", "/categories/{id}/"): (401, 404, 404, 404, 404, 404, 200, 403, 401),
    ("DELETE", "/categories/{id}/"): (401, 404, 404, 404, 404, 404, 204, 403, 401),
    ("POST", "/rounds/"): (401, 404, 404, 404, 404, 404, 201, 403, 401),
    ("PATCH", "/rounds/{id}/"): (401, 404, 404, 404, 404, 404, 200, 403, 401),
    ("POST", "/rounds/{id}/criteria/"): (401, 404, 404, 404, 404, 404, 201, 403, 401),
    ("POST", "/rounds/{id}/criteria/copy/"): (401, 404, 404, 404, 404, 404, 200, 403, 401),
    ("PATCH", "/criteria/{id}/"): (401, 404, 404, 404, 404, 404, 200, 403, 401),
    ("DELETE", "/criteria/{id}/"): (401, 404, 404, 404, 404, 404, 204, 403, 401),
    ("GET", "/editions/{slug}/winners/"): (200, 200, 200, 200, 200, 200, 200, 200, 401),
    ("GET", "/gallery/"): (200, 200, 200, 200, 200, 200, 200, 200, 401),
    ("GET", "/gallery/{id}/"): (200, 200, 200, 200, 200, 200, 200, 200, 401),
    # The initiative: one's own (people without one: 404 to read; PUT creates it).
    ("GET", "/initiative/"): (401, 200, 200, 404, 404, 404, 404, 404, 401),
    ("PUT", "/initiative/"): (401, 200, 200, 201, 201, 201, 201, 403, 401),
    ("PATCH", "/initiative/"): (401, 200, 200, 400, 400, 400, 400, 403, 401),
    # Entries: entrant A's; organisers read every entry but cannot change an entrant's.
    ("GET", "/entries/"): (401, 200, 200, 200, 200, 200, 200, 200, 401),
    ("POST", "/entries/"): (401, 201, 201, 400, 400, 400, 400, 403, 401),
    ("GET", "/entries/{id}/"): (401, 200, 404, 404, 404, 404, 200, 200, 401),
    ("PATCH", "/entries/{id}/"): (401, 200, 404, 404, 404, 404, 403, 403, 401),
    ("POST", "/entries/{id}/publication-consent/"): (401, 200, 404, 404, 404, 404, 403, 403, 401),
    ("POST", "/entries/{id}/poster/"): (401, 200, 404, 404, 404, 404, 403, 403, 401),
    # Gallery approval: organisers; the entrant sees the entry but may not approve it.
    ("POST", "/entries/{id}/gallery-approval/"): (401, 403, 404, 404, 404, 404, 200, 403, 401),
    ("POST", "/entries/{id}/submit/"): (401, 200, 404, 404, 404, 404, 403, 403, 401),
    ("POST", "/entries/{id}/withdraw/"): (401, 200, 404, 404, 404, 404, 403, 403, 401),
    ("POST", "/entries/{id}/reopen/"): (401, 200, 404, 404, 404, 404, 403, 403, 401),
    ("GET", "/entries/{id}/vlog/"): (401, 200, 404, 404, 404, 404, 200, 200, 401),
    # Uploads: only the entrant (organisers too get 404: the upload is not theirs to see).
    ("POST", "/entries/{id}/vlog-uploads/"): (401, 201, 404, 404, 404, 404, 404, 403, 401),
    ("GET", "/entries/{id}/vlog-uploads/{uid}/"): (401, 200, 404, 404, 404, 404, 404, 404, 401),
    ("DELETE", "/entries/{id}/vlog-uploads/{uid}/"): (401, 200, 404, 404, 404, 404, 404, 403, 401),
    ("POST", "/entries/{id}/vlog-uploads/{uid}/sign/"): (
        401,
        200,
        404,
        404,
        404,
        404,
        404,
        403,
        401,
    ),
    ("GET", "/entries/{id}/vlog-uploads/{uid}/parts/"): (
        401,
        200,
        404,
        404,
        404,
        404,
        404,
        404,
        401,
    ),
    ("POST", "/entries/{id}/vlog-uploads/{uid}/complete/"): (
        401,
        200,
        404,
        404,
        404,
        404,
        404,
        403,
        401,
    ),
    # Rounds: members and organisers; the rest of a round is for organisers only.
    ("GET", "/rounds/"): (401, 200, 200, 200, 200, 200, 200, 200, 401),
    ("GET", "/rounds/{id}/"): (401, 404, 404, 200, 200, 200, 200, 200, 401),
    ("GET", "/rounds/{id}/ranking/"): (401, 404, 404, 404, 404, 404, 200, 200, 401),
    ("GET", "/rounds/{id}/certificate/"): (401, 404, 404, 404, 404, 404, 200, 200, 401),
    ("GET", "/rounds/{id}/exports/{kind}/"): (401, 404, 404, 404, 404, 404, 200, 200, 401),
    ("GET", "/rounds/{id}/conflicts/"): (401, 404, 404, 404, 404, 404, 200, 200, 401),
    ("POST", "/rounds/{id}/open/"): (401, 404, 404, 404, 404, 404, 200, 403, 401),
    ("POST", "/rounds/{id}/close/"): (401, 404, 404, 404, 404, 404, 201, 403, 401),
    ("POST", "/rounds/{id}/reopen/"): (401, 404, 404, 404, 404, 404, 200, 403, 401),
    ("POST", "/rounds/{id}/find-conflicts/"): (401, 404, 404, 404, 404, 404, 200, 403, 401),
    ("POST", "/rounds/{id}/invitations/"): (401, 404, 404, 404, 404, 404, 201, 403, 401),
    ("POST", "/rounds/{id}/assignment-proposal/"): (401, 404, 404, 404, 404, 404, 200, 403, 401),
    ("POST", "/rounds/{id}/assignment/"): (401, 404, 404, 404, 404, 404, 200, 403, 401),
    ("POST", "/rounds/{id}/tie-decisions/"): (401, 404, 404, 404, 404, 404, 201, 403, 401),
    ("POST", "/rounds/{id}/remind/"): (401, 404, 404, 404, 404, 404, 200, 403, 401),
    ("GET", "/rounds/{id}/shortlist/"): (401, 404, 404, 404, 404, 404, 200, 200, 401),
    ("POST", "/rounds/{id}/shortlist/"): (401, 404, 404, 404, 404, 404, 201, 403, 401),
    ("POST", "/rounds/{id}/shortlist/top/"): (401, 404, 404, 404, 404, 404, 200, 403, 401),
    ("DELETE", "/rounds/{id}/shortlist/{entry_id}/"): (401, 404, 404, 404, 404, 404, 204, 403, 401),
    ("POST", "/conflicts/{id}/dismiss/"): (401, 404, 404, 404, 404, 404, 200, 403, 401),
    ("POST", "/conflicts/{id}/review-decision/"): (401, 404, 404, 404, 404, 404, 200, 403, 401),
    # Assignments: only the juror's own visible ones (the conflicted juror's X is hidden).
    ("GET", "/assignments/"): (401, 200, 200, 200, 200, 200, 200, 200, 401),
    ("GET", "/assignments/{id}/"): (401, 404, 404, 200, 404, 404, 404, 404, 401),
    ("POST", "/assignments/{id}/conflict/"): (401, 404, 404, 201, 404, 404, 404, 403, 401),
    ("GET", "/assignments/{id}/review/"): (401, 404, 404, 200, 404, 404, 404, 404, 401),
    ("PUT", "/assignments/{id}/review/"): (401, 404, 404, 200, 404, 404, 404, 403, 401),
    ("PATCH", "/assignments/{id}/review/"): (401, 404, 404, 200, 404, 404, 404, 403, 401),
    ("POST", "/assignments/{id}/review/submit/"): (401, 404, 404, 200, 404, 404, 404, 403, 401),
    ("POST", "/assignments/{id}/review/reopen/"): (401, 404, 404, 200, 404, 404, 404, 403, 401),
    ("POST", "/assignments/{id}/review/heartbeat/"): (401, 404, 404, 200, 404, 404, 404, 403, 401),
    # Winners and the announcement: organisers only (404 for everyone else).
    ("GET", "/awards/"): (401, 404, 404, 404, 404, 404, 200, 200, 401),
    ("POST", "/awards/"): (401, 404, 404, 404, 404, 404, 201, 403, 401),
    ("GET", "/awards/{id}/"): (401, 404, 404, 404, 404, 404, 200, 200, 401),
    ("PATCH", "/awards/{id}/"): (401, 404, 404, 404, 404, 404, 200, 403, 401),
    ("DELETE", "/awards/{id}/"): (401, 404, 404, 404, 404, 404, 204, 403, 401),
    ("GET", "/editions/{slug}/results/"): (401, 404, 404, 404, 404, 404, 200, 200, 401),
    ("POST", "/editions/{slug}/results/publish/"): (401, 404, 404, 404, 404, 404, 200, 403, 401),
    ("POST", "/editions/{slug}/results/schedule/"): (401, 404, 404, 404, 404, 404, 200, 403, 401),
    ("POST", "/editions/{slug}/results/cancel/"): (401, 404, 404, 404, 404, 404, 200, 403, 401),
    ("POST", "/editions/{slug}/results/feedback/"): (401, 404, 404, 404, 404, 404, 200, 403, 401),
    ("POST", "/editions/{slug}/jury-second-factor/"): (401, 404, 404, 404, 404, 404, 200, 403, 401),
}
MATRIX = {
    (method, A + path): dict(zip(ROLES, row, strict=True)) for (method, path), row in TABLE.items()
}

# Exactly what each list holds, per role (names of World attributes), written by hand.
EVERY_ENTRY = {"x", "a_draft", "a_withdrawn", "y", "b_draft", "p"}
JURORS_AND_ENTRANTS = (
    "entrant_a",
    "entrant_b",
    "juror_assigned",
    "juror_unassigned",
    "juror_conflicted",
)
LISTS: dict[tuple[str, str], dict[str, set[str]]] = {
    ("GET", f"{A}/editions/"): {role: {"edition", "published"} for role in ROLES[:8]},
    ("GET", f"{A}/gallery/"): {role: {"x", "y", "p"} for role in ROLES[:8]},
    # The edition whose results are private: no winner for anyone, organisers included.
    ("GET", f"{A}/editions/{{slug}}/winners/"): {role: set() for role in ROLES[:8]},
    ("GET", f"{A}/entries/"): {
        "entrant_a": {"x", "a_draft", "a_withdrawn"},
        "entrant_b": {"y", "b_draft"},
        "juror_assigned": set(),
        "juror_unassigned": set(),
        "juror_conflicted": set(),
        "organiser": EVERY_ENTRY,
        "organiser_read_token": EVERY_ENTRY,
    },
    ("GET", f"{A}/rounds/"): {
        "entrant_a": set(),
        "entrant_b": set(),
        "juror_assigned": {"round"},
        "juror_unassigned": {"round"},
        "juror_conflicted": {"round"},
        "organiser": {"round", "closed"},
        "organiser_read_token": {"round", "closed"},
    },
    ("GET", f"{A}/assignments/"): {
        "entrant_a": set(),
        "entrant_b": set(),
        "juror_assigned": {"ja_x"},
        "juror_unassigned": {"ju_y"},
        "juror_conflicted": {"jc_y"},
        "organiser": set(),
        "organiser_read_token": set(),
    },
    ("GET", f"{A}/rounds/{{id}}/conflicts/"): {
        "organiser": {"conflict"},
        "organiser_read_token": {"conflict"},
    },
    ("GET", f"{A}/rounds/{{id}}/shortlist/"): {
        "organiser": {"x"},
        "organiser_read_token": {"x"},
    },
    ("GET", f"{A}/awards/"): {
        "organiser": {"award", "award_p"},
        "organiser_read_token": {"award", "award_p"},
    },
}
ORGANISERS = {"organiser", "organiser_read_token"}
STORAGE = "/vlog-uploads/"


# --- Resolvers: the path parameters and body of each operation, from the role's view ---------


@dataclass
class Call:
    params: dict
    body: dict | None = None


def _assignment(w, role):
    """The caller's own assignment on entry X when they have one (the conflicted juror's is
    hidden), else the assigned juror's."""
    return w.jc_x if role == "juror_conflicted" else w.ja_x


def _review_body(w):
    return {
        "version": 1,
        "scores": {str(w.criterion_id): "7"},
        "comments": {},
        "overall_comment": "Sterk verhaal",
    }


def _submitted_review(w):
    Review.objects.create(
        assignment=w.ja_x,
        state="submitted",
        scores={str(w.criterion_id): "7"},
        weighted_total=Decimal(7),
        submitted_at=timezone.now(),
        version=2,
    )


def _draft_review(w):
    Review.objects.create(assignment=w.ja_x, scores={str(w.criterion_id): "7"})


def _upload(w, *, with_part: bool = False):
    asset = services.start_vlog_upload(
        entry=w.a_draft, actor=w.entrant_a, filename="vlog.mp4", size=100, content_type="video/mp4"
    )
    if with_part:
        from media_pipeline import uploads

        url = uploads.sign_parts(asset=asset, part_numbers=[1])[1]
        assert requests.put(url, data=b"\0" * 100, timeout=30).status_code == 200
    w.extra["uid"] = str(asset.uid)


def _ready_draft_round(w):
    """A round in preparation with everything it needs to open: a rubric, one accepted jury
    member (one per entry) and every entry assigned to them."""
    round_ = RoundFactory(edition=w.edition, state="draft", jurors_per_entry=1)
    w.extra["draft_criterion"] = CriterionFactory(round=round_).pk
    member = JuryMemberFactory(round=round_)
    for entry in jury_services.round_entries(round_):
        Assignment.objects.create(round=round_, entry=entry, user=member.user)
    w.extra["ready_round"] = round_.pk


NEW_EDITION = {
    "name": "Vrijwilligersprijzen 2031",
    "slug": "prijs-2031",
    "year": 2031,
    "entries_open_at": "2031-01-01T09:00:00+01:00",
    "entries_close_at": "2031-03-01T23:59:00+01:00",
    "upload_grace_minutes": 60,
    "max_duration_seconds": 300,
    "entries_per_initiative": 1,
}
NEW_ROUND = {
    "name": "Voorronde",
    "kind": "selection",
    "opens_at": "2031-04-01T09:00:00+02:00",
    "closes_at": "2031-04-20T17:00:00+02:00",
    "jurors_per_entry": 2,
    "score_visibility": "after_close",
    "geography_rule": "municipality",
    "official_method": "trimmed_mean",
    "reminder_days_before": 3,
}
NEW_CRITERION = {
    "name_nl": "Verbindt",
    "name_en": "Connects",
    "weight": "1",
    "scale_min": 1,
    "scale_max": 10,
    "step": "1",
    "required": True,
    "counted": True,
    "position": 2,
    "anchors": {"1": "Niet", "10": "Helemaal"},
}


def _empty_category(w):
    w.extra["empty_category"] = CategoryFactory(edition=w.edition, slug="leeg").pk


def _empty_round(w):
    w.extra["empty_round"] = RoundFactory(edition=w.edition, state="draft").pk


def _shown_hash(w) -> str:
    """The hash of the proposal an organiser would have been shown for the ready round."""
    round_ = Round.objects.get(pk=w.extra["ready_round"])
    return jury_services.proposal_hash(jury_services.propose_assignment(round_=round_))


def _tied_round(w):
    """An open round in which two new entries got the same scores from the same two jurors:
    a tie the rule leaves to the organisers."""
    round_ = RoundFactory(edition=w.edition, official_method="mean")
    members = [JuryMemberFactory(round=round_) for _ in range(2)]
    tied = []
    for number in (901, 902):
        entry = EntryFactory(
            edition=w.edition, category__edition=w.edition, state="submitted", number=number
        )
        tied.append(entry.pk)
        for member, total in zip(members, ("7", "5"), strict=True):
            assignment = Assignment.objects.create(round=round_, entry=entry, user=member.user)
            Review.objects.create(
                assignment=assignment,
                state="submitted",
                scores={"1": total},
                weighted_total=Decimal(total),
            )
    w.extra.update(tied_round=round_.pk, tied=list(reversed(tied)))


def _own_tie(w, role) -> int:
    """A tie of the caller (of entrant A for callers without an account)."""
    user = w.user(role) or w.entrant_a
    return JurorTie.objects.create(user=user, kind="organisation", value="Buurthuis").pk


def _scheduled(w):
    decisions.schedule_results(
        edition=w.edition, at=timezone.now() + dt.timedelta(days=2), actor=w.organiser
    )


FUTURE = (timezone.now() + dt.timedelta(days=7)).isoformat()
INITIATIVE = {
    "name": "Nieuw initiatief",
    "municipality": "Utrecht",
    "contact_name": "Sam",
    "phone": "",
    "website": "",
    "description": "Wij helpen.",
}

# operation -> (params and body, given the world and the role; preparation of the state)
RESOLVERS = {
    ("GET", f"{A}/me/"): (lambda w, r: Call({}), None),
    ("GET", f"{A}/editions/"): (lambda w, r: Call({}), None),
    ("GET", f"{A}/editions/{{slug}}/"): (lambda w, r: Call({"slug": w.edition.slug}), None),
    ("GET", f"{A}/editions/{{slug}}/winners/"): (lambda w, r: Call({"slug": w.edition.slug}), None),
    ("GET", f"{A}/gallery/"): (lambda w, r: Call({}), None),
    ("GET", f"{A}/gallery/{{id}}/"): (lambda w, r: Call({"id": w.y.pk}), None),
    ("GET", f"{A}/initiative/"): (lambda w, r: Call({}), None),
    ("PUT", f"{A}/initiative/"): (lambda w, r: Call({}, INITIATIVE), None),
    ("PATCH", f"{A}/initiative/"): (lambda w, r: Call({}, {"description": "Meer"}), None),
    ("GET", f"{A}/entries/"): (lambda w, r: Call({}), None),
    ("POST", f"{A}/entries/"): (
        lambda w, r: Call({}, {"edition": w.edition.slug, "category": "lokaal", "title": "Nieuw"}),
        None,
    ),
    ("GET", f"{A}/entries/{{id}}/"): (lambda w, r: Call({"id": w.x.pk}), None),
    ("PATCH", f"{A}/entries/{{id}}/"): (
        lambda w, r: Call({"id": w.a_draft.pk}, {"title": "Nieuwe titel"}),
        None,
    ),
    ("POST", f"{A}/entries/{{id}}/publication-consent/"): (
        lambda w, r: Call({"id": w.a_draft.pk}, {"given": True}),
        None,
    ),
    ("POST", f"{A}/entries/{{id}}/poster/"): (
        lambda w, r: Call({"id": w.x.pk}, {"at_seconds": "2.5"}),
        lambda w: MediaAsset.objects.filter(pk=w.x.vlog_id).update(duration=10),
    ),
    ("POST", f"{A}/entries/{{id}}/gallery-approval/"): (
        lambda w, r: Call({"id": w.x.pk}, {"approved": True}),
        None,
    ),
    ("POST", f"{A}/entries/{{id}}/submit/"): (lambda w, r: Call({"id": w.a_draft.pk}), None),
    ("POST", f"{A}/entries/{{id}}/withdraw/"): (lambda w, r: Call({"id": w.x.pk}), None),
    ("POST", f"{A}/entries/{{id}}/reopen/"): (lambda w, r: Call({"id": w.a_withdrawn.pk}), None),
    ("GET", f"{A}/entries/{{id}}/vlog/"): (lambda w, r: Call({"id": w.a_draft.pk}), None),
    ("POST", f"{A}/entries/{{id}}/vlog-uploads/"): (
        lambda w, r: Call(
            {"id": w.a_draft.pk},
            {"filename": "vlog.mp4", "size": 1000, "content_type": "video/mp4"},
        ),
        None,
    ),
    ("GET", f"{A}/entries/{{id}}/vlog-uploads/{{uid}}/"): (
        lambda w, r: Call({"id": w.a_draft.pk, "uid": w.extra["uid"]}),
        _upload,
    ),
    ("DELETE", f"{A}/entries/{{id}}/vlog-uploads/{{uid}}/"): (
        lambda w, r: Call({"id": w.a_draft.pk, "uid": w.extra["uid"]}),
        _upload,
    ),
    ("POST", f"{A}/entries/{{id}}/vlog-uploads/{{uid}}/sign/"): (
        lambda w, r: Call({"id": w.a_draft.pk, "uid": w.extra["uid"]}, {"part_numbers": [1]}),
        _upload,
    ),
    ("GET", f"{A}/entries/{{id}}/vlog-uploads/{{uid}}/parts/"): (
        lambda w, r: Call({"id": w.a_draft.pk, "uid": w.extra["uid"]}),
        _upload,
    ),
    ("POST", f"{A}/entries/{{id}}/vlog-uploads/{{uid}}/complete/"): (
        lambda w, r: Call({"id": w.a_draft.pk, "uid": w.extra["uid"]}),
        lambda w: _upload(w, with_part=True),
    ),
    ("GET", f"{A}/rounds/"): (lambda w, r: Call({}), None),
    ("GET", f"{A}/rounds/{{id}}/"): (lambda w, r: Call({"id": w.round.pk}), None),
    ("GET", f"{A}/rounds/{{id}}/ranking/"): (lambda w, r: Call({"id": w.round.pk}), None),
    ("GET", f"{A}/rounds/{{id}}/certificate/"): (lambda w, r: Call({"id": w.closed.pk}), None),
    ("GET", f"{A}/rounds/{{id}}/exports/{{kind}}/"): (
        lambda w, r: Call({"id": w.round.pk, "kind": "inzendingen"}),
        None,
    ),
    ("GET", f"{A}/rounds/{{id}}/conflicts/"): (lambda w, r: Call({"id": w.round.pk}), None),
    ("POST", f"{A}/rounds/{{id}}/open/"): (
        lambda w, r: Call({"id": w.extra["ready_round"]}),
        _ready_draft_round,
    ),
    ("POST", f"{A}/rounds/{{id}}/close/"): (lambda w, r: Call({"id": w.round.pk}), None),
    ("POST", f"{A}/rounds/{{id}}/find-conflicts/"): (lambda w, r: Call({"id": w.round.pk}), None),
    ("POST", f"{A}/rounds/{{id}}/remind/"): (lambda w, r: Call({"id": w.round.pk}), None),
    ("POST", f"{A}/rounds/{{id}}/invitations/"): (
        lambda w, r: Call({"id": w.round.pk}, {"email": "nieuw-jurylid@example.org"}),
        None,
    ),
    ("POST", f"{A}/rounds/{{id}}/assignment-proposal/"): (
        lambda w, r: Call({"id": w.extra["ready_round"]}),
        _ready_draft_round,
    ),
    ("POST", f"{A}/rounds/{{id}}/assignment/"): (
        lambda w, r: Call({"id": w.extra["ready_round"]}, {"hash": _shown_hash(w)}),
        _ready_draft_round,
    ),
    ("POST", f"{A}/rounds/{{id}}/tie-decisions/"): (
        lambda w, r: Call(
            {"id": w.extra["tied_round"]},
            {"entries": w.extra["tied"], "reason": "Het publiek koos."},
        ),
        _tied_round,
    ),
    ("POST", f"{A}/editions/"): (lambda w, r: Call({}, NEW_EDITION), None),
    ("PATCH", f"{A}/editions/{{slug}}/"): (
        lambda w, r: Call({"slug": w.edition.slug}, {"theme": "Nieuwe gezichten"}),
        None,
    ),
    ("POST", f"{A}/editions/{{slug}}/categories/"): (
        lambda w, r: Call({"slug": w.edition.slug}, {"name": "Jong", "slug": "jong"}),
        None,
    ),
    ("PATCH", f"{A}/categories/{{id}}/"): (
        lambda w, r: Call({"id": w.extra["empty_category"]}, {"name": "Jongeren"}),
        _empty_category,
    ),
    ("DELETE", f"{A}/categories/{{id}}/"): (
        lambda w, r: Call({"id": w.extra["empty_category"]}),
        _empty_category,
    ),
    ("POST", f"{A}/rounds/"): (
        lambda w, r: Call({}, {**NEW_ROUND, "edition": w.edition.slug}),
        None,
    ),
    ("PATCH", f"{A}/rounds/{{id}}/"): (
        lambda w, r: Call({"id": w.round.pk}, {"name": "Juryronde (verlengd)"}),
        None,
    ),
    ("POST", f"{A}/rounds/{{id}}/criteria/"): (
        lambda w, r: Call({"id": w.extra["ready_round"]}, NEW_CRITERION),
        _ready_draft_round,
    ),
    ("POST", f"{A}/rounds/{{id}}/criteria/copy/"): (
        lambda w, r: Call({"id": w.extra["empty_round"]}, {"source": w.round.pk}),
        _empty_round,
    ),
    ("PATCH", f"{A}/criteria/{{id}}/"): (
        lambda w, r: Call({"id": w.extra["draft_criterion"]}, {"weight": "2"}),
        _ready_draft_round,
    ),
    ("DELETE", f"{A}/criteria/{{id}}/"): (
        lambda w, r: Call({"id": w.extra["draft_criterion"]}),
        _ready_draft_round,
    ),
    ("GET", f"{A}/me/ties/"): (lambda w, r: Call({}), None),
    ("POST", f"{A}/me/ties/"): (
        lambda w, r: Call({}, {"kind": "organisation", "value": "Buurthuis De Linde"}),
        None,
    ),
    ("DELETE", f"{A}/me/ties/{{id}}/"): (lambda w, r: Call({"id": _own_tie(w, r)}), None),
    ("POST", f"{A}/rounds/{{id}}/reopen/"): (
        lambda w, r: Call(
            {"id": w.closed.pk}, {"reason": "Een jurylid was ziek.", "closes_at": FUTURE}
        ),
        None,
    ),
    ("GET", f"{A}/rounds/{{id}}/shortlist/"): (lambda w, r: Call({"id": w.closed.pk}), None),
    ("POST", f"{A}/rounds/{{id}}/shortlist/"): (
        lambda w, r: Call({"id": w.closed.pk}, {"entry": w.y.pk}),
        None,
    ),
    ("POST", f"{A}/rounds/{{id}}/shortlist/top/"): (
        lambda w, r: Call({"id": w.closed.pk}, {"count": 1}),
        None,
    ),
    ("DELETE", f"{A}/rounds/{{id}}/shortlist/{{entry_id}}/"): (
        lambda w, r: Call({"id": w.closed.pk, "entry_id": w.x.pk}),
        None,
    ),
    ("POST", f"{A}/conflicts/{{id}}/dismiss/"): (
        lambda w, r: Call({"id": w.conflict.pk}, {"reason": "Geen echte band."}),
        None,
    ),
    ("POST", f"{A}/conflicts/{{id}}/review-decision/"): (
        lambda w, r: Call({"id": w.conflict.pk}, {"keep": True, "reason": "Telt toch mee."}),
        None,
    ),
    ("GET", f"{A}/assignments/"): (lambda w, r: Call({}), None),
    ("GET", f"{A}/assignments/{{id}}/"): (lambda w, r: Call({"id": _assignment(w, r).pk}), None),
    ("POST", f"{A}/assignments/{{id}}/conflict/"): (
        lambda w, r: Call({"id": _assignment(w, r).pk}, {"reason": "Ik ken de maker."}),
        None,
    ),
    ("GET", f"{A}/assignments/{{id}}/review/"): (
        lambda w, r: Call({"id": _assignment(w, r).pk}),
        None,
    ),
    ("PUT", f"{A}/assignments/{{id}}/review/"): (
        lambda w, r: Call({"id": _assignment(w, r).pk}, _review_body(w)),
        None,
    ),
    ("PATCH", f"{A}/assignments/{{id}}/review/"): (
        lambda w, r: Call({"id": _assignment(w, r).pk}, {"version": 1, "overall_comment": "Goed"}),
        None,
    ),
    ("POST", f"{A}/assignments/{{id}}/review/submit/"): (
        lambda w, r: Call({"id": _assignment(w, r).pk}, {"version": 1}),
        _draft_review,
    ),
    ("POST", f"{A}/assignments/{{id}}/review/reopen/"): (
        lambda w, r: Call({"id": _assignment(w, r).pk}),
        _submitted_review,
    ),
    ("POST", f"{A}/assignments/{{id}}/review/heartbeat/"): (
        lambda w, r: Call({"id": _assignment(w, r).pk}),
        None,
    ),
    ("GET", f"{A}/awards/"): (lambda w, r: Call({}), None),
    ("POST", f"{A}/awards/"): (
        # After the deadline, when winners are chosen (during the window: 400 entries_open).
        lambda w, r: (
            entries_closed(w.edition),
            Call({}, {"entry": w.x.pk, "motivation": "Een warme plek."}),
        )[1],
        None,
    ),
    ("GET", f"{A}/awards/{{id}}/"): (lambda w, r: Call({"id": w.award.pk}), None),
    ("PATCH", f"{A}/awards/{{id}}/"): (
        lambda w, r: Call({"id": w.award.pk}, {"motivation": "Nieuwe motivatie"}),
        None,
    ),
    ("DELETE", f"{A}/awards/{{id}}/"): (lambda w, r: Call({"id": w.award.pk}), None),
    ("GET", f"{A}/editions/{{slug}}/results/"): (lambda w, r: Call({"slug": w.edition.slug}), None),
    ("GET", f"{A}/editions/{{slug}}/export/"): (lambda w, r: Call({"slug": w.edition.slug}), None),
    ("GET", f"{A}/editions/{{slug}}/export/{{sheet}}/"): (
        lambda w, r: Call({"slug": w.edition.slug, "sheet": "toestemmingen"}),
        None,
    ),
    ("POST", f"{A}/editions/{{slug}}/results/publish/"): (
        lambda w, r: Call({"slug": w.edition.slug}),
        None,
    ),
    ("POST", f"{A}/editions/{{slug}}/results/schedule/"): (
        lambda w, r: Call({"slug": w.edition.slug}, {"at": FUTURE}),
        None,
    ),
    ("POST", f"{A}/editions/{{slug}}/results/cancel/"): (
        lambda w, r: Call({"slug": w.edition.slug}),
        _scheduled,
    ),
    ("POST", f"{A}/editions/{{slug}}/results/feedback/"): (
        lambda w, r: Call({"slug": w.edition.slug}, {"share_feedback": True}),
        None,
    ),
    ("POST", f"{A}/editions/{{slug}}/jury-second-factor/"): (
        lambda w, r: Call({"slug": w.edition.slug}, {"jury_second_factor": False}),
        None,
    ),
}


def schema_operations() -> set[tuple[str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {(method.upper(), path) for path, item in schema["paths"].items() for method in item}


# --- The table covers the schema exactly ------------------------------------------------------


def test_every_operation_of_the_schema_has_a_row_and_every_row_an_operation():
    operations = schema_operations()

    assert sorted(operations - set(MATRIX)) == [], "operations without a row in TABLE"
    assert sorted(set(MATRIX) - operations) == [], "rows for operations the schema lacks"
    assert set(RESOLVERS) == set(MATRIX)
    assert set(LISTS) <= set(MATRIX)


def test_matrix_size(record_property, capsys):
    operations = schema_operations()
    cells = len(operations) * len(ROLES)
    size = f"permission matrix: {len(operations)} operations x {len(ROLES)} roles = {cells} cells"
    record_property("matrix", size)
    with capsys.disabled():
        print("\n" + size)

    assert cells == len(TABLE) * len(ROLES)


# --- One test per cell ----------------------------------------------------------------------


def _cells(*, storage: bool):
    for (method, path), row in MATRIX.items():
        if (STORAGE in path) != storage:
            continue
        for role, status in row.items():
            yield pytest.param(
                method, path, role, status, id=f"{method} {path.removeprefix(A)} {role}"
            )


@pytest.fixture
def world():
    cache.clear()  # throttle counters
    yield build_world()
    cache.clear()


def _walk(value):
    yield value
    if isinstance(value, dict):
        for item in value.values():
            yield from _walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item)


def _ids(method, path, body) -> set:
    items = body["results"] if isinstance(body, dict) and "results" in body else body
    if path.endswith("/winners/"):
        return {item["entry"]["id"] for item in items}
    if path.endswith("/shortlist/"):
        return {item["entry"] for item in items}
    return {item["id"] for item in items}


@pytest.mark.parametrize(("method", "path", "role", "expected"), list(_cells(storage=False)))
def test_cell(world, method, path, role, expected):
    _check_cell(world, method, path, role, expected)


@pytest.mark.storage
@pytest.mark.parametrize(("method", "path", "role", "expected"), list(_cells(storage=True)))
def test_storage_cell(s3_server, world, method, path, role, expected):
    """The upload operations, against the real S3 server (the entrant's calls reach it)."""
    _check_cell(world, method, path, role, expected)


def _check_cell(world, method, path, role, expected):
    make_call, prepare = RESOLVERS[(method, path)]
    if prepare is not None:
        prepare(world)
    call = make_call(world, role)
    url = path.format(**call.params)
    client = client_for(world, role)

    response = client.generic(
        method,
        url,
        data=json.dumps(call.body) if call.body is not None else "",
        content_type="application/json",
    )

    assert response.status_code == expected, response.content[:500]
    is_json = response.get("Content-Type", "").startswith("application/json")
    body = response.json() if is_json else None
    if expected >= 400:
        assert set(body) == {"code", "message", "fields"}
        expected_code = {
            401: "token_expired" if role == "expired_token" else "not_authenticated",
            404: "not_found",
        }.get(expected)
        if expected == 403 and role == "organiser_read_token":
            expected_code = "token_read_only"
        if expected_code:
            assert body["code"] == expected_code
    lists = LISTS.get((method, path))
    if lists is not None and role in lists:
        wanted = {getattr(world, name).pk for name in lists[role]}
        assert _ids(method, path, body) == wanted
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if not response.get("Content-Type", "").startswith(XLSX_CONTENT_TYPE):  # a zip: not text
        _assert_no_embargoed_decisions(world, role, content.decode(), body)


def _assert_no_embargoed_decisions(world, role, text: str, body) -> None:
    """Before publication, only organisers' own resources may show decisions; juror remarks of
    the closed round never reach anyone through these answers."""
    private = {world.x.pk, world.y.pk, world.a_draft.pk, world.a_withdrawn.pk, world.b_draft.pk}
    if role not in ORGANISERS:
        assert MOTIVATION not in text
    assert JUROR_REMARK not in text
    for item in _walk(body):
        if isinstance(item, dict) and item.get("id") in private and "edition" in item:
            assert item.get("outcome") is None
            assert item.get("winner", False) is False
            assert item.get("nominated", False) is False


# --- The embargo lifts on publication ----------------------------------------------------------


def test_publication_shows_the_winner_and_the_outcomes_to_everyone(world):
    decisions.publish_results(edition=world.edition, actor=world.organiser)
    url = f"{A}/editions/{world.edition.slug}/winners/"

    winners = client_for(world, "anonymous").get(url).json()
    own = client_for(world, "entrant_b").get(f"{A}/entries/{world.y.pk}/").json()
    other = client_for(world, "entrant_a").get(f"{A}/entries/{world.x.pk}/").json()
    gallery = client_for(world, "anonymous").get(f"{A}/gallery/{world.y.pk}/").json()

    assert [(w["entry"]["id"], w["motivation"]) for w in winners] == [(world.y.pk, MOTIVATION)]
    assert (own["outcome"], other["outcome"]) == ("winner", "nominee")
    assert (gallery["winner"], gallery["nominated"]) == (True, False)


# --- Query counts of the lists the other suites do not count yet -------------------------------


def _decided_edition(count: int):
    category = CategoryFactory()
    entries = [public_entry(category, number=n + 1) for n in range(count)]
    round_ = closed_round(category.edition, {e: [5 + n] for n, e in enumerate(entries)})
    for entry in entries:
        from jury import shortlists

        shortlists.add_to_shortlist(round_=round_, entry=entry, actor=None)
        decisions.record_award(entry=entry, motivation="Mooi", actor=None)
    decisions.publish_results(edition=category.edition)
    return category.edition, round_


@pytest.mark.parametrize("count", [1, 3])
@pytest.mark.parametrize(
    ("url", "queries"),
    [
        ("/api/v1/awards/", 5),  # each with the organiser's second-step device
        ("/api/v1/editions/{slug}/winners/", 8),
        ("/api/v1/rounds/{round}/shortlist/", 5),
    ],
)
def test_list_query_count_is_the_same_for_1_and_3_items(client, url, queries, count):
    edition, round_ = _decided_edition(count)
    client.force_login(OrganiserFactory())
    address = url.format(slug=edition.slug, round=round_.pk)

    with CaptureQueriesContext(connection) as captured:
        response = client.get(address)

    body = response.json()
    items = body["results"] if isinstance(body, dict) else body
    assert len(items) == count
    assert len(captured) == queries, [q["sql"][:300] for q in captured]


@pytest.mark.parametrize("action", ["publish", "schedule", "cancel", "feedback"])
def test_results_actions_answer_only_post(world, action):
    url = f"{A}/editions/{world.edition.slug}/results/{action}/"

    response = client_for(world, "organiser").get(url)

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
