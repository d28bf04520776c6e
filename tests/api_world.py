"""One world with data that could leak, and the nine points of view the API is tested from
(the permission matrix and the schemathesis run share it).

Edition ``open`` (entries open, results private) has two entrants:
- A: initiative "Buurtkamer Oost"; entry X (submitted, public, shortlisted in the closed
  round), a complete draft, a withdrawn entry;
- B: initiative "Taalhuis West"; entry Y (submitted, public, the still private winner with a
  motivation), a draft.
Round ``round`` (open) judges X and Y: juror_assigned has X; juror_unassigned is a member
with Y only; juror_conflicted has X and Y and an active (detected) conflict on X.
Round ``closed`` (closed, with its certificate and other jurors' reviews) shortlisted X.
Edition ``published`` (results published) has entrant C's winning entry P.
An organiser with a read-only and an expired token.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from rest_framework.test import APIClient

from common import tokens
from common.enums import Role
from common.models import ApiToken, User
from jury import shortlists
from jury.enums import ConflictSource
from jury.models import Assignment, Conflict, Review, Round
from prijzen.enums import ConsentKind, EntryState
from prijzen.models import Award, Consent, Edition, Entry
from prijzen.wordings import current_wording
from results import decisions
from tests.factories import (
    CategoryFactory,
    CriterionFactory,
    EditionFactory,
    EntryFactory,
    InitiativeFactory,
    JuryMemberFactory,
    OrganiserFactory,
    RoundFactory,
    UserFactory,
)
from tests.prijzen.results_data import closed_round, public_entry

ROLES = (
    "anonymous",
    "entrant_a",
    "entrant_b",
    "juror_assigned",
    "juror_unassigned",
    "juror_conflicted",
    "organiser",
    "organiser_read_token",
    "expired_token",
)
SESSION_ROLES = {
    "entrant_a": "entrant_a",
    "entrant_b": "entrant_b",
    "juror_assigned": "juror_assigned",
    "juror_unassigned": "juror_unassigned",
    "juror_conflicted": "juror_conflicted",
    "organiser": "organiser",
}
MOTIVATION = "GEHEIM: de jury koos Taalhuis West om het taalcafe"
JUROR_REMARK = "Opmerking van"  # every review of the closed round says this (results_data)


@dataclass
class World:
    edition: Edition
    published: Edition
    entrant_a: User
    entrant_b: User
    entrant_c: User
    juror_assigned: User
    juror_unassigned: User
    juror_conflicted: User
    organiser: User
    read_token: str
    expired_token: str
    write_token: str
    x: Entry
    a_draft: Entry
    a_withdrawn: Entry
    y: Entry
    b_draft: Entry
    p: Entry
    round: Round
    closed: Round
    criterion_id: int
    ja_x: Assignment
    ju_y: Assignment
    jc_x: Assignment
    jc_y: Assignment
    conflict: Conflict
    closed_conflict: Conflict
    award: Award
    award_p: Award
    extra: dict = field(default_factory=dict)

    def user(self, role: str) -> User | None:
        return getattr(self, SESSION_ROLES[role]) if role in SESSION_ROLES else None

    def entries(self) -> list[Entry]:
        return [self.x, self.a_draft, self.a_withdrawn, self.y, self.b_draft, self.p]


def _complete_draft(category, initiative, title: str) -> Entry:
    """A draft that can be submitted: texts, a ready vlog and the required consents."""
    entry = public_entry(category, number=None, consent=False, initiative=initiative, title=title)
    Entry.objects.filter(pk=entry.pk).update(state=EntryState.DRAFT, summary="Kort", answer="Ja")
    for kind in (ConsentKind.PRIVACY, ConsentKind.PEOPLE):
        Consent.objects.create(entry=entry, kind=kind, wording=current_wording(entry.edition, kind))
    entry.refresh_from_db()
    return entry


def _token(user, *, scope: str, expired: bool = False) -> str:
    """A token made now, or (expired) made 40 days ago for 30 days."""
    made = timezone.now() - dt.timedelta(days=40 if expired else 0)
    _token, raw = tokens.create_token(
        user=user,
        name=f"{scope} {expired}",
        scope=scope,
        expires_at=made + dt.timedelta(days=30),
        now=made,
    )
    return raw


def build_world() -> World:
    verified = {"email_verified_at": timezone.now()}
    organiser = OrganiserFactory(email="organisator@example.org")
    entrant_a = UserFactory(email="entrant.a@example.org", **verified)
    entrant_b = UserFactory(email="entrant.b@example.org", **verified)
    entrant_c = UserFactory(email="entrant.c@example.org", **verified)
    initiative_a = InitiativeFactory(owner=entrant_a, name="Buurtkamer Oost")
    initiative_b = InitiativeFactory(owner=entrant_b, name="Taalhuis West")
    initiative_c = InitiativeFactory(owner=entrant_c, name="Repair Cafe Noord")

    edition = EditionFactory(slug="open-editie", entries_per_initiative=3)
    category = CategoryFactory(edition=edition, slug="lokaal", name="Lokaal")
    x = public_entry(
        category,
        number=1,
        initiative=initiative_a,
        title="Koffie in de kamer",
        summary="Samen",
        answer="Omdat",
    )
    y = public_entry(
        category,
        number=2,
        initiative=initiative_b,
        title="Praten over taal",
        summary="Samen",
        answer="Omdat",
    )
    a_draft = _complete_draft(category, initiative_a, "Concept van A")
    a_withdrawn = EntryFactory(
        category=category,
        initiative=initiative_a,
        state=EntryState.WITHDRAWN,
        title="Ingetrokken van A",
    )
    b_draft = EntryFactory(category=category, initiative=initiative_b, title="Concept van B")

    # The closed round: X ranks first; X is shortlisted, Y the (private) winner.
    closed = closed_round(edition, {x: [8, 8], y: [6, 6]}, actor=organiser)
    shortlists.add_to_shortlist(round_=closed, entry=x, actor=organiser)
    award = decisions.record_award(entry=y, motivation=MOTIVATION, actor=organiser)
    # Then the organiser extended the deadline on the edition page (entries come in again,
    # for the entrants' operations of the matrix); the private winner stays.
    Edition.objects.filter(pk=edition.pk).update(
        entries_open_at=timezone.now() - dt.timedelta(days=10),
        entries_close_at=timezone.now() + dt.timedelta(days=30),
    )
    edition.refresh_from_db()
    closed_juror = Assignment.objects.filter(round=closed).first().user
    closed_conflict = Conflict.objects.create(
        round=closed,
        entry=y,
        user=closed_juror,
        source=ConflictSource.DECLARED,
        reason="Buurman van de maker.",
    )

    # The open round.
    round_ = RoundFactory(edition=edition, name="Finale")
    criterion = CriterionFactory(
        round=round_, position=1, scale_min=1, scale_max=10, step=Decimal("1"), required=True
    )
    jurors = {
        name: JuryMemberFactory(round=round_, user__email=f"{name}@example.org").user
        for name in ("juror_assigned", "juror_unassigned", "juror_conflicted")
    }
    ja_x = Assignment.objects.create(round=round_, entry=x, user=jurors["juror_assigned"])
    ju_y = Assignment.objects.create(round=round_, entry=y, user=jurors["juror_unassigned"])
    jc_x = Assignment.objects.create(round=round_, entry=x, user=jurors["juror_conflicted"])
    jc_y = Assignment.objects.create(round=round_, entry=y, user=jurors["juror_conflicted"])
    Review.objects.create(
        assignment=ju_y,
        scores={str(criterion.pk): "4"},
        overall_comment=f"{JUROR_REMARK} de collega",
    )
    conflict = Conflict.objects.create(
        round=round_,
        entry=x,
        user=jurors["juror_conflicted"],
        source=ConflictSource.DETECTED,
        reason="Zelfde gemeente.",
    )

    # A published edition with a public winner.
    published = EditionFactory(
        slug="vorige-editie",
        entries_open_at=timezone.now() - dt.timedelta(days=400),
        entries_close_at=timezone.now() - dt.timedelta(days=300),
    )
    p = public_entry(
        CategoryFactory(edition=published, slug="landelijk"),
        number=1,
        initiative=initiative_c,
        title="Fietsen maken",
    )
    award_p = decisions.record_award(entry=p, motivation="Openbare motivatie", actor=organiser)
    decisions.publish_results(edition=published, actor=organiser)

    UserFactory(role=Role.ENTRANT)  # someone with no data at all, who must see none either
    return World(
        edition=edition,
        published=Edition.objects.get(pk=published.pk),
        entrant_a=entrant_a,
        entrant_b=entrant_b,
        entrant_c=entrant_c,
        organiser=organiser,
        read_token=_token(organiser, scope=ApiToken.Scope.READ),
        expired_token=_token(organiser, scope=ApiToken.Scope.READ_WRITE, expired=True),
        write_token=_token(organiser, scope=ApiToken.Scope.READ_WRITE),
        x=x,
        a_draft=a_draft,
        a_withdrawn=a_withdrawn,
        y=y,
        b_draft=b_draft,
        p=p,
        round=round_,
        closed=closed,
        criterion_id=criterion.pk,
        ja_x=ja_x,
        ju_y=ju_y,
        jc_x=jc_x,
        jc_y=jc_y,
        conflict=conflict,
        closed_conflict=closed_conflict,
        award=award,
        award_p=award_p,
        **jurors,
    )


def client_for(world: World, role: str) -> APIClient:
    """A client as ``role``: a real session for people, a Bearer token for the tokens."""
    client = APIClient()
    if role == "organiser_read_token":
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {world.read_token}")
    elif role == "expired_token":
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {world.expired_token}")
    elif role != "anonymous":
        client.force_login(world.user(role))
    return client
