"""Benchmark of the reminder job: N overdue deviations, one run of deviation_reminders, time and queries.

Not a test (tests/incidents/test_reminder_batches.py asserts correctness and the query bound). Builds a
throw-away test database (never the real one), loads the demo, clones one registered deviation N times
past its deadline (stored routing copied), then times the job and a second run (which must find nothing).

    .venv/bin/python bench/reminders_bench.py [--deviations 2000] [--batch-size 500]

Works on SQLite (default) and on PostgreSQL (DATABASE_URL=postgres://…).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masportal.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402


def run(n: int, batch_size: int) -> None:
    from core.scheduling import run_scheduled_jobs
    from incidents.models import Deviation, DeviationReminder
    from tests.incidents.deviation_helpers import report
    from tests.incidents.test_reminder_batches import _only, clone_overdue

    template = report()
    template.refresh_from_db()
    ids = clone_overdue(template, n)
    _only(ids)
    on = timezone.localdate()
    for label in ("first run", "second run"):
        with CaptureQueriesContext(connection) as queries:
            t0 = time.perf_counter()
            [job] = run_scheduled_jobs(on=on, only="deviation_reminders", batch_size=batch_size)
            seconds = time.perf_counter() - t0
        print(f"{label:10}  {seconds * 1000:8.0f} ms  {len(queries):4} queries  counts={job.counts}")
    reminded = DeviationReminder.objects.filter(deviation_id__in=ids).values("deviation_id").distinct().count()
    print(f"reminded {reminded} of {n} overdue deviations; rows {Deviation.objects.filter(pk__in=ids).count()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deviations", type=int, default=2000)
    parser.add_argument("--batch-size", type=int, default=500)
    args = parser.parse_args()
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        call_command("load_demo", verbosity=0)
        print(f"{args.deviations} overdue deviations on {connection.vendor}, batches of {args.batch_size}")
        run(args.deviations, args.batch_size)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
