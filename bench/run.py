#!/usr/bin/env python
"""Benchmark MAS-portalen at volume (issue 7).

    .venv/bin/python bench/run.py --db postgres --scale 100k [--skip-generate] [--write]

1. Creates (if missing) and migrates a dedicated database: PostgreSQL
   ``masportal_bench_<scale>`` on 127.0.0.1:5432, or ``var/bench/bench-<scale>.sqlite3``.
2. Runs ``generate_volume`` unless the data is there (``--skip-generate`` never does).
3. For each page, report and command: p50/p95 server time (Django's test client,
   in process, after warm-up), the query count, and the time of one hand-written
   SQL query computing the same result (the floor). Items whose page or command
   does not exist yet print "not available".
4. A load run: gunicorn on a free loopback port against the bench database and
   ``wrk`` posting the staff report form for a bounded time; prints throughput,
   p99 and errors. Everything stops by itself.
5. ``--write`` puts the table into ``bench/RESULTS.md`` (date, machine, PostgreSQL version).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import date, timedelta
from html.parser import HTMLParser
from http.cookiejar import CookieJar
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SCALES = {
    # municipalities, deviations: ~300 units per municipality, ~30 deviations per unit and year over 3 years.
    "10k": (1, 10_000),
    "100k": (4, 100_000),
    "1m": (34, 1_000_000),
}
PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
PG_URL = "postgres://postgres@127.0.0.1:5432/{name}"
REDIS_URL = "redis://127.0.0.1:6379/15"  # a database of its own: flushed after the load run
TARGET_P95_MS = 150.0
TARGET_FLOOR_RATIO = 3.0
ONLY = ""  # --only: measure just the items whose name contains this


# --- environment before Django --------------------------------------------------------------


def configure_environment(args) -> dict[str, str]:
    """Point Django at the bench database and a var dir of its own; return the environment for gunicorn."""
    var_dir = ROOT / "var" / "bench"
    var_dir.mkdir(parents=True, exist_ok=True)
    if args.db == "postgres":
        name = f"masportal_bench_{args.scale}"
        ensure_pg_database(name)
        url = PG_URL.format(name=name)
    else:
        url = f"sqlite:///{var_dir / f'bench-{args.scale}.sqlite3'}"
    env = {
        "DATABASE_URL": url,
        "MASPORTAL_VAR_DIR": str(var_dir),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "DJANGO_DEBUG": "false",
        "DJANGO_LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "masportal.settings",
    }
    if redis_reachable():
        env["CELERY_BROKER_URL"] = REDIS_URL
    os.environ.update(env)
    return env


def ensure_pg_database(name: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            print(f"Creating database {name}")
            conn.execute(f'CREATE DATABASE "{name}"')


def redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


# --- measuring -------------------------------------------------------------------------------


@dataclass
class Result:
    name: str
    p50: float | None = None
    p95: float | None = None
    queries: int | None = None
    floor: float | None = None
    status: str = "ok"
    note: str = ""
    capped: bool = False
    samples: list[float] = field(default_factory=list)

    @property
    def ratio(self) -> float | None:
        if self.p95 is None or not self.floor:
            return None
        return self.p95 / self.floor

    def verdict(self, *, p95_target: float | None = TARGET_P95_MS) -> str:
        if self.status != "ok":
            return self.status
        problems = []
        if p95_target is not None and self.p95 is not None and self.p95 > p95_target:
            problems.append(f"p95>{p95_target:.0f}ms")
        if p95_target is not None and self.ratio is not None and self.ratio > TARGET_FLOOR_RATIO:
            problems.append(f">{TARGET_FLOOR_RATIO:.0f}x floor")
        return ", ".join(problems) or "met"


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    if len(ordered) == 1:
        return ordered[0]
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def measure(
    name: str, call, *, iterations: int, warmup: int, floor_sql: tuple[str, list] | None, note: str = "", check=None
) -> Result:
    """Time ``call`` (ms); count its queries once; time the SQL floor once (best of three)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    result = Result(name, note=note)
    if ONLY and ONLY not in name.lower():
        result.status = "skipped"
        return result
    try:
        for _ in range(warmup):
            call()
        with CaptureQueriesContext(connection) as ctx:
            outcome = call()
        result.queries = len(ctx.captured_queries)
        # Django keeps the last 9000 queries only: more than that shows as "≥".
        result.capped = len(connection.queries_log) == connection.queries_log.maxlen
        if check is not None:
            problem = check(outcome)
            if problem:
                result.status = problem
                return result
        for _ in range(iterations):
            started = time.perf_counter()
            call()
            result.samples.append((time.perf_counter() - started) * 1000)
    except Exception as exc:  # noqa: BLE001 - one failing item must not stop the bench
        result.status = f"error: {type(exc).__name__}: {str(exc)[:120]}"
        return result
    result.p50 = percentile(result.samples, 0.5)
    result.p95 = percentile(result.samples, 0.95)
    if floor_sql is not None:
        result.floor = time_sql(*floor_sql)
    return result


def time_sql(sql: str, params: list) -> float | None:
    """Best of three runs of one SQL statement, in ms (None if the database cannot run it)."""
    from django.db import connection, transaction

    best = None
    try:
        for _ in range(3):
            with transaction.atomic():
                with connection.cursor() as cursor:
                    started = time.perf_counter()
                    cursor.execute(sql, params)
                    if cursor.description is not None:
                        cursor.fetchall()
                    elapsed = (time.perf_counter() - started) * 1000
                transaction.set_rollback(True)
            best = elapsed if best is None else min(best, elapsed)
    except Exception:  # noqa: BLE001 - a floor in PostgreSQL dialect on SQLite
        return None
    return best


def not_available(name: str, why: str = "not available") -> Result:
    return Result(name, status=why)


# --- forms over HTTP (in process and for wrk) --------------------------------------------------


