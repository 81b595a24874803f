"""The measured reports (HTML through the view, PDF through the service the background task runs) and commands
over the whole dataset (check_responsibility, run_scheduled_jobs for one day)."""

from __future__ import annotations

import urllib.parse
from datetime import date, timedelta
from io import StringIO

from bench import floors
from bench.measure import Result, Target, measure, not_available, skipped

# Issue 17 at 1M: the board's Avvikelserapport PDF ≤ 3 s, the patientsäkerhetsberättelse PDF ≤ 5 s; its HTML ≤ 50 ms.
PDF_TARGETS = {"deviations": Target(p95_ms=3000), "patient_safety": Target(p95_ms=5000)}
PSB_HTML = Target(p95_ms=50, floor_factor=2, allowance_ms=3)
# run_scheduled_jobs for one day: ≤ 1 s at 100k, ≤ 5 s at 1M.
JOBS_TARGET = {"10k": Target(p95_ms=1000), "100k": Target(p95_ms=1000), "1m": Target(p95_ms=5000)}


def report_items(args, s, period: dict, client, *, page_target: Target) -> list[Result]:
    """The five reports for the largest board, last calendar year: HTML (the page) and PDF (the task's service)."""
    from django.urls import NoReverseMatch, reverse

    year = period["year"]
    whole_year = {"period_from": f"{year}-01-01", "period_to": f"{year}-12-31"}
    reports = [
        ("deviations", "Avvikelserapport", whole_year, floors.DEVIATION_REPORT_SQL),
        ("lex_maria", "Lex Maria-sammanställning", whole_year, floors.LEX_MARIA_REPORT_SQL),
        ("followup", "Avtalsuppföljningsrapport", whole_year, floors.FOLLOWUP_REPORT_SQL),
        (
            "responsibility",
            "Ansvarsfördelning",
            {"on": s.today.isoformat()},
            floors.RESOLVE_SQL.format(where="u.board_id = %(b)s"),
        ),
        ("patient_safety", "Patientsäkerhetsberättelse", {"year": str(year)}, floors.PATIENT_SAFETY_SQL),
    ]
    try:
        detail = reverse("reports:report_detail")
    except NoReverseMatch:
        detail = None
    results = []
    for kind, label, extra, sql in reports:
        name = f"{label} HTML"
        target = PSB_HTML if kind == "patient_safety" else page_target
        if detail is None:
            results.append(not_available(name, target=target))
        else:
            url = f"{detail}?{urllib.parse.urlencode({'kind': kind, 'scope': f'board:{s.board.code}', **extra})}"
            results.append(
                measure(
                    name,
                    lambda url=url: client.get(url),
                    iterations=args.iterations,
                    warmup=args.warmup,
                    floor_sql=(sql, period),
                    target=target,
                    check=lambda r: "" if r.status_code == 200 else f"HTTP {r.status_code}",
                )
            )
        results.append(
            measure_pdf(
                f"{label} PDF",
                kind,
                s,
                extra,
                (sql, period),
                iterations=args.pdf_iterations,
                target=PDF_TARGETS.get(kind, Target()),
            )
        )
    return results


def measure_pdf(name: str, kind: str, s, extra: dict, floor, *, iterations: int, target: Target) -> Result:
    try:
        from reports import services
        from reports.builders import build_report
    except ImportError:
        return not_available(name, target=target)
    dates = {k: date.fromisoformat(v) for k, v in extra.items() if k in ("period_from", "period_to", "on")}
    try:
        params = services.check_params(
            user=None,
            kind=kind,
            scope_token=f"board:{s.board.code}",
            year=int(extra["year"]) if "year" in extra else None,
            **dates,
        )
    except Exception as exc:  # noqa: BLE001 - the report's parameters changed shape
        return not_available(name, f"error: {type(exc).__name__}: {str(exc)[:100]}", target=target)

    def call():
        return services.render_pdf(data=build_report(params=params, produced_by="bench"))

    return measure(
        name,
        call,
        iterations=iterations,
        warmup=1,
        floor_sql=floor,
        target=target,
        check=lambda pdf: "" if pdf[:4] == b"%PDF" else "no PDF",
    )


def command_items(args, s, period: dict) -> list[Result]:
    """Commands over the whole dataset; run_scheduled_jobs in a rolled-back transaction (the same work each time)."""
    from django.core.management import call_command
    from django.db import transaction

    results = [
        measure(
            f"check_responsibility ({s.counts['units']} units)",
            lambda: call_command("check_responsibility", stdout=StringIO()),
            iterations=args.command_iterations,
            warmup=0,
            floor_sql=(floors.RESOLVE_SQL.format(where="true"), period),
            target=Target(p95_ms=10_000),
        )
    ]

    def jobs_once():
        with transaction.atomic():
            call_command("run_scheduled_jobs", "--date", s.today.isoformat(), stdout=StringIO())
            transaction.set_rollback(True)

    # The seed's first day: no job has ever run on the generated data, so every overdue case of all years gets its
    # first reminder (a go-live backlog).
    results.append(
        measure(
            "run_scheduled_jobs (one day)",
            jobs_once,
            iterations=args.command_iterations,
            warmup=0,
            floor_sql=(floors.JOBS_SQL, {"d": s.today}),
            target=JOBS_TARGET.get(args.scale, Target()),
            note="in a rolled-back transaction",
        )
    )
    # A night as beat runs it every night: the jobs ran (committed, untimed) for the day before, then today's run
    # is timed. This changes the run's database (a fresh copy unless --no-copy).
    night = "run_scheduled_jobs (a night after the day before)"
    if not skipped(night):
        call_command("run_scheduled_jobs", "--date", (s.today - timedelta(days=1)).isoformat(), stdout=StringIO())
    results.append(
        measure(
            night,
            jobs_once,
            iterations=args.command_iterations,
            warmup=0,
            floor_sql=(floors.JOBS_SQL, {"d": s.today}),
            target=JOBS_TARGET.get(args.scale, Target()),
            note="after a committed run for the day before; in a rolled-back transaction",
        )
    )
    return results
