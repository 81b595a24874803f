"""Re-encrypt every stored patient identifier with the newest key and re-compute the look-up hashes."""

import sys

from django.core.management.base import BaseCommand, CommandError

from incidents.key_rotation import rotate_all


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored patient identifier with the newest key of MASPORTAL_PATIENT_KEYS and re-compute "
        "the look-up hashes with MASPORTAL_PATIENT_HASH_KEY, in batches. Resumable and idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500, help="Rows per transaction (default 500).")
        parser.add_argument("--no-progress", action="store_true", help="Do not draw the progress bar.")

    def handle(self, *args, batch_size: int, no_progress: bool, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        draw = not no_progress and options.get("verbosity", 1) > 0

        def progress(done: int, total: int) -> None:
            if not draw:
                return
            width = 40
            filled = width if total == 0 else int(width * done / total)
            percent = 100 if total == 0 else int(100 * done / total)
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} ({percent} %)")
            sys.stderr.flush()

        try:
            result = rotate_all(batch_size=batch_size, progress=progress)
        except RuntimeError as exc:
            raise CommandError(str(exc)) from None
        if draw:
            sys.stderr.write("\n")
        self.stdout.write(
            f"Checked {result.checked} identifiers: re-encrypted {result.reencrypted}, re-computed {result.rehashed} "
            f"look-up hashes ({result.access_rows} access-log rows, {result.history_rows} history rows)."
        )
        if result.undecryptable or result.undecryptable_other:
            named = [f"deviation {pk}" for pk in result.undecryptable] + result.undecryptable_other
            raise CommandError(
                f"{len(named)} identifiers decrypt with none of the configured keys "
                f"({', '.join(named[:20])}): add the key they were "
                "encrypted with to MASPORTAL_PATIENT_KEYS and run again."
            )