class FormParser(HTMLParser):
    """Collect the fields of the first form that posts to ``action`` (or the first POST form)."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._form = None
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {
                "method": (a.get("method") or "get").lower(),
                "action": a.get("action") or "",
                "fields": [],
                "buttons": [],
            }
            self.forms.append(self._form)
        if self._form is None:
            return
        if tag == "input":
            self._form["fields"].append({"tag": "input", **a})
            if (a.get("type") or "").lower() == "submit" and a.get("name"):
                self._form["buttons"].append(a)
        elif tag == "select":
            self._select = {"tag": "select", "name": a.get("name"), "options": [], "required": "required" in a}
            self._form["fields"].append(self._select)
        elif tag == "option" and self._select is not None:
            self._select["options"].append((a.get("value", ""), "selected" in a))
        elif tag == "textarea":
            self._textarea = {"tag": "textarea", "name": a.get("name"), "required": "required" in a}
            self._form["fields"].append(self._textarea)
        elif tag == "button" and a.get("name"):
            self._form["buttons"].append(a)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def fill_form(html: str, *, today: date, overrides: dict | None = None) -> dict[str, str]:
    """Valid-looking values for every field of the page's POST form (first choices, today's date)."""
    parser = FormParser()
    parser.feed(html)
    forms = [
        f for f in parser.forms if f["method"] == "post" and not f["action"].endswith(("/logout/", "/i18n/setlang/"))
    ]
    if not forms:
        raise ValueError("no POST form on the page")
    form = max(forms, key=lambda f: len(f["fields"]))
    data: dict[str, str] = {}
    when = f"{today - timedelta(days=1):%Y-%m-%d}"
    for f in form["fields"]:
        name = f.get("name")
        if not name:
            continue
        kind = (f.get("type") or f["tag"]).lower()
        if f["tag"] == "select":
            options = [v for v, _s in f["options"] if v]
            chosen = [v for v, s in f["options"] if s and v]
            if chosen or options:
                data[name] = (chosen or options)[0]
        elif f["tag"] == "textarea":
            data[name] = "Bänkmätning: brukaren hittades på golvet, sjuksköterska kontaktades."
        elif kind in ("hidden",):
            data.setdefault(name, f.get("value", ""))
        elif kind == "radio":
            if name not in data or "checked" in f:
                data[name] = f.get("value", "")
        elif kind == "checkbox":
            if "checked" in f:
                data[name] = f.get("value", "on")
        elif kind == "date":
            data[name] = when
        elif kind == "datetime-local":
            data[name] = f"{when}T08:30"
        elif kind == "time":
            data[name] = "08:30"
        elif kind == "number":
            data[name] = f.get("min") or "1"
        elif kind in ("submit", "button", "file", "reset"):
            continue
        else:
            data.setdefault(name, f.get("value") or "Bänkmätning")
    buttons = [b for b in form["buttons"] if not re.search(r"draft|utkast", (b.get("value") or "") + b["name"], re.I)]
    if buttons:
        data[buttons[0]["name"]] = buttons[0].get("value", "")
    data.update(overrides or {})
    return data


# --- the dataset: who and what the pages are measured for -------------------------------------


@dataclass
class Subjects:
    municipality: object
    board: object
    unit: object
    reporter: object
    unit_manager: object
    mas: object
    official: object
    deviation: object | None
    today: date
    counts: dict


def find_subjects() -> Subjects:
    """The largest board of the largest generated municipality, its busiest unit and the people in it."""
    from django.db.models import Count
    from django.utils import timezone

    from incidents.models import Deviation, LexMariaCase
    from responsibility.choices import AssignmentKind, Role
    from responsibility.models import Assignment, Board, Municipality, Unit

    today = timezone.localdate()
    municipality = (
        Municipality.objects.filter(code__startswith="vol-").annotate(n=Count("units")).order_by("-n", "code").first()
    )
    if municipality is None:
        raise SystemExit("No generated municipality (vol-NNN) in the bench database: run without --skip-generate.")
    board = Board.objects.filter(municipality=municipality).annotate(n=Count("units")).order_by("-n", "code").first()
    # The busiest unit in egen regi: its deviations go to the region's MAS, whose queue is measured.
    units = Unit.objects.filter(board=board).annotate(n=Count("deviations")).order_by("-n", "code")
    unit = units.filter(operating_form="own").first() or units.first()
    active = Assignment.active_q(today)

    def user_of(role, **scope):
        a = (
            Assignment.objects.filter(active, role=role, person__user__isnull=False, deputy_for__isnull=True, **scope)
            .select_related("person__user")
            .order_by("pk")
            .first()
        )
        return a.person.user if a else None

    reporter = (
        Assignment.objects.filter(
            active, role=Role.REPORTER, unit=unit, person__user__isnull=False, person__title="Undersköterska"
        )
        .select_related("person__user")
        .order_by("pk")
        .first()
        .person.user
    )
    # A deviation with patient data under investigation: opening it writes an access-log row.
    deviation = (
        Deviation.objects.filter(unit=unit, state__in=["actions", "closed"])
        .exclude(patient_hash="")
        .order_by("-pk")
        .first()
        or Deviation.objects.filter(unit=unit).exclude(state="draft").order_by("-pk").first()
    )
    counts = {
        "municipalities": Municipality.objects.count(),
        "units": Unit.objects.count(),
        "deviations": Deviation.objects.count(),
        "lex_maria_cases": LexMariaCase.objects.count(),
        "assignments": Assignment.objects.count(),
        "board_units": Unit.objects.filter(board=board).count(),
        "board_deviations_last_year": Deviation.objects.filter(
            unit__board=board, occurred_at__year=today.year - 1
        ).count(),
    }
    try:
        from django.apps import apps

        counts["follow_ups"] = apps.get_model("followup", "FollowUp").objects.count()
        counts["access_log"] = apps.get_model("incidents", "PatientDataAccess").objects.count()
    except LookupError:
        pass
    return Subjects(
        municipality=municipality,
        board=board,
        unit=unit,
        reporter=reporter,
        unit_manager=user_of(Role.UNIT_MANAGER, unit=unit, kind=AssignmentKind.FOLLOW_UP),
        mas=user_of(Role.MAS, region=board.region_id),
        official=user_of(Role.BOARD_OFFICIAL, board=board),
        deviation=deviation,
        today=today,
        counts=counts,
    )


def first_url(candidates: list[tuple[str, list, str]]) -> str | None:
    """The first of (url name, args, query) that exists, as a path."""
    from django.urls import NoReverseMatch, reverse

    for name, args, query in candidates:
        try:
            return reverse(name, args=args) + (f"?{query}" if query else "")
        except NoReverseMatch:
            continue
    return None


# --- the floors (PostgreSQL dialect) ---------------------------------------------------------------

RESOLVE_SQL = """
WITH u AS (
  SELECT u.id, u.board_id, b.region_id, COALESCE(op.provider_id, u.provider_id) AS provider_id
  FROM responsibility_unit u
  JOIN responsibility_board b ON b.id = u.board_id
  LEFT JOIN responsibility_unitoperatingperiod op
    ON op.unit_id = u.id AND op.valid_from <= %(d)s AND (op.valid_to IS NULL OR op.valid_to >= %(d)s)
  WHERE {where}
), roles(role) AS (VALUES ('MAS'), ('MAR'), ('OPERATIONS_MANAGER'), ('LEX_MARIA_REPORTER'))
SELECT u.id, r.role, h.person_id, p.first_name, p.last_name
FROM u CROSS JOIN roles r
LEFT JOIN LATERAL (
  SELECT a.person_id FROM responsibility_assignment a
  WHERE a.role = r.role AND a.kind = 'statutory' AND a.deputy_for_id IS NULL
    AND a.valid_from <= %(d)s AND (a.valid_to IS NULL OR a.valid_to >= %(d)s)
    AND (a.unit_id = u.id OR a.provider_id = u.provider_id OR a.board_id = u.board_id OR a.region_id = u.region_id)
  ORDER BY CASE WHEN a.unit_id IS NOT NULL THEN 1 WHEN a.provider_id IS NOT NULL THEN 2
                WHEN a.board_id IS NOT NULL THEN 3 ELSE 4 END
  LIMIT 1
) h ON true
LEFT JOIN responsibility_person p ON p.id = h.person_id
"""

DEVIATION_REPORT_SQL = """
SELECT d.category_id, d.state, d.unit_id, d.risk_score, date_trunc('month', d.occurred_at) AS month, count(*)
FROM incidents_deviation d JOIN responsibility_unit u ON u.id = d.unit_id
WHERE d.municipality_id = %(m)s AND u.board_id = %(b)s AND d.occurred_at >= %(start)s AND d.occurred_at < %(end)s
  AND d.state <> 'draft'
