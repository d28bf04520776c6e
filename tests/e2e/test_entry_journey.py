"""The entrant's whole journey in Debian's Chromium: sign up through the magic link, fill in the
initiative and the entry, upload a 20 MB vlog straight to the real S3 server, watch it get
processed by a real worker and play, submit, get the receipt. Also: a network cut in the
middle of the upload, and a phone-sized screen."""

import hashlib
import re

import pytest
from django.core import mail

from media_pipeline import storage
from media_pipeline.clips import generate_clip
from media_pipeline.models import MediaAsset
from media_pipeline.uploads import MiB
from prijzen.enums import EntryState
from prijzen.models import Entry
from tests.conftest import wait_for
from tests.factories import CategoryFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.worker,
    pytest.mark.storage,
    pytest.mark.media,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(scope="module")
def vlog_20mb(tmp_path_factory):
    path = tmp_path_factory.mktemp("vlog") / "onze-vlog.mp4"
    generate_clip(
        path,
        seconds=12,
        width=1280,
        height=720,
        extra_output_args=("-b:v", "22M", "-minrate", "22M", "-maxrate", "22M", "-bufsize", "4M"),
    )
    assert path.stat().st_size >= 20 * MiB
    return path


@pytest.fixture
def edition():
    category = CategoryFactory(name="Lokaal", slug="lokaal")
    CategoryFactory(edition=category.edition, name="Landelijk", slug="landelijk", position=1)
    return category.edition


def _sign_up(page, base: str, email: str) -> None:
    page.goto(f"{base}/aanmelden/")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_role("button", name="Stuur mij een link").click()
    page.get_by_role("heading", name="Kijk in je mail").wait_for()
    link = wait_for(lambda: [m for m in mail.outbox if email in m.to], message="no link mail")[-1]
    path = re.search(r"/inloggen/link/\S+/", link.body).group(0)
    page.goto(base + path)
    page.get_by_role("button", name="Nu inloggen").click()
    page.wait_for_url(f"{base}/")


def _fill_initiative_and_start(page, base: str, edition) -> None:
    page.goto(f"{base}/inzendingen/")
    page.get_by_role("button", name="Doe mee").click()
    page.get_by_label("Naam van het initiatief").fill("Buurtkamer De Linde")
    page.get_by_label("Gemeente").select_option("Zwijndrecht")
    page.get_by_label("Contactpersoon").fill("Ingrid de Vries")
    page.get_by_role("button", name="Opslaan").click()  # and on to the entry at once
    page.get_by_role("heading", name=f"Je inzending: {edition.name}").wait_for()


def _fill_entry(page) -> None:
    page.get_by_label("Landelijk").check()
    page.get_by_label("Titel van je vlog").fill("Koffie en een warm welkom")
    page.get_by_label("Korte beschrijving").fill("Nieuwe vrijwilligers krijgen een maatje.")
    page.get_by_label("Antwoord op de vraag").fill(
        "We drinken eerst koffie en stellen iedereen voor."
    )
    page.get_by_label("Ik heb de privacyverklaring gelezen", exact=False).check()
    page.get_by_label("Iedereen die in de vlog te zien", exact=False).check()
    page.get_by_role("status").filter(has_text="Opgeslagen om").wait_for()


def _record_progress(page) -> None:
    """Note every value the progress bar shows (kept in sessionStorage: the page reloads when
    the vlog is ready)."""
    page.evaluate(
        """() => {
        const bar = document.querySelector('#uploader progress');
        new MutationObserver(() => {
            const seen = JSON.parse(sessionStorage.getItem('progressSeen') || '[]');
            if (seen[seen.length - 1] !== bar.value) seen.push(bar.value);
            sessionStorage.setItem('progressSeen', JSON.stringify(seen));
        }).observe(bar, {attributes: true, childList: true, subtree: true});
        }"""
    )


def _progress_seen(page) -> list[float]:
    return page.evaluate("JSON.parse(sessionStorage.getItem('progressSeen') || '[]')")


