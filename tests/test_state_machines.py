"""Every (from, to) pair of every state table: allowed pairs change state and audit it,
all other pairs raise InvalidTransition and change nothing."""

from itertools import product

import pytest

from common.errors import InvalidTransition
from common.models import AuditLog
from media_pipeline.enums import ASSET_TRANSITIONS, AssetState
from media_pipeline.models import MediaAsset
from media_pipeline.services import transition_asset
from prijzen.enums import ENTRY_TRANSITIONS, EntryState
from prijzen.services import transition_entry
from tests.factories import EntryFactory, UserFactory


def test_tables_cover_every_state():
    assert set(ASSET_TRANSITIONS) == set(AssetState.values)
    assert set(ENTRY_TRANSITIONS) == set(EntryState.values)


@pytest.mark.django_db
@pytest.mark.parametrize(("source", "target"), list(product(AssetState.values, repeat=2)))
def test_asset_transition(source, target):
    owner = UserFactory()
    asset = MediaAsset.objects.create(owner=owner, original_key=f"originals/{source}", state=source)

    if target in ASSET_TRANSITIONS[source]:
        transition_asset(asset_id=asset.pk, to=target, actor=owner)
        asset.refresh_from_db()
        assert asset.state == target
        log = AuditLog.objects.get()
        assert (log.action, log.object_type, log.object_id, log.data, log.actor) == (
            "state_change",
            "media_pipeline.mediaasset",
            str(asset.pk),
            {"from": source, "to": target},
            owner,
        )
    else:
        with pytest.raises(InvalidTransition):
            transition_asset(asset_id=asset.pk, to=target, actor=owner)
        asset.refresh_from_db()
        assert asset.state == source
        assert AuditLog.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(("source", "target"), list(product(EntryState.values, repeat=2)))
def test_entry_transition(source, target):
    entry = EntryFactory(state=source)

    if target in ENTRY_TRANSITIONS[source]:
        transition_entry(entry_id=entry.pk, to=target)
        entry.refresh_from_db()
        assert entry.state == target
        assert AuditLog.objects.get().data == {"from": source, "to": target}
    else:
        with pytest.raises(InvalidTransition):
            transition_entry(entry_id=entry.pk, to=target)
        entry.refresh_from_db()
        assert entry.state == source
        assert AuditLog.objects.count() == 0
