import pytest
from django.core.management import CommandError, call_command

from media_pipeline.enums import AssetState
from media_pipeline.models import MediaAsset
from media_pipeline.profile import PROCESSING_VERSION
from tests.factories import OrganiserFactory, UserFactory


def _asset(state: str, **fields) -> MediaAsset:
    return MediaAsset.objects.create(
        owner=UserFactory(),
        original_key=f"originals/{state}-{MediaAsset.objects.count()}",
        state=state,
        **fields,
    )


@pytest.mark.django_db
def test_media_reprocess_queues_failed_and_outdated_assets(capsys):
    failed = _asset(AssetState.FAILED, attempts=3, error_code="timeout")
    outdated = _asset(AssetState.READY, processing_version=PROCESSING_VERSION - 1)
    current = _asset(AssetState.READY, processing_version=PROCESSING_VERSION)
    rejected = _asset(AssetState.REJECTED)

    call_command("media_reprocess", "--failed", "--outdated")

    states = dict(MediaAsset.objects.values_list("pk", "state"))
    assert states == {
        failed.pk: "uploaded",
        outdated.pk: "uploaded",
        current.pk: "ready",
        rejected.pk: "rejected",
    }
    assert MediaAsset.objects.get(pk=failed.pk).attempts == 0
    assert capsys.readouterr().out == "2 asset(s) queued for processing.\n"


@pytest.mark.django_db
def test_media_reprocess_skips_assets_it_may_not_touch(capsys):
    rejected = _asset(AssetState.REJECTED)

    call_command("media_reprocess", str(rejected.pk))

    assert MediaAsset.objects.get(pk=rejected.pk).state == AssetState.REJECTED
    captured = capsys.readouterr()
    assert captured.err == f"asset {rejected.pk}: not ready or failed, skipped\n"
    assert captured.out == "0 asset(s) queued for processing.\n"


@pytest.mark.django_db
def test_media_reprocess_needs_a_selection():
    with pytest.raises(CommandError) as caught:
        call_command("media_reprocess")
    assert str(caught.value) == "Give asset ids, --failed or --outdated."


@pytest.mark.django_db
def test_admin_retry_action_queues_failed_and_explains_skips(client):
    failed = _asset(AssetState.FAILED)
    waiting = _asset(AssetState.AWAITING_UPLOAD)
    client.force_login(OrganiserFactory())

    response = client.post(
        "/beheer/media_pipeline/mediaasset/",
        {"action": "reprocess", "_selected_action": [failed.pk, waiting.pk]},
        follow=True,
    )

    states = dict(MediaAsset.objects.values_list("pk", "state"))
    assert states == {failed.pk: "uploaded", waiting.pk: "awaiting_upload"}
    shown = [str(m) for m in response.context["messages"]]
    assert shown == [
        "1 bestand staat in de wachtrij.",
        "1 bestand overgeslagen: alleen mislukte of klaarstaande bestanden kunnen opnieuw.",
    ]
