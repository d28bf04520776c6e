"""A jury member in Debian's Chromium: accepts the invitation, reports a conflict on one entry,
scores the two others by keyboard while the vlog plays, and sees the progress go 0 → 2 of 2."""

import re
from decimal import Decimal

import pytest
from django.core import mail

from jury import invitations
from jury.enums import ReviewState
from jury.models import Assignment, Conflict, JuryMember, Review
from media_pipeline.clips import generate_clip
from media_pipeline.processing import process_asset
from prijzen.enums import EntryState
from tests.conftest import wait_for
from tests.factories import CriterionFactory, EntryFactory, OrganiserFactory, RoundFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.storage,
    pytest.mark.media,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def round_with_entries(stored_asset, tmp_path):
    round_ = RoundFactory(name="Juryronde")
    CriterionFactory(round=round_, name_nl="Verbindt", weight=Decimal(1))
    CriterionFactory(round=round_, name_nl="Verrast", weight=Decimal(2))
    entries = []
    for i, title in enumerate(["Koffie en welkom", "Samen klussen", "Taalmaatjes"]):
        clip = generate_clip(tmp_path / f"{i}.mp4", seconds=4, width=320, height=240)
        vlog = process_asset(asset_id=stored_asset(clip).pk)
        entries.append(
            EntryFactory(
                edition=round_.edition,
                category__edition=round_.edition,
                title=title,
                state=EntryState.SUBMITTED,
                number=i + 1,
                vlog=vlog,
            )
        )
    return round_, entries


def _progress(page) -> str:
    return page.locator("[data-progress]").first.inner_text()


def test_juror_accepts_reports_a_conflict_and_scores_by_keyboard(
    page, live_server, round_with_entries, django_capture_on_commit_callbacks
):
    round_, entries = round_with_entries
    with django_capture_on_commit_callbacks(execute=True):
        member = invitations.invite_juror(
            round_=round_, email="jan@jury.nl", actor=OrganiserFactory()
        )
    for entry in entries:
        Assignment.objects.create(round=round_, entry=entry, user=member.user)
    path = re.search(r"/jury/uitnodiging/\S+/", mail.outbox[-1].body).group(0)

    page.goto(live_server.url + path)
    page.get_by_label("Ik houd alles wat ik als jurylid zie", exact=False).check()
    page.get_by_role("button", name="Accepteren en beginnen").click()
    page.wait_for_url(f"{live_server.url}/jury/")
    assert _progress(page) == "0 van 3 ingestuurd"

    page.get_by_role("link", name="Taalmaatjes").click()
    page.get_by_text("Ik kan deze inzending niet eerlijk beoordelen").click()
    page.get_by_label("Waarom kun je deze inzending niet eerlijk beoordelen?").fill(
        "Mijn zus is vrijwilliger bij dit initiatief."
    )
    page.get_by_role("button", name="Belangenverstrengeling melden").click()
    page.wait_for_url(f"{live_server.url}/jury/")
    assert _progress(page) == "0 van 2 ingestuurd"

    page.get_by_role("link", name="Koffie en welkom").click()
    for title, scores in [("Koffie en welkom", ("8", "7")), ("Samen klussen", ("6", "9"))]:
        page.get_by_role("heading", name=title).wait_for()
        page.evaluate("document.querySelector('#vlog-player').muted = true")
        page.evaluate("document.querySelector('#vlog-player').play()")
        # Keyboard only: Tab to the score fields, type, Tab on, Enter on "Submit and next".
        page.get_by_label("Cijfer (1 tot 10)").first.focus()
        page.keyboard.type(scores[0])
        page.keyboard.press("Tab")  # the comment
        page.keyboard.press("Tab")  # the second score
        page.keyboard.type(scores[1])
        wait_for(
            lambda: page.evaluate("document.querySelector('#vlog-player').currentTime") > 1,
            timeout=20,
            message="the vlog did not play",
        )
        page.get_by_role("button", name="Insturen en volgende").focus()
        page.keyboard.press("Enter")
        page.wait_for_load_state()

    page.wait_for_url(f"{live_server.url}/jury/")
    assert _progress(page) == "2 van 2 ingestuurd"
    reviews = Review.objects.filter(state=ReviewState.SUBMITTED).order_by("assignment__entry")
    assert [r.weighted_total for r in reviews] == [Decimal("7.333"), Decimal("8.000")]
    assert all(r.watched_seconds > 0 for r in reviews)
    assert Conflict.objects.get().entry == entries[2]
    assert JuryMember.objects.get().active
