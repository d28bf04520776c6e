"""Demo data: the 2021 edition, its categories and rubric, demo accounts and a few entries
whose vlogs are generated with ffmpeg and processed by the real pipeline. Runs once: when the
edition exists already it does nothing, so `make run` keeps your data."""

from __future__ import annotations

import datetime as dt
import tempfile
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from common.enums import Role
from common.models import User
from jury import lifecycle
from jury import services as jury_services
from jury.compute.solver import Infeasible
from jury.enums import RoundKind
from jury.models import Criterion, JuryMember, Round
from media_pipeline.clips import generate_clip
from media_pipeline.services import create_asset_from_file
from prijzen import services
from prijzen.enums import ConsentKind, EntryState
from prijzen.models import Category, Consent, Edition, Initiative
from prijzen.wordings import current_wording
from results import decisions

AMS = ZoneInfo("Europe/Amsterdam")
DEMO_PASSWORD = "demo-wachtwoord"
EDITION_SLUG = "nvp-2021"

ACCOUNTS = [
    ("organisator@demo.vrijwilligersprijzen.nl", "Olga Organisator", Role.ORGANISER),
    ("jurylid1@demo.vrijwilligersprijzen.nl", "Jan Jurylid", Role.JUROR),
    ("jurylid2@demo.vrijwilligersprijzen.nl", "Jamila Jurylid", Role.JUROR),
    ("inzender1@demo.vrijwilligersprijzen.nl", "Ingrid Inzender", Role.ENTRANT),
    ("inzender2@demo.vrijwilligersprijzen.nl", "Ivo Inzender", Role.ENTRANT),
]

CRITERIA = [
    (
        "Verbindt",
        "Connects",
        "Brengt het initiatief mensen samen die elkaar anders niet ontmoeten?",
    ),
    ("Verrast", "Surprises", "Is de aanpak nieuw of onverwacht?"),
    (
        "Waardering voor eigen vrijwilligers",
        "Appreciation of own volunteers",
        "Hoe laat het initiatief zijn vrijwilligers merken dat ze gewaardeerd worden?",
    ),
    (
        "Draagt bij aan een zorgzame samenleving",
        "Contributes to a caring society",
        "Maakt het initiatief de buurt of de samenleving zorgzamer?",
    ),
    ("Duurzaam", "Lasting", "Kan het initiatief lang doorgaan, ook als mensen wisselen?"),
    (
        "Nieuwe gezichten welkom",
        "Welcoming new faces",
        "Hoe vindt, verwelkomt en begeleidt het initiatief nieuwe vrijwilligers?",
    ),
]

ENTRIES = [
    # owner index, initiative, municipality, province, category, title, portrait
    (
        3,
        "Buurtkamer De Linde",
        "Zwijndrecht",
        "Zuid-Holland",
        "lokaal",
        "Koffie en een warm welkom",
        False,
    ),
    (
        4,
        "Voedselbank Vrijwilligers Noord",
        "Groningen",
        "Groningen",
        "landelijk",
        "Je eerste dag bij ons",
        True,
    ),
]


def at(year: int, month: int, day: int, hour: int, minute: int) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=AMS)


