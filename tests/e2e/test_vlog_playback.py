"""A person in a real browser: signs in, opens an entry whose vlog a real worker processed,
and the preview plays. Also at phone size, and by keyboard."""

import pytest
from django.conf import settings

from media_pipeline.clips import generate_clip
from media_pipeline.models import MediaAsset
from media_pipeline.services import create_asset_from_file
from tests.conftest import wait_for
from tests.factories import PASSWORD, EntryFactory, InitiativeFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.worker,
    pytest.mark.storage,
    pytest.mark.media,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def entry_with_vlog(celery_worker, tmp_path):
    owner = UserFactory(email="inzender@example.org")
    clip = generate_clip(tmp_path / "vlog.mp4", seconds=4, width=640, height=360)
    asset = create_asset_from_file(owner=owner, path=clip, filename="vlog.mp4")
    entry = EntryFactory(
        initiative=InitiativeFactory(owner=owner), title="Koffie en een warm welkom"
    )
    entry.vlog = asset
    entry.save()
    return entry


def _sign_in(page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/inloggen/")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(f"{base_url}/")


def test_entrant_watches_processed_vlog(page, live_server, entry_with_vlog):
    _sign_in(page, live_server.url, "inzender@example.org")
    page.get_by_role("link", name="Mijn inzendingen").click()
    page.get_by_role("link", name="Koffie en een warm welkom").click()

    # The page follows the processing live and shows the player when the vlog is ready.
    video = page.locator("video#vlog-player")
    video.wait_for(state="visible", timeout=90_000)
    assert MediaAsset.objects.get(pk=entry_with_vlog.vlog_id).state == "ready"
    # Poster and video come straight from the private bucket, as presigned URLs.
    prefix = f"{settings.S3_PUBLIC_ENDPOINT_URL}/{settings.S3_BUCKET}/renditions/"
    src = page.evaluate("document.querySelector('#vlog-player source').src")
    assert src.startswith(prefix)
    assert "X-Amz-Signature=" in src
    assert video.get_attribute("poster").startswith(prefix)
    page.evaluate("document.querySelector('#vlog-player').muted = true")
    page.evaluate("document.querySelector('#vlog-player').play()")
    wait_for(
        lambda: page.evaluate("document.querySelector('#vlog-player').currentTime") > 1.0,
        timeout=20,
        message="the video did not play",
    )
    size = page.evaluate(
        "[document.querySelector('#vlog-player').videoWidth,"
        " document.querySelector('#vlog-player').videoHeight]"
    )
    assert size == [640, 360]


def test_phone_sized_entry_page_fits_and_works_by_keyboard(browser, live_server, entry_with_vlog):
    wait_for(
        lambda: MediaAsset.objects.get(pk=entry_with_vlog.vlog_id).is_final,
        timeout=90,
        message="the vlog was not processed",
    )
    context = browser.new_context(
        viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True, locale="nl-NL"
    )
    page = context.new_page()
    try:
        _sign_in(page, live_server.url, "inzender@example.org")
        page.goto(f"{live_server.url}/inzendingen/{entry_with_vlog.pk}/")

        # No horizontal scrolling on a phone.
        widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1]
        box = page.locator("video#vlog-player").bounding_box()
        assert box["width"] <= 375
        # The first Tab reaches the skip link, which moves focus to the main content.
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "Naar de inhoud"
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "main"
    finally:
        context.close()
