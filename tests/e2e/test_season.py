"""The acceptance test of a whole prize season (issue 18), in Debian's Chromium, through the
pages only. It doubles as the documentation of how a season runs.

The database starts empty but for one organiser account. Everything after that is what a
person clicks or types: the organiser sets up two-step sign-in, the edition, its categories,
the rounds and their rubrics, and approves the entries for the public gallery; entrants sign
up by e-mail link, enter and upload through the real S3 server (a real worker processes the
vlogs); jury members accept their invitations,
record their ties and score by keyboard; the organiser closes, shortlists, runs the final,
records the winners and schedules the announcement, which a real `celery beat` publishes.
The database is read only to check what the pages did.

Labels are written as the English message ids through gettext: the test runs in Dutch, so
`_("Invite")` is the Dutch label on the page ("Uitnodigen")."""

from __future__ import annotations

import base64
import re
import subprocess
import sys
import time
from datetime import timedelta
from email import message_from_string
from email.policy import default as email_policy
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp.oath import TOTP

from common.enums import Role
from common.models import AuditLog, User
from jury.enums import RoundState
from jury.models import (
    Assignment,
    Conflict,
    JuryMember,
    ResultSnapshot,
    Review,
    Round,
    Shortlisting,
)
from media_pipeline.clips import generate_clip
from prijzen.consents import DEFAULT_TEXTS
from prijzen.enums import ConsentKind, EntryState, ResultsState
from prijzen.models import Award, Edition, Entry
from tests.conftest import ROOT, _test_database_url, wait_for

pytestmark = [
    pytest.mark.browser,
    pytest.mark.worker,
    pytest.mark.storage,
    pytest.mark.media,
    pytest.mark.django_db(transaction=True),
]

ORGANISER = "organisator@vrijwilligersprijs.nl"
PASSWORD = "een-lang-en-sterk-wachtwoord-2027"
GRACE_MINUTES = 2
SLUG = "prijs-2027"
EDITION = "Vrijwilligersprijs 2027"

# The entrants: e-mail, initiative, municipality, category, vlog title. Every juror gives the
# same score to an entry (below), so the order is known: De Linde, Voedselbank, Repair, Tuin.
ENTRANTS = [
    ("ingrid@delinde.nl", "Buurtkamer De Linde", "Zwijndrecht", "Lokaal", "Koffie en welkom"),
    ("ivo@voedselbank.nl", "Voedselbank Noord", "Groningen", "Landelijk", "Pakketten met hart"),
    ("rita@repair.nl", "Repair Café Baarn", "Baarn", "Lokaal", "Samen klussen"),
    ("tom@tuin.nl", "Buurttuin Amersfoort", "Amersfoort", "Landelijk", "Groente voor iedereen"),
]
SELECTION_SCORES = {
    "Koffie en welkom": 9,
    "Pakketten met hart": 8,
    "Samen klussen": 6,
    "Groente voor iedereen": 5,
}
FINAL_SCORES = {"Koffie en welkom": 9, "Pakketten met hart": 7}
# The organiser writes the edition's own privacy consent and jury terms; the others keep the
# texts a new edition starts with.
PRIVACY = "Wij gebruiken jullie gegevens alleen voor de Vrijwilligersprijs 2027."
JURY_TERMS = "Wat ik als jurylid zie, deel ik met niemand. Ik meld elke band met een inzending."
JURORS = ["anna@jury.nl", "bram@jury.nl", "carla@jury.nl"]


# --- Processes: a real celery beat beside the test worker ----------------------------------


@pytest.fixture
def celery_beat(celery_worker, s3_server, queue_prefix, tmp_path):
    """A real `celery beat` on the test database and the test worker's queues: it sends
    prijzen.tasks.publish_due_results every 30 s (the environment as tests/conftest.py's
    start_worker builds it)."""
    import os

    env = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "S3_ENDPOINT_URL": s3_server.endpoint_url,
        "S3_ACCESS_KEY_ID": s3_server.access_key,
        "S3_SECRET_ACCESS_KEY": s3_server.secret_key,
        "S3_BUCKET": settings.S3_BUCKET,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_QUEUE_PREFIX": queue_prefix,
    }
    log_path = tmp_path / "beat.log"
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "beat",
                "--loglevel",
                "INFO",
                "--schedule",
                str(tmp_path / "celerybeat-schedule"),
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    deadline = time.monotonic() + 60
    while "beat: Starting" not in log_path.read_text(errors="replace"):
        if proc.poll() is not None or time.monotonic() > deadline:
            pytest.fail("celery beat did not start:\n" + log_path.read_text()[-3000:])
        time.sleep(0.2)
    yield proc
    proc.terminate()
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture
def clips(tmp_path):
    """One small generated vlog per entrant (4-6 s, 320x240)."""
    return [
        generate_clip(tmp_path / f"vlog-{i}.mp4", seconds=4 + i % 3, width=320, height=240)
        for i in range(len(ENTRANTS))
    ]


