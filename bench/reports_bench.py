"""Benchmark of the board reports: generation time and query count per report.

Not a test. Builds a throw-away test database (never the real one), loads the
demo municipality, times each report (figures, and figures + PDF), then adds
100 000 deviations and times the deviation-based reports again.

    .venv/bin/python bench/reports_bench.py [--deviations 100000] [--keep-output DIR]

Works on SQLite (default) and on PostgreSQL (DATABASE_URL=postgres://…).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masportal.settings")
os.environ.setdefault("DJANGO_TEST_SQLITE", str(ROOT / "var" / f"bench-{os.getpid()}.sqlite3"))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone, translation  # noqa: E402


def _cases(today: date) -> list[tuple[str, str, dict]]:
    year_start = date(today.year - 1, 1, 1)
    return [
        (
            "deviations",
            "board:hagersten-liljeholmen",
            {"period_from": year_start, "period_to": date(year_start.year, 12, 31)},
        ),
        ("deviations", "municipality", {"period_from": year_start, "period_to": date(year_start.year, 12, 31)}),
        ("lex_maria", "municipality", {"period_from": year_start, "period_to": today}),
        (
            "followup",
            "municipality",
            {"period_from": today - timedelta(days=365), "period_to": today + timedelta(days=60)},
        ),
        ("responsibility", "municipality", {"on": today}),
        ("patient_safety", "board:hagersten-liljeholmen", {"year": year_start.year}),
    ]


def run_cases(label: str, out: Path | None) -> None:
    from reports.builders import build_report
    from reports.services import check_params, render_pdf

    today = timezone.localdate()
    print(f"\n== {label}")
    print(f"{'report':<16} {'scope':<30} {'figures s':>10} {'queries':>8} {'with PDF s':>11} {'PDF kB':>8}")
    for kind, scope, kwargs in _cases(today):
        try:
            params = check_params(user=None, kind=kind, scope_token=scope, **kwargs)
        except Exception as exc:  # noqa: BLE001 - e.g. a year without data
            print(f"{kind:<16} {scope:<30} skipped: {exc}")
            continue
        with CaptureQueriesContext(connection) as queries:
            t0 = time.perf_counter()
            data = build_report(params=params, produced_by="bench")
            t1 = time.perf_counter()
        pdf = render_pdf(data=data)
        t2 = time.perf_counter()
        if out:
            (out / f"{kind}-{scope.replace(':', '-')}.pdf").write_bytes(pdf)
        print(f"{kind:<16} {scope:<30} {t1 - t0:>10.2f} {len(queries):>8} {t2 - t0:>11.2f} {len(pdf) / 1024:>8.0f}")


def add_deviations(n: int) -> None:
    from incidents.models import Deviation, DeviationCategory, DeviationState
    from responsibility.models import Municipality, Unit

    municipality = Municipality.objects.get(code="stockholm")
    categories = []
    for i, (code, name) in enumerate(
        [
            ("fall", "Fall"),
            ("lakemedel", "Läkemedel"),
            ("vard", "Vård och behandling"),
            ("info", "Informationsöverföring"),
            ("trycksar", "Trycksår"),
            ("ovrigt", "Övrigt"),
        ]
    ):
        cat, _ = DeviationCategory.objects.get_or_create(
            municipality=municipality, code=code, defaults={"name": name, "order": i}
        )
        categories.append(cat)
    units = list(Unit.objects.all())
    rng = random.Random(7)
    states = [
        DeviationState.REGISTERED,
        DeviationState.INVESTIGATING,
        DeviationState.AWAITING_MAS,
        DeviationState.ACTIONS,
        DeviationState.CLOSED,
        DeviationState.REJECTED,
    ]
    now = timezone.now()
    batch = []
    t0 = time.perf_counter()
    for i in range(n):
        occurred = now - timedelta(days=rng.randint(0, 900), minutes=rng.randint(0, 1440))
        c, p = rng.randint(1, 4), rng.randint(1, 4)
        batch.append(
            Deviation(
                municipality=municipality,
                reference=f"AV-B-{i:08d}",
                unit=rng.choice(units),
                state=rng.choice(states),
                occurred_at=occurred,
                discovered_at=occurred,
                reported_at=occurred,
                category=rng.choice(categories),
                description="Benchmark",
                consequence=c,
                probability=p,
                risk_score=c * p,
                due_at=occurred + timedelta(days=14),
            )
        )
        if len(batch) == 5000:
            Deviation.objects.bulk_create(batch)
            batch = []
    if batch:
        Deviation.objects.bulk_create(batch)
    print(f"\nInserted {n} deviations in {time.perf_counter() - t0:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deviations", type=int, default=100_000)
    parser.add_argument("--keep-output", type=Path, help="write the PDFs here")
    args = parser.parse_args()
    if args.keep_output:
        args.keep_output.mkdir(parents=True, exist_ok=True)
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        with translation.override("sv"):
            t0 = time.perf_counter()
            call_command("load_demo", verbosity=0)
            print(f"Demo loaded in {time.perf_counter() - t0:.1f} s on {connection.vendor}")
            run_cases("Demo municipality", args.keep_output)
            add_deviations(args.deviations)
            run_cases(f"Demo municipality + {args.deviations} deviations", args.keep_output)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
