from django.core.management.base import BaseCommand, CommandError

from common.errors import InvalidTransition
from media_pipeline.enums import AssetState
from media_pipeline.models import MediaAsset
from media_pipeline.profile import PROCESSING_VERSION
from media_pipeline.services import reprocess_asset


class Command(BaseCommand):
    help = (
        "Queue media assets for processing again: the given ids, every failed asset (--failed), "
        "or every ready asset made with an older processing profile (--outdated)."
    )

    def add_arguments(self, parser):
        parser.add_argument("ids", nargs="*", type=int)
        parser.add_argument("--failed", action="store_true")
        parser.add_argument("--outdated", action="store_true")

    def handle(self, *args, ids, failed, outdated, **options):
        if not (ids or failed or outdated):
            raise CommandError("Give asset ids, --failed or --outdated.")
        selected = set(ids)
        if failed:
            selected |= set(
                MediaAsset.objects.filter(state=AssetState.FAILED).values_list("pk", flat=True)
            )
        if outdated:
            selected |= set(
                MediaAsset.objects.filter(
                    state=AssetState.READY, processing_version__lt=PROCESSING_VERSION
                ).values_list("pk", flat=True)
            )
        queued = 0
        for asset_id in sorted(selected):
            try:
                reprocess_asset(asset_id=asset_id)
                queued += 1
            except InvalidTransition:
                self.stderr.write(f"asset {asset_id}: not ready or failed, skipped")
        self.stdout.write(f"{queued} asset(s) queued for processing.")
