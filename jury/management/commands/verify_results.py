from django.core.management.base import BaseCommand, CommandError

from jury.certificates import verify
from jury.models import ResultSnapshot


class Command(BaseCommand):
    help = "Recompute a closed round's ranking from the stored scores and compare it with its "
    help += "results certificate. Exit status 1 when anything differs."

    def add_arguments(self, parser):
        parser.add_argument("round_id", type=int)

    def handle(self, *args, round_id: int, **options):
        snapshot = ResultSnapshot.objects.filter(round_id=round_id).first()
        if snapshot is None:
            raise CommandError(f"Round {round_id} has no results certificate (is it closed?).")
        result = verify(snapshot)
        if result.ok:
            self.stdout.write(
                f"OK: round {round_id}, certificate of {snapshot.created_at:%Y-%m-%d %H:%M}, "
                f"{len(snapshot.inputs)} reviews, SHA-256 {snapshot.input_sha256}"
            )
            return
        for problem in result.problems:
            self.stderr.write(f"MISMATCH: {problem}")
        raise SystemExit(1)