GROUP BY GROUPING SETS ((d.category_id), (d.state), (d.unit_id), (d.risk_score), (month), ())
"""

LEX_MARIA_REPORT_SQL = """
SELECT c.reference, c.route, c.state, c.decided_at, c.patient_informed_at, c.board_informed_at, c.ivo_sent_at,
       c.ivo_decision_at, c.closed_at, u.name
FROM incidents_lexmariacase c JOIN incidents_deviation d ON d.id = c.deviation_id
JOIN responsibility_unit u ON u.id = d.unit_id
WHERE (c.board_id = %(b)s OR c.purchasing_board_id = %(b)s) AND c.decided_at >= %(start)s AND c.decided_at < %(end)s
ORDER BY c.decided_at
"""

FOLLOWUP_REPORT_SQL = """
SELECT f.contract_id, f.state, count(DISTINCT f.id), count(DISTINCT fi.id), count(a.id),
       count(a.id) FILTER (WHERE a.state = 'verified'), count(a.id) FILTER (WHERE a.state <> 'verified' AND a.deadline < %(today)s)
FROM followup_followup f
LEFT JOIN followup_finding fi ON fi.follow_up_id = f.id
LEFT JOIN followup_action a ON a.finding_id = fi.id
WHERE f.board_id = %(b)s AND f.scheduled_date >= %(start_d)s AND f.scheduled_date < %(end_d)s
GROUP BY f.contract_id, f.state
"""

PATIENT_SAFETY_SQL = """
SELECT
  (SELECT count(*) FROM incidents_deviation d JOIN responsibility_unit u ON u.id = d.unit_id
    WHERE d.municipality_id = %(m)s AND u.board_id = %(b)s AND d.occurred_at >= %(start)s AND d.occurred_at < %(end)s
      AND d.state <> 'draft'),
  (SELECT json_agg(x) FROM (SELECT d.category_id, count(*) FROM incidents_deviation d
     JOIN responsibility_unit u ON u.id = d.unit_id
     WHERE d.municipality_id = %(m)s AND u.board_id = %(b)s AND d.occurred_at >= %(start)s AND d.occurred_at < %(end)s
     GROUP BY d.category_id) x),
  (SELECT count(*) FROM incidents_lexmariacase c WHERE c.board_id = %(b)s AND c.decided_at >= %(start)s
     AND c.decided_at < %(end)s),
  (SELECT count(*) FROM followup_followup f WHERE f.board_id = %(b)s AND f.scheduled_date >= %(start_d)s
     AND f.scheduled_date < %(end_d)s AND f.state = 'completed')
