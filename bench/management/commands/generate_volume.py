"""Generate synthetic volume data (issue 7): municipalities vol-001…, units, people, deviations, follow-up."""

import sys
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from bench.volume import Progress, VolumeSpec, generate


class Command(BaseCommand):
    help = (
        "Generate realistic synthetic data at scale: boards, units, providers, contracts, people with assignment "
        "history, deviations, Lex Maria cases, follow-ups, access log. Deterministic for a seed and --today. "
        "Municipalities that already exist (vol-NNN) are skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("--municipalities", type=int, default=1)
        parser.add_argument("--deviations", type=int, default=10_000, help="total over the generated municipalities")
        parser.add_argument("--years", type=int, default=3, help="period of the deviations, ending at --today")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--today", help="YYYY-MM-DD the data is dated against (default: today)")
        parser.add_argument("--first", type=int, default=1, help="number of the first municipality (vol-NNN)")
        parser.add_argument("--boards", type=int, default=14, help="boards of the first municipality (others vary)")
        parser.add_argument("--units-per-board", type=int, default=30, help="average units per board")
        parser.add_argument(
            "--batch-size", type=int, default=None, help="rows per insert (default 10000 on PostgreSQL, 2000 otherwise)"
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **options):
        try:
            today = date.fromisoformat(options["today"]) if options["today"] else timezone.localdate()
        except ValueError as exc:
            raise CommandError(f"--today must be YYYY-MM-DD, got {options['today']!r}") from exc
        for name in ("municipalities", "years", "first", "boards", "units_per_board"):
            if options[name] < 1:
                raise CommandError(f"--{name.replace('_', '-')} must be at least 1.")
        if options["deviations"] < 0:
            raise CommandError("--deviations cannot be negative.")
        batch = options["batch_size"] or (10_000 if connection.vendor == "postgresql" else 2_000)
        spec = VolumeSpec(
            municipalities=options["municipalities"],
            deviations=options["deviations"],
            years=options["years"],
            seed=options["seed"],
            today=today,
            first=options["first"],
            boards=options["boards"],
            units_per_board=options["units_per_board"],
            batch_size=batch,
        )
        progress = Progress(
            total=spec.deviations, stream=sys.stderr, enabled=not options["no_progress"] and options["verbosity"] > 0
        )
        result = generate(spec=spec, progress=progress)
        for code in result.skipped:
            self.stdout.write(f"{code}: exists, skipped")
        for note in result.notes:
            self.stdout.write(f"Note: {note}")
        if options["verbosity"] > 0:
            for label, n in sorted(result.counts.items()):
                self.stdout.write(f"{label:40} {n:>12,}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {len(result.created)} municipalities ({', '.join(result.created) or '-'}) "
                f"in {result.seconds:.1f}s."
            )
        )
