"""Poster, thumbnail and storyboard; optional outputs that fail leave a warning, not a failure."""

from decimal import Decimal
from fractions import Fraction

import pytest

from common.errors import DomainError
from common.models import AuditLog
from media_pipeline import ffmpeg, processing, storage
from media_pipeline.clips import generate_clip
from media_pipeline.enums import AssetState, JobKind, JobStatus, RenditionKind
from media_pipeline.models import MediaAsset
from media_pipeline.profile import Storyboard, VideoFacts, storyboard_plan, storyboard_vtt
from media_pipeline.services import choose_poster, transition_asset
from tests.factories import UserFactory

pytestmark = [pytest.mark.storage, pytest.mark.media]


def _facts(seconds, width=640, height=360) -> VideoFacts:
    return VideoFacts(Decimal(seconds), width, height, Fraction(30), "h264", True)


@pytest.mark.parametrize(
    ("seconds", "size", "expected"),
    [
        (7, (640, 360), Storyboard(Decimal(2), 3, 160, 90)),
        (300, (1080, 1920), Storyboard(Decimal(3), 100, 160, 284)),
        (1, (640, 360), Storyboard(Decimal(2), 1, 160, 90)),
    ],
)
def test_storyboard_plan(seconds, size, expected):
    assert storyboard_plan(_facts(seconds, *size)) == expected


def test_storyboard_vtt_points_each_cue_at_its_tile():
    plan = Storyboard(Decimal(2), 12, 160, 90)

    vtt = storyboard_vtt(plan, "https://s3.example/sb.jpg").splitlines()

    assert vtt[:5] == [
        "WEBVTT",
        "",
        "00:00:00.000 --> 00:00:02.000",
        "https://s3.example/sb.jpg#xywh=0,0,160,90",
        "",
    ]
    assert vtt[-2:] == [
        "00:00:22.000 --> 00:00:24.000",
        "https://s3.example/sb.jpg#xywh=160,90,160,90",
    ]


@pytest.mark.django_db
def test_ready_asset_has_thumbnail_and_storyboard(stored_asset, tmp_path):
    clip = generate_clip(tmp_path / "vlog.mp4", seconds=5, width=640, height=360)
    asset = processing.process_asset(asset_id=stored_asset(clip).pk)

    renditions = {r.kind: r for r in asset.renditions.all()}
    assert (asset.state, asset.warnings) == (AssetState.READY, [])
    assert set(renditions) == set(RenditionKind.values)
    board = renditions[RenditionKind.STORYBOARD]
    assert board.meta == {
        "interval": "2",
        "frames": 2,
        "tile_width": 160,
        "tile_height": 90,
        "columns": 10,
    }
    local = tmp_path / "board.jpg"
    storage.download_file(board.key, local)
    image = ffmpeg.probe(local, "image2")["streams"][0]
    assert (image["width"], image["height"]) == (1600, 90)
    assert (board.width, board.height) == (1600, 90)
    thumb = tmp_path / "thumb.jpg"
    storage.download_file(renditions[RenditionKind.THUMBNAIL].key, thumb)
    assert ffmpeg.probe(thumb, "image2")["streams"][0]["width"] == 320


@pytest.mark.django_db
def test_failed_optional_output_leaves_a_warning_not_a_failure(stored_asset, tmp_path):
    clip = generate_clip(tmp_path / "vlog.mp4", seconds=3, width=320, height=240)
    asset = processing._claim(stored_asset(clip).pk)
    transition_asset(asset_id=asset.pk, to=AssetState.PROCESSING)  # as after the probe step
    facts = VideoFacts(Decimal(3), 320, 240, Fraction(25), "h264", True)
    missing_poster = tmp_path / "bestaat-niet.jpg"

    optional = processing._optional_outputs(
        asset, asset.lease_token, tmp_path, clip, missing_poster, facts
    )
    poster = generate_clip(tmp_path / "poster.mp4", seconds=1, width=320, height=240)
    required = [
        processing.Output(RenditionKind.PREVIEW, clip, "video/mp4", 320, 240, Decimal(3)),
        processing.Output(RenditionKind.POSTER, poster, "image/jpeg", 320, 240),
    ]
    processing._publish(asset, asset.lease_token, required)
    ready = processing._attach_optional(asset, asset.lease_token, optional)

    assert [o.kind for o in optional] == [RenditionKind.STORYBOARD]
    assert (ready.state, ready.warnings) == (AssetState.READY, ["thumbnail"])
    job = ready.jobs.get(kind=JobKind.THUMBNAIL)
    assert (job.status, job.error_code) == (JobStatus.FAILED, "MediaToolError")
    assert sorted(ready.renditions.values_list("kind", flat=True)) == [
        "poster",
        "preview",
        "storyboard",
    ]


@pytest.fixture
def ready_asset(stored_asset, tmp_path):
    clip = generate_clip(tmp_path / "vlog.mp4", seconds=4, width=320, height=240)
    return processing.process_asset(asset_id=stored_asset(clip).pk)


def _object_keys(prefix: str) -> list[str]:
    listed = storage.s3_client().list_objects_v2(Bucket=storage.bucket_name(), Prefix=prefix)
    return sorted(o["Key"].rsplit("/", 1)[1] for o in listed.get("Contents", []))


@pytest.mark.django_db
def test_entrant_chooses_another_poster_moment(ready_asset, tmp_path):
    old_poster = ready_asset.rendition(RenditionKind.POSTER)
    storage.download_file(old_poster.key, tmp_path / "old.jpg")

    choose_poster(asset_id=ready_asset.pk, at_seconds=Decimal("3.25"), actor=ready_asset.owner)
    updated = processing.make_poster(asset_id=ready_asset.pk)

    assert updated.poster_at == Decimal("3.250")
    renditions = {r.kind: r for r in updated.renditions.all()}
    assert renditions["poster"].key.endswith("/poster-3250.jpg")
    assert renditions["thumbnail"].key.endswith("/thumbnail-3250.jpg")
    storage.download_file(renditions["poster"].key, tmp_path / "new.jpg")
    assert (tmp_path / "new.jpg").read_bytes() != (tmp_path / "old.jpg").read_bytes()
    prefix = renditions["preview"].key.rsplit("/", 1)[0]
    assert _object_keys(prefix + "/") == [
        "poster-3250.jpg",
        "preview.mp4",
        "storyboard.jpg",
        "thumbnail-3250.jpg",
    ]
    log = AuditLog.objects.filter(action="poster_chosen").get()
    assert (log.actor, log.data) == (ready_asset.owner, {"at": "3.250"})


@pytest.mark.django_db
@pytest.mark.parametrize("at", ["-1", "4.5", "4.0"])
def test_poster_moment_outside_the_video_is_refused(ready_asset, at):
    with pytest.raises(DomainError) as caught:
        choose_poster(asset_id=ready_asset.pk, at_seconds=Decimal(at))

    assert caught.value.code == "poster_out_of_range"
    assert str(caught.value.message) == "Kies een moment in de video (0:00 tot 0:04)."
    ready_asset.refresh_from_db()
    assert ready_asset.poster_at is None


@pytest.mark.django_db
def test_poster_of_an_unready_vlog_is_refused():
    asset = MediaAsset.objects.create(
        owner=UserFactory(), original_key="originals/x", state=AssetState.PROCESSING
    )

    with pytest.raises(DomainError) as caught:
        choose_poster(asset_id=asset.pk, at_seconds=Decimal(1))

    assert (caught.value.code, str(caught.value.message)) == (
        "not_ready",
        "De vlog is nog niet klaar.",
    )