"""


# --- the items ---------------------------------------------------------------------------------------


def run_items(args, s: Subjects) -> list[Result]:
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client
    from django.utils import timezone

    results: list[Result] = []
    it, warm = args.iterations, args.warmup
    today = s.today
    year = today.year - 1
    tz = timezone.get_current_timezone()
    from datetime import datetime

    start = datetime(year, 1, 1, tzinfo=tz)
    end = datetime(year + 1, 1, 1, tzinfo=tz)
    period = {
        "m": s.municipality.pk,
        "b": s.board.pk,
        "start": start,
        "end": end,
        "start_d": date(year, 1, 1),
        "end_d": date(year + 1, 1, 1),
        "today": today,
        "d": today,
    }

    def client_for(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    def get(client, url):
        return lambda: client.get(url)

    def ok(response):
        if response.status_code != 200:
            return f"HTTP {response.status_code}"
        return ""

    # The staff report form.
    from django.urls import NoReverseMatch, reverse

    try:
        create_url = reverse("incidents:deviation_create")
    except NoReverseMatch:
        create_url = None
    reporter = client_for(s.reporter)
    unit_floor = (
        """SELECT u.id, u.name FROM responsibility_assignment a JOIN responsibility_person p ON p.id = a.person_id
                     JOIN responsibility_unit u ON u.id = a.unit_id WHERE p.user_id = %(user)s AND a.role = 'REPORTER'
                     AND a.valid_from <= %(d)s AND (a.valid_to IS NULL OR a.valid_to >= %(d)s)""",
        {"user": s.reporter.pk, "d": today},
    )
    post_data = None
    if create_url is None:
        results += [not_available("Report form GET"), not_available("Report form POST")]
    else:
        results.append(
            measure(
                "Report form GET", get(reporter, create_url), iterations=it, warmup=warm, floor_sql=unit_floor, check=ok
            )
        )
        try:
            page = reporter.get(create_url)
            post_data = fill_form(page.content.decode(), today=today, overrides=report_overrides(page, s))
            from incidents.models import Deviation

            before = Deviation.objects.filter(reporter=s.reporter).count()
            probe = reporter.post(create_url, post_data)
            created = Deviation.objects.filter(reporter=s.reporter).count() - before
            if probe.status_code not in (302, 303) or created != 1:
                raise ValueError(f"POST gave HTTP {probe.status_code}, {created} rows")
            # The floor: one INSERT of a whole deviation row (copied from an existing one), rolled back.
            columns = [f.column for f in Deviation._meta.concrete_fields if not f.primary_key]
            selected = [
                "'BENCH-FLOOR'"
                if c == "reference"
                else ("now()" if c.endswith("_at") and c in ("created_at", "updated_at", "reported_at") else c)
                for c in columns
            ]
            insert_floor = (
                f"INSERT INTO incidents_deviation ({', '.join(columns)}) SELECT {', '.join(selected)} "  # noqa: S608 - model columns
                "FROM incidents_deviation WHERE id = %(id)s RETURNING id",
                {"id": s.deviation.pk},
            )
            results.append(
                measure(
                    "Report form POST",
                    lambda: reporter.post(create_url, post_data),
                    iterations=it,
                    warmup=0,
                    floor_sql=insert_floor,
                    check=lambda r: "" if r.status_code in (302, 303) else f"HTTP {r.status_code}",
                )
            )
        except Exception as exc:  # noqa: BLE001
            post_data = None
            results.append(not_available("Report form POST", f"error: {str(exc)[:100]}"))
        if post_data is not None:
            results.append(measure_api_post(s, post_data, iterations=it))

    # Queues.
    mas = client_for(s.mas)
    queue_floor = (
        """SELECT d.id, d.reference, d.state, d.due_at, u.name, c.name FROM incidents_deviation d
                      JOIN responsibility_unit u ON u.id = d.unit_id JOIN responsibility_board b ON b.id = u.board_id
                      JOIN incidents_deviationcategory c ON c.id = d.category_id
                      WHERE d.state = 'awaiting_mas_assessment' AND b.region_id = %(r)s ORDER BY d.due_at LIMIT 50""",
        {"r": s.board.region_id},
    )
    url = first_url(
        [
            ("incidents:mas_queue", [], ""),
            ("incidents:assessment_queue", [], ""),
            ("incidents:deviation_queue", [], "queue=mas"),
            ("incidents:deviation_list", [], ""),
        ]
    )
    results.append(
        measure("MAS assessment queue", get(mas, url), iterations=it, warmup=warm, floor_sql=queue_floor, check=ok)
        if url
        else not_available("MAS assessment queue")
    )
    manager = client_for(s.unit_manager)
    ec_floor = (
        """SELECT d.id, d.reference, d.state, d.due_at, c.name FROM incidents_deviation d
                   JOIN incidents_deviationcategory c ON c.id = d.category_id
                   WHERE d.unit_id = %(u)s AND d.state IN ('registered', 'investigating', 'actions')
                   ORDER BY d.due_at LIMIT 50""",
        {"u": s.unit.pk},
    )
    url = first_url(
        [
            ("incidents:unit_manager_queue", [], ""),
            ("incidents:investigation_queue", [], ""),
            ("incidents:deviation_queue", [], "queue=unit"),
            ("incidents:deviation_list", [], ""),
        ]
    )
    results.append(
        measure("Enhetschef queue", get(manager, url), iterations=it, warmup=warm, floor_sql=ec_floor, check=ok)
        if url
        else not_available("Enhetschef queue")
    )
    official = client_for(s.official)
    lm_floor = (
        """SELECT c.id, c.reference, c.state, c.decided_at, c.due_at, u.name FROM incidents_lexmariacase c
                   JOIN incidents_deviation d ON d.id = c.deviation_id JOIN responsibility_unit u ON u.id = d.unit_id
                   WHERE (c.board_id = %(b)s OR c.purchasing_board_id = %(b)s) AND c.state <> 'closed'
                   ORDER BY c.due_at NULLS LAST LIMIT 50""",
        {"b": s.board.pk},
    )
    url = first_url([("incidents:lex_maria_queue", [], "")])
    results.append(
        measure("Board Lex Maria queue", get(official, url), iterations=it, warmup=warm, floor_sql=lm_floor, check=ok)
        if url
        else not_available("Board Lex Maria queue")
    )

    # Issue 13: the start page as a dashboard (board official: the chart over two years; MAS: every figure)
    # and the global search (a word in descriptions; a reference that jumps to the case).
    dash_floor = (
        """SELECT date_trunc('month', d.occurred_at) AS m, count(*) FROM incidents_deviation d
                     JOIN responsibility_unit u ON u.id = d.unit_id WHERE u.board_id = %(b)s
                     AND d.occurred_at >= %(last)s AND d.state <> 'draft' GROUP BY m""",
        {"b": s.board.pk, "last": start.replace(year=year - 1)},
    )
    url = first_url([("home", [], "")])
    results.append(
        measure(
            "Start page, board official (largest board)",
            get(official, url),
            iterations=it,
            warmup=warm,
            floor_sql=dash_floor,
            check=ok,
        )
        if url
        else not_available("Start page")
    )
    results.append(
        measure("Start page, MAS", get(mas, url), iterations=it, warmup=warm, floor_sql=dash_floor, check=ok)
        if url
        else not_available("Start page, MAS")
    )
    search_floor = (
        """SELECT d.id, d.reference FROM incidents_deviation d WHERE d.mas_person_id = %(p)s
                       AND to_tsvector('swedish', d.description) @@ websearch_to_tsquery('swedish', 'föll')
                       ORDER BY d.occurred_at DESC LIMIT 21""",
        {"p": getattr(getattr(s.mas, "person", None), "pk", 0)},
    )
    url = first_url([("search", [], "q=f%C3%B6ll")])
    results.append(
        measure("Search, a word (MAS)", get(mas, url), iterations=it, warmup=warm, floor_sql=search_floor, check=ok)
        if url
        else not_available("Search, a word")
    )
    if s.deviation is not None and s.deviation.reference:
        url = first_url([("search", [], f"q={s.deviation.reference}")])
        results.append(
            measure(
                "Search, a reference (MAS)",
                get(mas, url),
                iterations=it,
                warmup=warm,
                floor_sql=None,
                check=lambda r: "" if r.status_code in (200, 302) else f"HTTP {r.status_code}",
            )
            if url
            else not_available("Search, a reference")
        )

    # Register pages.
    url = first_url([("responsibility:matrix", [], f"board={s.board.pk}")])
    results.append(
        measure(
            f"Matrix, largest board ({s.counts['board_units']} units)",
            get(mas, url),
            iterations=it,
            warmup=warm,
            floor_sql=(RESOLVE_SQL.format(where="u.board_id = %(b)s"), period),
            check=ok,
        )
        if url
        else not_available("Matrix, largest board")
    )
    url = first_url([("responsibility:unit_detail", [s.unit.code], "")])
    results.append(
        measure(
            "Unit page",
            get(mas, url),
            iterations=it,
            warmup=warm,
            floor_sql=(RESOLVE_SQL.format(where="u.id = %(u)s"), {**period, "u": s.unit.pk}),
            check=ok,
        )
        if url
        else not_available("Unit page")
    )
    dev_floor = (
        """SELECT d.*, u.name, c.name, (SELECT json_agg(t) FROM incidents_deviationtransition t
                    WHERE t.deviation_id = d.id), (SELECT json_agg(a) FROM incidents_deviationaction a
                    WHERE a.deviation_id = d.id) FROM incidents_deviation d JOIN responsibility_unit u ON u.id = d.unit_id
                    JOIN incidents_deviationcategory c ON c.id = d.category_id WHERE d.id = %(id)s""",
        {"id": s.deviation.pk if s.deviation else 0},
    )
    url = first_url([("incidents:deviation_detail", [s.deviation.pk], "")]) if s.deviation else None
    results.append(
        measure(
            "Deviation page (enhetschef)", get(manager, url), iterations=it, warmup=warm, floor_sql=dev_floor, check=ok
        )
        if url
        else not_available("Deviation page")
    )

    # The five reports: HTML through the view, PDF through the service the background task runs.
    reports = [
        (
            "deviations",
            "Avvikelserapport",
            {"period_from": f"{year}-01-01", "period_to": f"{year}-12-31"},
            (DEVIATION_REPORT_SQL, period),
        ),
        (
            "lex_maria",
            "Lex Maria-sammanställning",
            {"period_from": f"{year}-01-01", "period_to": f"{year}-12-31"},
            (LEX_MARIA_REPORT_SQL, period),
        ),
        (
            "followup",
            "Avtalsuppföljningsrapport",
            {"period_from": f"{year}-01-01", "period_to": f"{year}-12-31"},
            (FOLLOWUP_REPORT_SQL, period),
        ),
        (
            "responsibility",
            "Ansvarsfördelning",
            {"on": today.isoformat()},
            (RESOLVE_SQL.format(where="u.board_id = %(b)s"), period),
        ),
        ("patient_safety", "Patientsäkerhetsberättelse", {"year": str(year)}, (PATIENT_SAFETY_SQL, period)),
    ]
    try:
        detail = reverse("reports:report_detail")
    except NoReverseMatch:
        detail = None
    for kind, label, extra, floor in reports:
        query = urllib.parse.urlencode({"kind": kind, "scope": f"board:{s.board.code}", **extra})
        results.append(
            measure(
                f"{label} HTML", get(mas, f"{detail}?{query}"), iterations=it, warmup=warm, floor_sql=floor, check=ok
            )
            if detail
            else not_available(f"{label} HTML")
        )
        results.append(measure_pdf(f"{label} PDF", kind, s, extra, floor, iterations=args.pdf_iterations))

    # Commands over the whole dataset.
    results.append(
        measure(
            f"check_responsibility ({s.counts['units']} units)",
            lambda: call_command("check_responsibility", stdout=StringIO()),
            iterations=args.command_iterations,
            warmup=0,
            floor_sql=(RESOLVE_SQL.format(where="true"), period),
        )
    )

    def jobs_once():
        with transaction.atomic():
            call_command("run_scheduled_jobs", "--date", today.isoformat(), stdout=StringIO())
            transaction.set_rollback(True)  # the same work each time: nothing is kept

    jobs_floor = (
        """SELECT
        (SELECT count(*) FROM incidents_deviation WHERE state IN ('registered', 'investigating',
          'awaiting_mas_assessment', 'actions') AND due_at < %(d)s),
        (SELECT count(*) FROM followup_action WHERE state <> 'verified' AND deadline <= %(d)s + 7),
        (SELECT count(*) FROM followup_delegation WHERE revoked_at IS NULL AND valid_to BETWEEN %(d)s AND %(d)s + 30),
        (SELECT count(*) FROM followup_followup WHERE state IN ('planned', 'in_progress') AND scheduled_date <= %(d)s + 7),
        (SELECT count(*) FROM incidents_lexmariacase WHERE state <> 'closed' AND due_at < %(d)s)""",
        {"d": today},
    )
    results.append(
        measure(
            "run_scheduled_jobs (one day)",
            jobs_once,
            iterations=args.command_iterations,
            warmup=0,
            floor_sql=jobs_floor,
            note="in a rolled-back transaction",
        )
    )
    connection.close()
    return results, post_data


def api_post_body(post_data: dict) -> dict:
    """The report form's POST data as the API's JSON body (unit and category by code)."""
    from incidents.models import DeviationCategory
    from responsibility.models import Unit

    body = {
        k: post_data.get(k, "")
        for k in (
            "occurred_at",
            "discovered_at",
            "event_kind",
            "description",
            "immediate_actions",
            "patient_identifier",
            "reported_on_behalf_of",
        )
    }
    body["unit"] = Unit.objects.get(pk=post_data["unit"]).code
    body["category"] = DeviationCategory.objects.get(pk=post_data["category"]).code
    body["consequence"] = int(post_data["consequence"])
    body["probability"] = int(post_data["probability"])
    return body


def measure_api_post(s: Subjects, post_data: dict, *, iterations: int) -> Result:
    """The same report through POST /api/v1/deviations/ (issue 19), next to the form POST."""
    from django.test import Client, override_settings

    try:
        from api.services import api_client_create
    except ImportError:
        return not_available("API deviation POST")
    try:
        created = api_client_create(
            municipality=s.municipality, name=f"bench-{time.time_ns()}", scopes=["write:deviations"]
        )
        body = api_post_body(post_data)
        client = Client(headers={"Authorization": f"Bearer {created.token}"})
        with override_settings(API_RATE_LIMIT="1000000/min"):
            return measure(
                "API deviation POST",
                lambda: client.post("/api/v1/deviations/", body, content_type="application/json"),
                iterations=iterations,
                warmup=0,
                floor_sql=None,
                check=lambda r: "" if r.status_code == 201 else f"HTTP {r.status_code}",
            )
    except Exception as exc:  # noqa: BLE001
        return not_available("API deviation POST", f"error: {str(exc)[:100]}")


def report_post_data(s: Subjects) -> dict | None:
    """The report form filled in for the reporter (None when there is no form)."""
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    try:
        url = reverse("incidents:deviation_create")
    except NoReverseMatch:
        return None
    client = Client()
    client.force_login(s.reporter)
    page = client.get(url)
    return fill_form(page.content.decode(), today=s.today, overrides=report_overrides(page, s))


def report_overrides(page, s: Subjects) -> dict:
    """Values the generic form filler cannot guess: the unit of the report, a low risk."""
    overrides = {}
    html = page.content.decode()
    from bench.volume import personnummer

    for name, value in (
        ("unit", str(s.unit.pk)),
        ("consequence", "1"),
        ("probability", "2"),
        ("patient_identifier", personnummer(4711)),
        ("reported_on_behalf_of", ""),
    ):
        if f'name="{name}"' in html:
            overrides[name] = value
    return overrides


def measure_pdf(name: str, kind: str, s: Subjects, extra: dict, floor, *, iterations: int) -> Result:
    try:
        from reports import services
        from reports.builders import build_report
    except ImportError:
        return not_available(name)
    dates = {k: date.fromisoformat(v) for k, v in extra.items() if k in ("period_from", "period_to", "on")}
    params = services.check_params(
        user=None,
        kind=kind,
        scope_token=f"board:{s.board.code}",
        year=int(extra["year"]) if "year" in extra else None,
        **dates,
    )

    def call():
        data = build_report(params=params, produced_by="bench")
        return services.render_pdf(data=data)

    return measure(
        name,
        call,
        iterations=iterations,
        warmup=1,
        floor_sql=floor,
        check=lambda pdf: "" if pdf[:4] == b"%PDF" else "no PDF",
    )


# --- the load run ----------------------------------------------------------------------------------------

WRK_LUA = """
wrk.method = "POST"
wrk.body = {body}
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = {cookie}
wrk.headers["Referer"] = {referer}
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ensure_wrk() -> str | None:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("Installing wrk (apt-get install -y wrk) …")
        subprocess.run(["apt-get", "install", "-y", "wrk"], check=False, capture_output=True, timeout=300)  # noqa: S603, S607
        return shutil.which("wrk")
    print("wrk is missing: install it with `sudo apt-get install -y wrk` (Debian/Ubuntu) and rerun.")
    return None