class Command(BaseCommand):
    help = "Load the demo edition, accounts and entries (once)."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("Demo data is never loaded in production.")
        if Edition.objects.filter(slug=EDITION_SLUG).exists():
            self.stdout.write("Demo data is already there.")
            return
        users = self._accounts()
        with transaction.atomic():
            edition = Edition.objects.create(
                name="Nationale Vrijwilligersprijzen 2021",
                slug=EDITION_SLUG,
                year=2021,
                theme="Nieuwe gezichten",
                question="Wat doen jullie om nieuwe vrijwilligers zich welkom te laten voelen?",
                entries_open_at=at(2021, 1, 1, 0, 0),
                entries_close_at=at(2021, 3, 28, 23, 59),
                ceremony_at=at(2021, 6, 10, 20, 0),
            )
            categories = {
                slug: Category.objects.create(
                    edition=edition, slug=slug, name=name, description=description, position=i
                )
                for i, (slug, name, description) in enumerate(
                    [
                        (
                            "lokaal",
                            "Lokaal",
                            "Lokale vrijwilligersinitiatieven, projecten en organisaties.",
                        ),
                        ("landelijk", "Landelijk", "Landelijke vrijwilligersorganisaties."),
                    ]
                )
            }
            final = Round.objects.create(
                edition=edition,
                kind=RoundKind.FINAL,
                name="Juryronde 2021",
                opens_at=at(2021, 4, 6, 9, 0),
                closes_at=at(2021, 5, 14, 17, 0),
            )
            for i, (nl, en, description) in enumerate(CRITERIA):
                Criterion.objects.create(
                    round=final,
                    position=i,
                    name_nl=nl,
                    name_en=en,
                    description=description,
                    weight=Decimal("2") if i == len(CRITERIA) - 1 else Decimal("1"),
                )
        number = 0
        with tempfile.TemporaryDirectory() as tmp:
            for owner_i, name, municipality, province, category, title, portrait in ENTRIES:
                owner = users[owner_i]
                initiative = Initiative.objects.create(
                    owner=owner,
                    name=name,
                    municipality=municipality,
                    province=province,
                    contact_name=owner.name,
                    description=f"{name} is een vrijwilligersinitiatief in {municipality}.",
                )
                clip = generate_clip(
                    Path(tmp) / f"{initiative.pk}.mp4",
                    seconds=6,
                    width=360 if portrait else 640,
                    height=640 if portrait else 360,
                )
                asset = create_asset_from_file(
                    owner=owner,
                    path=clip,
                    filename="vlog.mp4",
                    max_duration_seconds=edition.max_duration_seconds,
                )
                entry = services.create_entry(
                    initiative=initiative,
                    category=categories[category],
                    title=title,
                    summary=f"Zo maken wij bij {name} nieuwe vrijwilligers welkom.",
                    answer="Iedere nieuwe vrijwilliger krijgt een maatje, een rondleiding en koffie.",
                    vlog=asset,
                )
                for kind in ConsentKind.values:  # given when the (past) window was open
                    Consent.objects.create(
                        entry=entry,
                        kind=kind,
                        given_by=owner,
                        wording=current_wording(edition, kind),
                    )
                number += 1
                services.transition_entry(
                    entry_id=entry.pk,
                    to=EntryState.SUBMITTED,
                    actor=owner,
                    number=number,
                    submitted_at=at(2021, 3, 1 + number, 12, 0),
                )
        self._announce(edition, organiser=users[0])
        self._open_edition()
        self._open_jury_round(final, users)
        self.stdout.write(self.style.SUCCESS("Demo data loaded; the vlogs are being processed."))

    def _announce(self, edition: Edition, *, organiser: User) -> None:
        """The 2021 winners (the first entry of each category), published, so the winners
        page and the gallery show something at once."""
        for category in edition.categories.all():
            entry = category.entries.order_by("number").first()
            if entry is not None:
                decisions.record_award(
                    entry=entry,
                    actor=organiser,
                    motivation=f"De jury was geraakt door hoe {entry.initiative.name} nieuwe "
                    "vrijwilligers vanaf de eerste dag een plek geeft.",
                )
        decisions.publish_results(edition=edition, actor=organiser)

    def _open_jury_round(self, final: Round, users: list[User]) -> None:
        """A copy of the 2021 jury round that is open now, with both demo jury members
        accepted and the entries assigned by the solver, so scoring can be tried at once."""
        demo = jury_services.copy_round(source=final, edition=final.edition, actor=users[0])
        Round.objects.filter(pk=demo.pk).update(
            name="Juryronde (demo, nu open)",
            opens_at=timezone.now() - dt.timedelta(days=1),
            closes_at=timezone.now() + dt.timedelta(days=30),
            jurors_per_entry=2,
        )
        demo.refresh_from_db()
        for juror in users[1:3]:
            JuryMember.objects.create(
                round=demo, user=juror, accepted_at=timezone.now(), terms_accepted_at=timezone.now()
            )
        proposal = jury_services.propose_assignment(round_=demo)
        if isinstance(proposal, Infeasible):
            raise CommandError(f"The demo round cannot be assigned: {proposal.reasons}")
        jury_services.commit_assignment(round_=demo, proposal=proposal, actor=users[0])
        lifecycle.open_round(round_=demo, actor=users[0])  # as the organiser would

    def _open_edition(self) -> None:
        """An edition whose window is open now, so the entry journey can be tried at once."""
        today = timezone.localdate()
        edition = Edition.objects.create(
            name=f"Vrijwilligersprijzen {today.year + 1} (demo)",
            slug="demo-open",
            year=today.year + 1,
            theme="Nieuwe gezichten",
            question="Wat doen jullie om nieuwe vrijwilligers zich welkom te laten voelen?",
            entries_open_at=timezone.now() - dt.timedelta(days=1),
            entries_close_at=timezone.now() + dt.timedelta(days=90),
        )
        for i, (slug, name) in enumerate([("lokaal", "Lokaal"), ("landelijk", "Landelijk")]):
            Category.objects.create(edition=edition, slug=slug, name=name, position=i)

    def _accounts(self) -> list[User]:
        users = []
        for email, name, role in ACCOUNTS:
            user = User.objects.filter(email=email).first() or User.objects.create_user(
                email,
                DEMO_PASSWORD,
                name=name,
                role=role,
                is_staff=role == Role.ORGANISER,
                is_superuser=role == Role.ORGANISER,
                email_verified_at=timezone.now(),
            )
            users.append(user)
        return users
