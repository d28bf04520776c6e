import pytest

from media_pipeline import storage
from media_pipeline.enums import AssetState
from media_pipeline.models import MediaAsset
from tests.factories import UserFactory


@pytest.fixture
def stored_asset(s3_server):
    """Make an uploaded asset from a local file, without queueing its processing: the test
    calls the service itself (and, the test transaction being uncommitted, a running worker
    cannot see it)."""

    def make(path, *, max_duration_seconds: int = 300) -> MediaAsset:
        asset = MediaAsset(
            owner=UserFactory(),
            state=AssetState.UPLOADED,
            original_filename=path.name,
            max_duration_seconds=max_duration_seconds,
        )
        asset.original_key = f"originals/{asset.uid}"
        storage.upload_file(path, asset.original_key, content_type="application/octet-stream")
        asset.size_bytes = path.stat().st_size
        asset.save()
        return asset

    return make