# --- Helpers: what a person does over and over ------------------------------------------------


def local_input(moment) -> str:
    """A moment as a datetime-local input takes it, in Dutch time."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def new_page(browser):
    context = browser.new_context(locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(30_000)
    return page


def screenshot(page, name: str) -> None:
    """A full-page picture for docs/organisers.md, under VAR_DIR/screenshots (not in git)."""
    folder = Path(settings.VAR_DIR) / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=folder / f"{name}.png", full_page=True)


# The innermost elements that reach past the right edge (tag, class, text), to name the culprit.
WIDER_THAN_THE_SCREEN = """(() => {
  const edge = document.documentElement.clientWidth;
  const past = (e) => e.getBoundingClientRect().right + window.scrollX > edge + 0.5
    || e.scrollWidth > e.clientWidth + 0.5 && getComputedStyle(e).overflowX === "visible";
  const name = (e) => `${e.tagName.toLowerCase()}.${e.className} ${e.textContent.slice(0, 60)}`;
  return [...document.querySelectorAll("body *")].filter(past)
    .filter((e) => ![...e.children].some(past)).slice(0, 5).map(name);
})()"""


def fits_a_phone(page, name: str) -> None:
    """The page at a phone's width (390 px) scrolls only up and down; its picture is kept."""
    size = page.viewport_size
    page.set_viewport_size({"width": 390, "height": 844})
    try:
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        wide = page.evaluate(WIDER_THAN_THE_SCREEN) if overflow > 0 else []
        assert overflow <= 0, f"{page.url} is {overflow} px too wide for a phone: {wide}"
        screenshot(page, f"{name}-telefoon")
    finally:
        page.set_viewport_size(size)


def mails_to(email: str, *, containing: str = "") -> list:
    return [m for m in mail.outbox if email in m.to and containing in m.body + m.subject]


def link_in(message, pattern: str) -> str:
    return re.search(pattern, message.body).group(0)


def form_with_button(page, name: str):
    """The form that holds the button of that name (pages hold several forms)."""
    return page.locator("form").filter(has=page.get_by_role("button", name=name, exact=True))


def expect_message(page, text: str) -> None:
    page.get_by_text(text, exact=False).first.wait_for()


