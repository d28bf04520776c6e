from django.core.management.base import BaseCommand

from ops import health


class Command(BaseCommand):
    help = (
        "Check the database, object storage, broker, ffmpeg and workers, with a hint per failure."
    )

    def handle(self, *args, **options):
        checks = health.run_all()
        for check in checks:
            mark = self.style.SUCCESS("ok  ") if check.ok else self.style.ERROR("FAIL")
            self.stdout.write(f"{mark} {check.name:<9} {check.detail}")
            if not check.ok and check.hint:
                self.stdout.write(f"     hint: {check.hint}")
        if not all(c.ok for c in checks):
            raise SystemExit(1)