class Session:
    """A logged-in HTTP session with urllib: cookies kept, redirects not followed."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *a, **k):
            return None

    def __init__(self, base: str):
        self.base = base
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), self._NoRedirect)

    def request(self, path: str, data: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body, headers={"Referer": self.base + path})  # noqa: S310
        try:
            with self.opener.open(req, timeout=30) as resp:  # noqa: S310 - http on loopback
                return resp.status, resp.read().decode(errors="replace")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(errors="replace")

    def cookie(self, name: str) -> str:
        return next((c.value for c in self.jar if c.name == name), "")


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    return match.group(1) if match else ""


def load_run(args, env: dict, s: Subjects, post_data: dict | None) -> dict:
    """gunicorn + wrk on loopback, bounded in time; returns throughput, p99, errors."""
    from django.urls import reverse

    from incidents.models import Deviation

    if post_data is None:
        return {"status": "not available (no working report POST)"}
    wrk = ensure_wrk()
    if wrk is None:
        return {"status": "not available (wrk missing)"}
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    workers = args.workers or (os.cpu_count() or 1) * 2
    gunicorn_env = {**os.environ, **env, "DJANGO_CONN_MAX_AGE": "60"}
    log = tempfile.NamedTemporaryFile(prefix="bench-gunicorn-", suffix=".log", delete=False)  # noqa: SIM115 - gunicorn writes it
    proc = subprocess.Popen(  # noqa: S603
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "masportal.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--timeout",
            "30",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=gunicorn_env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{base}{reverse('healthz')}", timeout=2):  # noqa: S310 - loopback
                    break
            except Exception:  # noqa: BLE001 - not up yet
                time.sleep(0.3)
        else:
            return {"status": "gunicorn did not start"}
        session = Session(base)
        login = reverse("login")
        _status, html = session.request(login)
        status, _html = session.request(
            login, {"username": s.reporter.username, "password": "volym", "csrfmiddlewaretoken": csrf_from(html)}
        )
        if status not in (302, 303):
            return {"status": f"login failed (HTTP {status})"}
        create = reverse("incidents:deviation_create")
        _status, html = session.request(create)
        body = {**post_data, "csrfmiddlewaretoken": csrf_from(html)}
        status, _html = session.request(create, body)
        if status not in (302, 303):
            return {"status": f"report POST over HTTP failed (HTTP {status})"}
        cookie = f"csrftoken={session.cookie('csrftoken')}; sessionid={session.cookie('sessionid')}"
        lua = WRK_LUA.format(
            body=json.dumps(urllib.parse.urlencode(body)), cookie=json.dumps(cookie), referer=json.dumps(base + create)
        )
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(lua)
        before = Deviation.objects.filter(reporter=s.reporter).count()
        print(
            f"Load run: wrk -t2 -c{args.connections} -d{args.load_seconds}s POST {create} "
            f"(gunicorn {workers} workers) …",
            flush=True,
        )
        out = subprocess.run(  # noqa: S603 - wrk found on PATH, arguments ours
            [
                wrk,
                "-t2",
                f"-c{args.connections}",
                f"-d{args.load_seconds}s",
                "--latency",
                "--timeout",
                "10s",
                "-s",
                script.name,
                base + create,
            ],
            capture_output=True,
            text=True,
            timeout=args.load_seconds + 60,
            check=False,
        ).stdout
        os.unlink(script.name)
        created = Deviation.objects.filter(reporter=s.reporter).count() - before
        return parse_wrk(out, created=created, workers=workers, connections=args.connections, seconds=args.load_seconds)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)
        log.close()
        errors = Path(log.name).read_text(errors="replace").strip()
        if errors:
            print(f"gunicorn log ({log.name}):\n{errors[-1500:]}")
        os.unlink(log.name)
        if env.get("CELERY_BROKER_URL") == REDIS_URL:
            with contextlib.suppress(Exception):
                import redis

                redis.Redis.from_url(REDIS_URL).flushdb()  # the e-mails queued by the load run; nobody consumes them


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def parse_wrk(out: str, *, created: int, workers: int, connections: int, seconds: int) -> dict:
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s|m)\b", out, re.M)
    p50 = re.search(r"^\s+50%\s+([\d.]+)(us|ms|s|m)\b", out, re.M)
    total = re.search(r"(\d+) requests in", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    requests = int(total.group(1)) if total else 0
    errors = (int(non2xx.group(1)) if non2xx else 0) + (sum(int(x) for x in sock.groups()) if sock else 0)
    return {
        "status": "ok" if rps else "wrk output not understood",
        "rps": float(rps.group(1)) if rps else None,
        "p50_ms": _ms(*p50.groups()) if p50 else None,
        "p99_ms": _ms(*p99.groups()) if p99 else None,
        "requests": requests,
        "errors": errors,
        "rows_created": created,
        "workers": workers,
        "connections": connections,
        "seconds": seconds,
        "raw": out.strip(),
    }


# --- output ----------------------------------------------------------------------------------------------------


def fmt(value: float | None, spec: str = ".1f") -> str:
    return "–" if value is None else format(value, spec)


PDF_TARGETS = {"Avvikelserapport PDF": 5000.0, "Patientsäkerhetsberättelse PDF": 10000.0}


def table(results: list[Result]) -> list[str]:
    lines = [
        "| Item | p50 ms | p95 ms | queries | SQL floor ms | p95/floor | target |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        if r.name in PDF_TARGETS:
            verdict = (
                r.verdict(p95_target=None)
                if r.status != "ok"
                else (
                    "met"
                    if r.p95 is not None and r.p95 <= PDF_TARGETS[r.name]
                    else f"p95>{PDF_TARGETS[r.name] / 1000:.0f}s"
                )
            )
        elif r.name.startswith("check_responsibility"):
            verdict = r.status if r.status != "ok" else ("met (≤10 s)" if (r.p95 or 0) <= 10_000 else "p95>10s")
        elif r.name.endswith("PDF") or r.name.startswith("run_scheduled_jobs"):
            verdict = r.status if r.status != "ok" else "–"
        else:
            verdict = r.verdict()
        queries = "–" if r.queries is None else f"≥{r.queries}" if r.capped else str(r.queries)
        lines.append(
            f"| {r.name} | {fmt(r.p50)} | {fmt(r.p95)} | {queries} | "
            f"{fmt(r.floor, '.2f')} | {fmt(r.ratio)} | {verdict} |"
        )
    return lines


def load_lines(load: dict) -> list[str]:
    if load.get("status") != "ok":
        return [f"Load run: {load.get('status')}"]
    # Requests still in flight when wrk stops complete on the server: at least one row per counted request.
    met = (load["rps"] or 0) >= 150 and load["errors"] == 0 and load["rows_created"] >= load["requests"]
    return [
        f"Load run (report POST, gunicorn {load['workers']} sync workers, wrk {load['connections']} connections, "
        f"{load['seconds']} s): **{fmt(load['rps'])} requests/s**, p50 {fmt(load['p50_ms'])} ms, "
        f"p99 {fmt(load['p99_ms'])} ms, {load['requests']} requests, {load['errors']} errors, "
        f"{load['rows_created']} deviations created — target ≥150/s, no errors: {'met' if met else 'not met'}",
    ]


def machine() -> dict:
    from django.db import connection

    mem = ""
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        mem = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, AttributeError):
        pass
    cpu = ""
    with contextlib.suppress(OSError, AttributeError):
        cpu = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text()).group(1).strip()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            db = f"PostgreSQL {cursor.fetchone()[0]}"
        else:
            cursor.execute("SELECT sqlite_version()")
            db = f"SQLite {cursor.fetchone()[0]}"
    return {
        "nproc": os.cpu_count(),
        "memory": mem,
        "cpu": cpu,
        "database": db,
        "python": platform.python_version(),
        "load": os.getloadavg()[0],
    }


def write_results(args, lines: list[str]) -> None:
    path = ROOT / "bench" / "RESULTS.md"
    marker = f"<!-- bench:{args.db}:{args.scale} -->"
    end = "<!-- /bench -->"
    text = (
        path.read_text()
        if path.exists()
        else (
            "# Benchmark results\n\nWritten by `bench/run.py --write`; one section per database and scale.\n"
            "Targets (issue 7, PostgreSQL, 2 cores, 1,000,000 deviations): every page p95 ≤ 150 ms and within 3× its "
            "SQL floor; report POST ≥ 150 requests/s for 60 s without errors; Avvikelserapport PDF ≤ 5 s, "
            "patientsäkerhetsberättelse ≤ 10 s; check_responsibility over 10,000 units ≤ 10 s.\n"
        )
    )
    section = "\n".join([marker, *lines, end])
    if marker in text:
        text = re.sub(re.escape(marker) + r".*?" + re.escape(end), lambda _m: section, text, flags=re.S)
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    path.write_text(text)
    print(f"Wrote {path.relative_to(ROOT)}")


# --- main ------------------------------------------------------------------------------------------------------


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--scale", choices=list(SCALES), default="100k")
    parser.add_argument("--skip-generate", action="store_true", help="never generate; use the data that is there")
    parser.add_argument("--iterations", type=int, default=20, help="timed requests per page (after warm-up)")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--pdf-iterations", type=int, default=3)
    parser.add_argument("--command-iterations", type=int, default=2)
    parser.add_argument("--load-seconds", type=int, default=60)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=0, help="gunicorn workers (default 2 × nproc)")
    parser.add_argument("--no-load", action="store_true", help="skip the gunicorn + wrk load run")
    parser.add_argument("--only", help="run only items whose name contains this text (no load run)")
    parser.add_argument("--write", action="store_true", help="write the results to bench/RESULTS.md")
    args = parser.parse_args(argv)

    global ONLY
    ONLY = (args.only or "").lower()
    env = configure_environment(args)
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from responsibility.models import Municipality

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    municipalities, deviations = SCALES[args.scale]
    have = Municipality.objects.filter(code__startswith="vol-").count()
    if not args.skip_generate and have < municipalities:
        print(f"Generating {municipalities} municipalities, {deviations:,} deviations …", flush=True)
        t = time.monotonic()
        call_command(
            "generate_volume",
            municipalities=municipalities,
            deviations=deviations,
            years=3,
            seed=1,
            today=timezone.localdate().isoformat(),
        )
        print(f"generate_volume: {time.monotonic() - t:.0f} s", flush=True)
    subjects = find_subjects()
    info = machine()
    print(f"Dataset: {json.dumps(subjects.counts)}")
    print(
        f"Largest board {subjects.board.code} ({subjects.counts['board_units']} units), unit {subjects.unit.code}; "
        f"{info['database']}, {info['nproc']} CPUs, {info['memory']}"
    )
    results, post_data = run_items(args, subjects)
    if post_data is None and ONLY == "load":
        post_data = report_post_data(subjects)
    if args.only:
        results = [r for r in results if r.status != "skipped"]
    lines = table(results)
    print("\n".join(lines))
    skip_load = args.no_load or (args.only and ONLY != "load")
    load = {"status": "skipped"} if skip_load else load_run(args, env, subjects, post_data)
    llines = load_lines(load)
    print("\n".join(llines))
    if load.get("raw"):
        print(load["raw"])
    if args.write:
        header = [
            f"## {info['database']}, scale {args.scale}",
            "",
            f"Run {timezone.localtime():%Y-%m-%d %H:%M} · {info['nproc']} CPUs ({info['cpu']}) · {info['memory']} RAM · "
            f"Python {info['python']} · load average at start {info['load']:.1f} · "
            f"`bench/run.py --db {args.db} --scale {args.scale}`",
            "",
            "Dataset: "
            + ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in subjects.counts.items())
            + f"; largest board `{subjects.board.code}`.",
            "",
        ]
        write_results(args, header + lines + [""] + llines)
    print(f"Bench finished in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