def test_new_entrant_enters_uploads_watches_and_submits(
    browser, live_server, celery_worker, edition, vlog_20mb
):
    context = browser.new_context(locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        _sign_up(page, live_server.url, "ingrid@delinde.nl")
        _fill_initiative_and_start(page, live_server.url, edition)
        _fill_entry(page)
        _record_progress(page)

        page.get_by_label("Kies je vlog").set_input_files(str(vlog_20mb))

        player = page.locator("video#vlog-player")
        player.wait_for(state="visible", timeout=120_000)  # processed by the worker; page reloads
        seen = _progress_seen(page)
        entry = Entry.objects.get()
        assert entry.vlog is not None and entry.vlog.state == "ready"
        page.evaluate("document.querySelector('#vlog-player').muted = true")
        page.evaluate("document.querySelector('#vlog-player').play()")
        wait_for(
            lambda: page.evaluate("document.querySelector('#vlog-player').currentTime") > 1,
            timeout=20,
            message="the preview did not play",
        )

        page.get_by_role("button", name="Inzending insturen").click()
        page.get_by_text("Je inzending is ingestuurd. Het nummer is 1.").wait_for()
    finally:
        context.close()

    entry.refresh_from_db()
    assert (entry.state, entry.number, entry.title) == (
        EntryState.SUBMITTED,
        1,
        "Koffie en een warm welkom",
    )
    assert entry.category.slug == "landelijk"
    upload_part = seen[: seen.index(100) + 1]  # then the processing percentage follows
    assert len(upload_part) >= 3 and upload_part == sorted(upload_part)
    receipt = wait_for(lambda: [m for m in mail.outbox if m.subject.startswith("Ontvangst")])
    assert receipt[0].to == ["ingrid@delinde.nl"]
    assert receipt[0].attachments[0][0] == "poster.jpg"


def test_upload_survives_a_network_cut_and_arrives_byte_identical(
    browser, live_server, celery_worker, edition, vlog_20mb, django_user_model
):
    context = browser.new_context(locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(30_000)
    cdp = context.new_cdp_session(page)
    # A slow line (about 4 MB/s up) so that the cut lands in the middle of the upload; set
    # from the start, so that it is surely in force when the upload begins.
    line = {"latency": 20, "downloadThroughput": 8 * MiB, "uploadThroughput": 4 * MiB}
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {"offline": False, **line})
    try:
        _sign_up(page, live_server.url, "ivo@voedselbank.nl")
        _fill_initiative_and_start(page, live_server.url, edition)
        _record_progress(page)

        page.get_by_label("Kies je vlog").set_input_files(str(vlog_20mb))
        try:
            wait_for(
                lambda: (
                    20 <= page.evaluate("document.querySelector('#uploader progress').value") < 80
                ),
                timeout=30,
                interval=0.1,
            )
        except pytest.fail.Exception:
            pytest.fail(f"the upload did not pass 20-80 %; progress seen: {_progress_seen(page)}")
        cdp.send("Network.emulateNetworkConditions", {"offline": True, **line})  # the cut
        page.get_by_text("Geen verbinding", exact=False).wait_for()
        page.wait_for_timeout(2000)
        cdp.send("Network.emulateNetworkConditions", {"offline": False, **line})

        page.locator("video#vlog-player").wait_for(state="visible", timeout=120_000)
        seen = _progress_seen(page)
    finally:
        context.close()

    entry = Entry.objects.get()
    assert entry.vlog.state == "ready"
    stored = (
        storage.s3_client()
        .get_object(Bucket=storage.bucket_name(), Key=entry.vlog.original_key)["Body"]
        .read()
    )
    assert hashlib.sha256(stored).hexdigest() == hashlib.sha256(vlog_20mb.read_bytes()).hexdigest()
    assert 100 in seen and len(set(seen)) >= 3


def test_phone_sized_entry_journey(browser, live_server, celery_worker, edition, tmp_path):
    clip = generate_clip(tmp_path / "telefoon.mp4", seconds=3, width=360, height=640)
    context = browser.new_context(
        viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True, locale="nl-NL"
    )
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        _sign_up(page, live_server.url, "mobiel@voorbeeld.nl")
        _fill_initiative_and_start(page, live_server.url, edition)
        widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1]  # no sideways scrolling on a phone
        _fill_entry(page)
        page.get_by_label("Kies je vlog").set_input_files(str(clip))
        page.locator("video#vlog-player").wait_for(state="visible", timeout=120_000)
        page.get_by_role("button", name="Inzending insturen").click()
        page.get_by_text("Je inzending is ingestuurd.", exact=False).wait_for()
        widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1]
    finally:
        context.close()
    assert Entry.objects.get().state == EntryState.SUBMITTED


def test_upload_resumes_after_a_page_reload(
    browser, live_server, celery_worker, edition, vlog_20mb
):
    context = browser.new_context(locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(30_000)
    cdp = context.new_cdp_session(page)
    try:
        _sign_up(page, live_server.url, "herladen@voorbeeld.nl")
        _fill_initiative_and_start(page, live_server.url, edition)
        cdp.send("Network.enable")
        cdp.send(
            "Network.emulateNetworkConditions",
            {
                "offline": False,
                "latency": 20,
                "downloadThroughput": 8 * MiB,
                "uploadThroughput": 4 * MiB,
            },
        )
        page.get_by_label("Kies je vlog").set_input_files(str(vlog_20mb))
        wait_for(
            lambda: page.evaluate("document.querySelector('#uploader progress').value") >= 10,
            timeout=30,
            interval=0.1,
            message="the upload did not start",
        )

        page.reload()
        page.get_by_text("Er staat een onderbroken upload klaar (onze-vlog.mp4)").wait_for()
        page.get_by_label("Kies je vlog").set_input_files(str(vlog_20mb))  # resumes, no restart
        page.locator("video#vlog-player").wait_for(state="visible", timeout=120_000)
    finally:
        context.close()

    entry = Entry.objects.get()
    # The same upload went on: a restart would have made a second asset.
    assert MediaAsset.objects.filter(owner=entry.initiative.owner).count() == 1
    stored = (
        storage.s3_client()
        .get_object(Bucket=storage.bucket_name(), Key=entry.vlog.original_key)["Body"]
        .read()
    )
    assert stored == vlog_20mb.read_bytes()
