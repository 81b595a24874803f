"""Run the scheduled jobs now, for a given date. Beat calls the same code nightly."""

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from core.scheduling import registered_jobs, run_scheduled_jobs


class Command(BaseCommand):
    help = "Run every scheduled job (or one) for a date; prints one JSON line per job run."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="YYYY-MM-DD (default: today)")
        parser.add_argument("--only", help="run only this job; names: see --list")
        parser.add_argument("--list", action="store_true", help="list the job names and exit")

    def handle(self, *args, **options):
        if options["list"]:
            for name in registered_jobs():
                self.stdout.write(name)
            return
        on = None
        if options["date"]:
            try:
                on = date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError(f"--date must be YYYY-MM-DD, got {options['date']!r}") from exc
        try:
            runs = run_scheduled_jobs(on=on, only=options["only"])
        except KeyError as exc:
            raise CommandError(f"No job named {options['only']!r}. Known: {', '.join(registered_jobs())}") from exc
        failed = False
        for run in runs:
            failed |= run.status == run.Status.FAILED
            self.stdout.write(
                json.dumps(
                    {"job": run.name, "date": run.run_for.isoformat(), "status": run.status, "counts": run.counts}
                )
            )
        if failed:
            raise CommandError("One or more jobs failed; see the job runs for errors.")