def click(page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()
    page.wait_for_load_state()


# --- The steps ---------------------------------------------------------------------------------


def organiser_signs_in_and_sets_up_two_steps(page, base: str) -> None:
    """Step 1a. The organiser signs in with the password; the organisation pages first ask for
    an authenticator app: the page shows the key, the app the six digits."""
    page.goto(f"{base}/organisatie/")
    page.wait_for_url(re.compile(r"/aanmelden/"))  # the sign-in by e-mail link, by default
    page.get_by_role("link", name=_("Sign in with your password")).click()
    page.get_by_label(_("E-mail address")).fill(ORGANISER)
    page.get_by_label(_("Password")).fill(PASSWORD)
    click(page, _("Sign in"))  # back to /organisatie/, which asks for the second step first
    page.wait_for_url(re.compile(r"/tweestaps/instellen/\?next=%2Forganisatie%2F"))
    key = page.locator("code.secret").inner_text()
    code = TOTP(base64.b32decode(key.replace(" ", ""))).token()
    page.get_by_label(_("Code"), exact=False).fill(f"{code:06d}")
    click(page, _("Confirm"))
    page.get_by_role("link", name=_("I have saved them: continue")).click()
    page.wait_for_url(f"{base}/organisatie/")


def organiser_creates_the_edition(page, base: str, closes_at) -> None:
    """Step 1b. "New edition": name, short name, year and the entry window; then the two
    categories on the edition's page."""
    page.goto(f"{base}/organisatie/")
    page.get_by_role("link", name=_("New edition")).click()
    page.get_by_label(_("Name"), exact=True).fill(EDITION)
    page.get_by_label(_("Short name in addresses")).fill(SLUG)
    page.get_by_label(_("Year")).fill("2027")
    page.get_by_label(_("Entries open")).fill(local_input(timezone.now() - timedelta(hours=1)))
    page.get_by_label(_("Entries close")).fill(local_input(closes_at))
    # A short grace period: the cut upload resumes at once, and the winners can be chosen
    # only after it (the results page says from when).
    page.get_by_label(_("Grace period for uploads (minutes)")).fill(str(GRACE_MINUTES))
    page.get_by_label(_("Consent: privacy statement")).fill(PRIVACY)
    page.get_by_label(_("Confidentiality terms of the jury")).fill(JURY_TERMS)
    click(page, _("Make the edition"))
    page.wait_for_url(f"{base}/organisatie/edities/{SLUG}/")
    for position, name in enumerate(["Lokaal", "Landelijk"]):
        form = form_with_button(page, _("Add category"))
        form.get_by_label(_("Name"), exact=True).fill(name)
        form.get_by_label(_("Short name in addresses")).fill(name.lower())
        form.get_by_label(_("Order")).fill(str(position))
        form.get_by_role("button", name=_("Add category")).click()
        expect_message(page, _("The category is added."))


def entrant_signs_up(page, base: str, email: str) -> None:
    """Step 2a. An entrant asks for a sign-in link and opens it from the mail."""
    page.goto(f"{base}/aanmelden/")
    page.get_by_label(_("E-mail address")).fill(email)
    page.get_by_role("button", name="Stuur mij een link").click()
    page.get_by_role("heading", name="Kijk in je mail").wait_for()
    message = wait_for(lambda: mails_to(email), message=f"no sign-in mail to {email}")[-1]
    page.goto(base + link_in(message, r"/inloggen/link/\S+/"))
    page.get_by_role("button", name="Nu inloggen").click()
    page.wait_for_url(f"{base}/")


def entrant_enters(page, base: str, clip: Path, entrant) -> None:
    """Step 2b. The initiative, then the entry: category, texts, consents (also the public
    gallery, so a winner can be shown), the vlog up to S3; the worker processes it; submit."""
    entrant_writes(page, base, entrant)
    page.get_by_label("Kies je vlog").set_input_files(str(clip))
    entrant_submits_when_the_vlog_plays(page)


def entrant_submits_when_the_vlog_plays(page) -> None:
    page.locator("video#vlog-player").wait_for(state="visible", timeout=120_000)
    page.get_by_role("button", name="Inzending insturen").click()
    page.get_by_text("Je inzending is ingestuurd.", exact=False).wait_for()


def entrant_writes(page, base: str, entrant) -> None:
    """The initiative and the entry's texts and consents, saved as a draft."""
    _email, initiative, municipality, category, title = entrant
    page.goto(f"{base}/inzendingen/")
    page.get_by_role("button", name="Doe mee").click()
    page.get_by_label(_("Name of the initiative")).fill(initiative)
    page.get_by_label(_("Municipality")).select_option(municipality)
    page.get_by_label(_("Contact person")).fill(f"Contact van {initiative}")
    page.get_by_role("button", name="Opslaan").click()  # and on to the entry at once
    page.get_by_role("heading", name=f"Je inzending: {EDITION}").wait_for()
    page.get_by_label(category, exact=True).check()
    page.get_by_label(_("Title of your vlog")).fill(title)
    page.get_by_label(_("Short description")).fill(f"{initiative} in vier seconden.")
    page.get_by_label(_("Answer to the question")).fill("We doen het samen met de buurt.")
    for text in (
        PRIVACY,
        str(DEFAULT_TEXTS[ConsentKind.PEOPLE]),
        str(DEFAULT_TEXTS[ConsentKind.PUBLICATION]),
    ):
        page.get_by_label(str(text), exact=True).check()
    page.get_by_role("status").filter(has_text="Opgeslagen om").wait_for()


def entrant_uploads_across_the_deadline(page, clip: Path, close_the_window) -> None:
    """Step 2c. The last entrant's upload is under way when the deadline passes (the line
    drops in the middle of it); it finishes in the grace period, and the entry is submitted."""
    line = page.context.new_cdp_session(page)
    line.send("Network.enable")
    slow = {
        "offline": False,
        "latency": 20,
        "downloadThroughput": 1_000_000,
        "uploadThroughput": 10_000,
    }
    line.send("Network.emulateNetworkConditions", slow)
    page.get_by_label("Kies je vlog").set_input_files(str(clip))
    wait_for(
        lambda: page.evaluate("document.querySelector('#uploader progress').value") > 0,
        timeout=30,
        interval=0.1,
        message="the last upload did not start",
    )
    line.send("Network.emulateNetworkConditions", {**slow, "offline": True})
    close_the_window()
    line.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    page.get_by_text("je vlog-upload begon op tijd", exact=False).wait_for(timeout=120_000)
    entrant_submits_when_the_vlog_plays(page)


def organiser_closes_the_entry_window(page, base: str) -> None:
    """The organiser closes the window on the edition's form, at the next whole minute (the
    form takes minutes), and waits until it has passed."""
    closes_at = (timezone.now() + timedelta(seconds=60)).replace(second=0, microsecond=0)
    page.goto(f"{base}/organisatie/edities/{SLUG}/")
    page.get_by_label(_("Entries close")).fill(local_input(closes_at))
    click(page, _("Save the edition"))
    expect_message(page, _("The edition is saved."))
    wait_for(lambda: timezone.now() > closes_at + timedelta(seconds=1), timeout=70, interval=1)
    page.goto(f"{base}/organisatie/")
    page.get_by_text(_("closed for entries")).wait_for()


def organiser_approves_for_the_gallery(page, base: str, titles) -> None:
    """Step 2d. New editions show an entry publicly only once an organiser approved it: the
    organisers' home says how many wait; each entry's page has "Approve for the gallery"."""
    page.goto(f"{base}/organisatie/")
    waiting = ngettext(
        "%(n)s entry waits for approval for the gallery.",
        "%(n)s entries wait for approval for the gallery.",
        len(titles),
    )
    page.get_by_role("link", name=waiting % {"n": len(titles)}).click()
    entry_list = page.url
    for title in titles:
        page.goto(entry_list)
        page.get_by_role("link", name=title, exact=True).click()
        click(page, _("Approve for the gallery"))
        expect_message(page, _("The entry is approved for the gallery."))


def organiser_makes_a_round(page, base: str, *, name: str, kind: str, source: str = "") -> int:
    """Step 3a / 5b. "New round" on the edition's page: kind, scoring window, two jury members
    per entry, conflicts by municipality, the mean as the official order, no watch minimum."""
    page.goto(f"{base}/organisatie/edities/{SLUG}/")
    page.get_by_role("link", name=_("New round")).click()
    page.get_by_label(_("Name"), exact=True).fill(name)
    page.get_by_label(_("Kind"), exact=True).select_option(label=kind)
    if source:
        page.get_by_label(_("Judges the shortlist of (optional)")).select_option(label=source)
    page.get_by_label(_("Scoring opens")).fill(local_input(timezone.now()))
    page.get_by_label(_("Deadline for the jury")).fill(
        local_input(timezone.now() + timedelta(days=7))
    )
    page.get_by_label(_("Jury members per entry")).fill("2")
    page.get_by_label(_("Share of the vlog to watch before submitting (0 to 1, optional)")).fill("")
    page.get_by_label(_("Conflicts of interest by place")).select_option(
        label=_("Not from the same municipality")
    )
    page.get_by_label(_("Official ranking method")).select_option(label=_("Mean"))
    click(page, _("Make the round"))
    expect_message(page, _("The round is made. Set up its scoring form next."))
    return int(re.search(r"/jury/rondes/(\d+)/beoordelingsformulier/", page.url).group(1))


def organiser_adds_criterion(page, name_nl: str, name_en: str, weight: str) -> None:
    """Step 3b. One criterion on the scoring form (scale 1 to 10 as given)."""
    form = form_with_button(page, _("Add criterion"))
    form.get_by_label(_("Name (Dutch)")).fill(name_nl)
    form.get_by_label(_("Name (English)")).fill(name_en)
    form.get_by_label(_("Weight")).fill(weight)
    form.get_by_role("button", name=_("Add criterion")).click()
    expect_message(page, _("The criterion is added."))


def organiser_invites(page, base: str, round_pk: int, email: str) -> None:
    """Step 3c. Invite a jury member by e-mail address on the round's page."""
    page.goto(f"{base}/jury/rondes/{round_pk}/")
    form = form_with_button(page, _("Invite"))
    form.get_by_label(_("E-mail address")).fill(email)
    form.get_by_role("button", name=_("Invite")).click()
    page.wait_for_load_state()


def juror_accepts(page, base: str, email: str, nth: int) -> None:
    """Step 3d. The jury member opens the (nth) invitation from the mail and accepts the
    confidentiality terms."""
    invitations = wait_for(
        lambda: (
            len(mails_to(email, containing="/jury/uitnodiging/")) >= nth
            and mails_to(email, containing="/jury/uitnodiging/")
        ),
        message=f"no invitation {nth} to {email}",
    )
    page.goto(base + link_in(invitations[nth - 1], r"/jury/uitnodiging/\S+/"))
    page.get_by_label(JURY_TERMS, exact=True).check()
    click(page, _("Accept and start"))
    page.wait_for_url(f"{base}/jury/")


def juror_records_a_municipality(page, base: str, municipality: str) -> None:
    """Step 3e. On "Your ties" a jury member records where they live or work."""
    page.goto(f"{base}/jury/banden/")
    page.get_by_label(_("Kind of tie")).select_option(label=_("Lives or works in municipality"))
    page.get_by_label(_("Name (municipality, province or organisation)")).fill(municipality)
    click(page, _("Add"))
    page.locator("li strong", has_text=municipality).wait_for()


def organiser_prepares_and_opens(page, base: str, round_pk: int) -> str:
    """Step 3f. Find conflicts from the recorded ties, make the assignment proposal, save it,
    and open the round (the page lists what is missing until it may open). Returns the list
    of what was missing before the assignment was saved."""
    page.goto(f"{base}/jury/rondes/{round_pk}/")
    click(page, _("Find conflicts from the recorded ties"))
    click(page, _("Make an assignment proposal"))
    page.get_by_role("heading", name=_("Assignment proposal")).wait_for()
    click(page, _("Save this assignment"))
    expect_message(page, _("The assignment is saved (%(n)s changes).").split("(")[0].strip())
    problems = page.locator("#opening-problems")
    if problems.count():
        pytest.fail(f"the round cannot open: {problems.inner_text()}")
    page.get_by_label(_("I have checked the rubric, the panel and the assignment")).check()
    click(page, _("Open the round"))
    page.get_by_label(_("Yes, close the round")).wait_for()
    return page.content()


def juror_scores_everything(page, base: str, round_name: str, scores: dict[str, int]) -> int:
    """Step 4. The jury member scores every assigned entry by keyboard: Tab to the score
    fields, type, Tab on, Enter on "Submit and next". Returns how many were scored."""
    page.goto(f"{base}/jury/")
    section = page.locator("section").filter(
        has=page.get_by_role("heading", name=f"{EDITION}: {round_name}")
    )
    links = section.locator(".assignment-list a")
    if not links.count():
        return 0
    links.first.click()
    done = 0
    while "/jury/beoordelen/" in page.url:
        title = page.locator("h1").inner_text()
        score = str(scores[title])
        page.get_by_label(_("Score (%(low)s to %(high)s)") % {"low": 1, "high": 10}).first.focus()
        page.keyboard.type(score)
        page.keyboard.press("Tab")  # the comment
        page.keyboard.press("Tab")  # the second score
        page.keyboard.type(score)
        page.get_by_role("button", name=_("Submit and next")).focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
        done += 1
        assert done <= len(scores), "the scoring page keeps coming back"
    page.wait_for_url(f"{base}/jury/")
    return done


def organiser_closes(page, base: str, round_pk: int) -> None:
    """Step 5a. Close the round: scoring ends, the results certificate is made."""
    page.goto(f"{base}/jury/rondes/{round_pk}/")
    page.get_by_label(_("Yes, close the round")).check()
    click(page, _("Close the round and make the results certificate"))
    page.get_by_label(_("Yes, reopen the round")).wait_for()


def organiser_reopens(page, base: str, round_pk: int, reason: str) -> None:
    """Step 5b. A closed round opens again with a written reason (kept in the audit log); it
    makes a new results certificate when it closes."""
    page.goto(f"{base}/jury/rondes/{round_pk}/")
    page.get_by_label(_("Why does the round open again?")).fill(reason)
    page.get_by_label(_("Yes, reopen the round")).check()
    click(page, _("Reopen the round"))
    page.get_by_label(_("Yes, close the round")).wait_for()


def organiser_checks_before_inviting(page, base: str, round_pk: int, email: str) -> str:
    """The round page checks an address against the round's entries before the invitation
    (from the ties that person recorded): returns what it found."""
    page.goto(f"{base}/jury/rondes/{round_pk}/")
    check = page.locator("form").filter(
        has=page.get_by_role("heading", name=_("Check for conflicts before inviting"))
    )
    check.get_by_label(_("E-mail address")).fill(email)
    check.get_by_role("button", name=_("Check"), exact=True).click()
    page.wait_for_load_state()
    return page.locator("[role=status] li").first.inner_text()


def ranking(page, base: str, round_pk: int) -> list[tuple[int, str]]:
    """The ranking page: (rank, title) of every entry in the official order; one table per
    category when the round judges more than one, so sorted by the overall rank."""
    page.goto(f"{base}/jury/rondes/{round_pk}/rangschikking/")
    tables = page.locator("table").filter(
        has=page.locator("caption", has_text=_("entries in the official order"))
    )
    tables.first.locator("tbody tr").first.wait_for()
    found = []
    for table in tables.all():
        headers = table.locator("thead th").all_inner_texts()
        rank, title = headers.index(_("Rank")), headers.index(_("Entry"))
        for row in table.locator("tbody tr").all():
            cells = row.locator("td").all_inner_texts()
            found.append((int(cells[rank].split()[0]), cells[title].strip()))
    return sorted(found)


# --- The season ----------------------------------------------------------------------------


def test_a_whole_prize_season(browser, live_server, celery_worker, celery_beat, clips):
    started = time.monotonic()
    walk_started = timezone.now()
    base = live_server.url
    User.objects.create_user(
        ORGANISER, password=PASSWORD, role=Role.ORGANISER, is_staff=True, is_superuser=True
    )  # the one direct write
    organiser = new_page(browser)
    entrants = [new_page(browser) for _e in ENTRANTS]
    jurors = {email: new_page(browser) for email in JURORS}
    try:
        # 1. The organiser, two-step sign-in, the edition with its two categories.
        organiser_signs_in_and_sets_up_two_steps(organiser, base)
        organiser_creates_the_edition(organiser, base, timezone.now() + timedelta(minutes=10))
        edition = Edition.objects.get()
        assert (edition.slug, sorted(edition.categories.values_list("name", flat=True))) == (
            SLUG,
            ["Landelijk", "Lokaal"],
        )
        assert organiser_user().totpdevice_set.get().confirmed
        screenshot(organiser, "1-editie")

        # 2. Four entrants sign up, enter, upload, and submit; the last one's upload is still
        # under way at the deadline and finishes in the grace period.
        for page, entrant, clip in zip(entrants[:3], ENTRANTS[:3], clips[:3], strict=True):
            entrant_signs_up(page, base, entrant[0])
            entrant_enters(page, base, clip, entrant)
        entrant_signs_up(entrants[3], base, ENTRANTS[3][0])
        entrant_writes(entrants[3], base, ENTRANTS[3])
        entrant_uploads_across_the_deadline(
            entrants[3], clips[3], lambda: organiser_closes_the_entry_window(organiser, base)
        )
        assert sorted(Entry.objects.values_list("state", "vlog__state", "title")) == sorted(
            (EntryState.SUBMITTED, "ready", e[4]) for e in ENTRANTS
        )
        assert sorted(Entry.objects.values_list("number", flat=True)) == [1, 2, 3, 4]
        receipts = [m for m in mail.outbox if m.subject.startswith("Ontvangst")]
        assert sorted(m.to[0] for m in receipts) == sorted(e[0] for e in ENTRANTS)
        deadline = Edition.objects.get().entries_close_at
        last = Entry.objects.select_related("vlog").get(title=ENTRANTS[3][4])
        assert last.vlog.created_at < deadline < last.vlog.processed_at < last.submitted_at
        organiser_approves_for_the_gallery(organiser, base, [e[4] for e in ENTRANTS])
        assert all(e.gallery_approved_at for e in Entry.objects.all())

        # 3. The selection round: rubric, jury, ties, conflicts, assignment, open.
        selection = organiser_makes_a_round(
            organiser, base, name="Voorronde", kind=_("Selection round")
        )
        organiser_adds_criterion(organiser, "Verbindt", "Connects", "1")
        organiser_adds_criterion(organiser, "Verrast", "Surprises", "2")
        organiser.goto(f"{base}/jury/rondes/{selection}/")
        missing = organiser.locator("#opening-problems li").all_inner_texts()
        assert missing == [
            ngettext(
                "%(active)s jury member has accepted; the round needs %(k)s.",
                "%(active)s jury members have accepted; the round needs %(k)s.",
                0,
            )
            % {"active": 0, "k": 2},
            ngettext(
                "%(n)s entry has fewer than %(k)s jury members assigned: make an assignment "
                "proposal and commit it.",
                "%(n)s entries have fewer than %(k)s jury members assigned: make an "
                "assignment proposal and commit it.",
                4,
            )
            % {"n": 4, "k": 2},
        ], missing
        screenshot(organiser, "3-ronde-in-voorbereiding")
        for email in JURORS:
            organiser_invites(organiser, base, selection, email)
        for email, page in jurors.items():
            juror_accepts(page, base, email, 1)
        juror_records_a_municipality(jurors[JURORS[0]], base, ENTRANTS[0][2])
        organiser_prepares_and_opens(organiser, base, selection)
        round_ = Round.objects.get(pk=selection)
        assert round_.state == RoundState.OPEN
        assert [m.active for m in JuryMember.objects.filter(round=round_)] == [True] * 3
        conflict = Conflict.objects.get(round=round_)
        assert (conflict.user.email, conflict.entry.title) == (JURORS[0], ENTRANTS[0][4])
        assigned = Assignment.objects.filter(round=round_)
        assert assigned.count() == 8
        assert not assigned.filter(user__email=JURORS[0], entry__title=ENTRANTS[0][4]).exists()

        # 4. Two jury members score; the organiser reminds the third, who then scores too.
        for email in JURORS[:2]:
            assert (
                juror_scores_everything(jurors[email], base, "Voorronde", SELECTION_SCORES)
                == assigned.filter(user__email=email).count()
            )
        before = len(mail.outbox)
        organiser.goto(f"{base}/jury/rondes/{selection}/")
        click(organiser, _("Send a reminder to jury members with open work"))
        reminders = mail.outbox[before:]
        assert [m.to for m in reminders] == [[JURORS[2]]], [(m.to, m.subject) for m in reminders]
        assert (
            juror_scores_everything(jurors[JURORS[2]], base, "Voorronde", SELECTION_SCORES)
            == assigned.filter(user__email=JURORS[2]).count()
        )
        assert Review.objects.filter(assignment__round=round_, state="submitted").count() == 8

        # 5. Close (and, for a late correction, reopen with a reason and close again), rank,
        # shortlist the top two, the final round on that shortlist.
        organiser_closes(organiser, base, selection)
        organiser_reopens(organiser, base, selection, "Een jurylid vult een toelichting aan.")
        assert Round.objects.get(pk=selection).state == RoundState.OPEN
        organiser_closes(organiser, base, selection)
        assert ResultSnapshot.objects.filter(round_id=selection).count() == 2
        reopened = AuditLog.objects.get(action="round_reopened", object_id=str(selection))
        assert reopened.data["reason"] == "Een jurylid vult een toelichting aan."
        assert ranking(organiser, base, selection) == [
            (rank, title) for rank, title in enumerate(SELECTION_SCORES, start=1)
        ]
        screenshot(organiser, "5-rangschikking")
        organiser.goto(f"{base}/jury/rondes/{selection}/")
        organiser.get_by_role("link", name=_("Shortlist"), exact=True).click()
        organiser.get_by_label(_("Put the top of the ranking on the shortlist: how many?")).fill(
            "2"
        )
        click(organiser, _("Choose the top"))
        expect_message(organiser, _("The top %(count)s is on the shortlist.") % {"count": 2})
        assert sorted(
            Shortlisting.objects.filter(round_id=selection).values_list("entry__title", flat=True)
        ) == sorted(FINAL_SCORES)

        final = organiser_makes_a_round(
            organiser, base, name="Finale", kind=_("Final round"), source="Voorronde"
        )
        organiser.get_by_label(_("Or copy the scoring form of an earlier round")).select_option(
            label=f"{EDITION}: Voorronde"
        )
        click(organiser, _("Copy"))
        expect_message(organiser, _("%(n)s criteria copied.") % {"n": 2})
        conflicts = organiser_checks_before_inviting(organiser, base, final, JURORS[0])
        assert conflicts.startswith(f"{ENTRANTS[0][4]}: "), conflicts
        for email in JURORS:
            organiser_invites(organiser, base, final, email)
        for email, page in jurors.items():
            juror_accepts(page, base, email, 2)
        organiser_prepares_and_opens(organiser, base, final)
        final_round = Round.objects.get(pk=final)
        assert final_round.state == RoundState.OPEN
        assert sorted(
            set(Assignment.objects.filter(round=final_round).values_list("entry__title", flat=True))
        ) == sorted(FINAL_SCORES)
        for page in jurors.values():
            juror_scores_everything(page, base, "Finale", FINAL_SCORES)
        assert (
            Review.objects.filter(assignment__round=final_round, state="submitted").count()
            == Assignment.objects.filter(round=final_round).count()
            == 4
        )
        organiser_closes(organiser, base, final)
        assert ranking(organiser, base, final) == [(1, ENTRANTS[0][4]), (2, ENTRANTS[1][4])]

        # The winners, one per category, with the jury's motivation: once the grace period
        # is over (until then the results page says from when).
        grace_ends = Edition.objects.get().grace_ends_at
        organiser.goto(f"{base}/edities/{SLUG}/uitslag/")
        if timezone.now() < grace_ends:
            organiser.get_by_text("Winnaars kies je vanaf", exact=False).first.wait_for()
            wait_for(lambda: timezone.now() > grace_ends, timeout=130, interval=1)
            organiser.reload()
        for title in FINAL_SCORES:
            record_winner(organiser, title)
        assert sorted(Award.objects.values_list("entry__title", flat=True)) == sorted(FINAL_SCORES)
        screenshot(organiser, "6-winnaars-en-bekendmaking")

        # 6. The announcement, planned for the first whole minute at least 20 s ahead (the
        # form takes minutes); the real beat sends publish_due_results every 30 s.
        moment = (timezone.now() + timedelta(seconds=80)).replace(second=0, microsecond=0)
        organiser.get_by_label(_("Publish automatically at (Dutch time)")).fill(local_input(moment))
        click(organiser, _("Plan the publication"))
        expect_message(organiser, _("The results will be published at the chosen moment."))
        edition = Edition.objects.get()
        assert (edition.results_state, edition.results_publish_at) == (
            ResultsState.SCHEDULED,
            moment,
        )

        # Before the moment: the public pages show nothing of the outcome, no mail has gone.
        public = new_page(browser)
        public.goto(f"{base}/edities/{SLUG}/winnaars/")
        before_text = public.inner_text("main")
        assert timezone.now() < moment, "the check before the moment came too late"
        assert _("The winners have not been announced yet.") in before_text
        assert not any(title in before_text for title in SELECTION_SCORES), before_text
        assert public.locator("video").count() == 0
        assert outcome_mails(walk_started) == []

        # After it: the winners with their vlogs and the jury's motivation; the outcome mails.
        wait_for(
            lambda: Edition.objects.get().results_state == ResultsState.PUBLISHED,
            timeout=150,
            interval=1,
            message="beat did not publish the results",
        )
        assert timezone.now() >= moment
        public.goto(f"{base}/edities/{SLUG}/winnaars/")
        for title in FINAL_SCORES:
            article = public.locator("article").filter(has_text=title)
            article.locator("video").wait_for(state="attached")
            assert f"{title}: de jury was diep geraakt." in article.inner_text()
        assert public.locator("article").count() == 2
        screenshot(public, "7-winnaarspagina")
        fits_a_phone(public, "7-winnaarspagina")
        assert "Samen klussen" not in public.inner_text("main")
        outcomes = wait_for(
            lambda: len(found := outcome_mails(walk_started)) >= 4 and found,
            timeout=60,
            message="the outcome e-mails did not arrive",
        )
        subjects = dict(outcomes)
        assert len(outcomes) == 4 and sorted(subjects) == sorted(e[0] for e in ENTRANTS)
        for email, initiative, *_rest in ENTRANTS[:2]:
            assert subjects[email] == f"Gefeliciteerd: {initiative} wint bij de {EDITION}"
        for email, *_rest in ENTRANTS[2:]:
            assert subjects[email] == f"Bedankt voor je deelname aan de {EDITION}"
        assert all(e.outcome_sent_at for e in Entry.objects.all())

        # The edition's workbook (one CSV per sheet here) holds the season: the consents in the
        # edition's own words, every score, the winners with their motivation, the audit log.
        sheets = {
            name: organiser.request.get(f"{base}/organisatie/edities/{SLUG}/alles/{name}.csv")
            .text()
            .strip()
            .splitlines()
            for name in ("toestemmingen", "cijfers", "winnaars", "logboek")
        }
        assert sum(PRIVACY in row for row in sheets["toestemmingen"]) == 4
        assert len(sheets["cijfers"]) - 1 == (8 + 4) * 2  # reviews x criteria, and the header
        assert all(
            any(f"{title}: de jury was diep geraakt." in row for row in sheets["winnaars"])
            for title in FINAL_SCORES
        )
        assert any("state_change" in row and "jury.round" in row for row in sheets["logboek"])
        assert {m.terms_wording.text for m in JuryMember.objects.all()} == {JURY_TERMS}
        organiser.goto(f"{base}/organisatie/")
        screenshot(organiser, "0-organisatie")
        fits_a_phone(organiser, "0-organisatie")
        organiser.goto(f"{base}/jury/rondes/{final}/")
        fits_a_phone(organiser, "4-ronde")
    finally:
        for page in [organiser, *entrants, *jurors.values()]:
            page.context.close()
    print(f"season: {time.monotonic() - started:.0f} s")


def organiser_user():
    return User.objects.get(email=ORGANISER)


def record_winner(page, title: str) -> None:
    """Step 5c. On the results page, in the entry's category: choose it, write the jury's
    motivation, record it as the winner."""
    form = (
        page.locator("form")
        .filter(has=page.locator("option", has_text=title))
        .filter(has=page.get_by_role("button", name=_("Record as winner")))
    )
    value = form.locator("option", has_text=title).get_attribute("value")
    form.get_by_label(_("Entry"), exact=True).select_option(value)
    form.get_by_label(_("The jury's motivation")).fill(f"{title}: de jury was diep geraakt.")
    form.get_by_role("button", name=_("Record as winner")).click()
    page.wait_for_load_state()
    page.get_by_role("heading", name=title).first.wait_for()


def outcome_mails(since) -> list[tuple[str, str]]:
    """The outcome e-mails the worker sent: it runs in its own process and writes mail to
    files (settings.EMAIL_FILE_PATH under VAR_DIR), not to this process's outbox."""
    folder = Path(settings.VAR_DIR) / "mail"
    found = []
    for path in sorted(folder.glob("*.log")) if folder.exists() else []:
        if path.stat().st_mtime < since.timestamp():
            continue
        for text in path.read_text(errors="replace").split("\n" + "-" * 79 + "\n"):
            if not text.strip():
                continue
            message = message_from_string(text, policy=email_policy)
            if EDITION in str(message["Subject"] or ""):
                found.append((str(message["To"]), str(message["Subject"])))
    return found
