"""The measured pages, in process through Django's test client: the report form, the queues and lists, the start
pages and search (issue 13), the register pages. Reports, PDFs and commands are in ``bench.items_reports``."""

from __future__ import annotations

import time
import urllib.parse
from datetime import datetime

from bench import floors
from bench.items_reports import command_items, report_items
from bench.measure import Result, Target, measure, not_available, skipped
from bench.subjects import Subjects, first_url, report_form_data

# Issue 17: every page p95 ≤ 150 ms; a data page within 2× its SQL floor plus Django's fixed cost (≤ 3 ms).
PAGE = Target(p95_ms=150, floor_factor=2, allowance_ms=3)
MAS_LIST = Target(p95_ms=30, floor_factor=2, allowance_ms=3)  # flat in data size, ≤ 30 ms at 1M
MATRIX = Target(p95_ms=20, floor_factor=2, allowance_ms=3)
POST = Target(p95_ms=150, python_ms=5)  # ≤ 5 ms of Python per POST


def period_of(s: Subjects) -> dict:
    """The parameters of the floors: last calendar year, the board, the municipality, today."""
    from datetime import date

    from django.utils import timezone

    tz = timezone.get_current_timezone()
    year = s.today.year - 1
    return {
        "m": s.municipality.pk,
        "b": s.board.pk,
        "u": s.unit.pk,
        "start": datetime(year, 1, 1, tzinfo=tz),
        "end": datetime(year + 1, 1, 1, tzinfo=tz),
        "start_d": date(year, 1, 1),
        "end_d": date(year + 1, 1, 1),
        "two_years": datetime(year - 1, 1, 1, tzinfo=tz),
        "today": s.today,
        "d": s.today,
        "p": s.mas.person.pk,
        "year": year,
    }


def run_items(args, s: Subjects) -> list[Result]:
    """Every item, in order (skipped ones marked so)."""
    from django.db import connection
    from django.test import Client

    period = period_of(s)
    it, warm = args.iterations, args.warmup

    def client_for(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    def page(name, user, url, floor, *, target=PAGE, check=None):
        if url is None:
            return not_available(name, target=target)
        client = client_for(user)
        return measure(
            name,
            lambda: client.get(url),
            iterations=it,
            warmup=warm,
            floor_sql=floor,
            target=target,
            check=check or ok,
        )

    results = report_form_items(args, s)
    mas, official, manager = s.mas, s.official, s.unit_manager
    results.append(
        page(
            "MAS assessment queue",
            mas,
            first_url([("incidents:assessment_queue", [], "")]),
            (floors.MAS_QUEUE_SQL, period),
        )
    )
    list_url = first_url([("incidents:deviation_list", [], "")])
    results.append(
        page("MAS deviation list", mas, list_url, (floors.MAS_LIST_SQL.format(category=""), period), target=MAS_LIST)
    )
    if s.category is not None and list_url:
        results.append(
            page(
                "MAS deviation list, category filter",
                mas,
                f"{list_url}?{urllib.parse.urlencode({'category': s.category.pk})}",
                (floors.MAS_LIST_SQL.format(category="AND d.category_id = %(c)s"), {**period, "c": s.category.pk}),
                target=MAS_LIST,
            )
        )
    else:
        results.append(not_available("MAS deviation list, category filter", "no category in the MAS's queue"))
    results.append(
        page(
            "Enhetschef queue",
            manager,
            first_url([("incidents:deviation_list", [], "")]),
            (floors.UNIT_QUEUE_SQL, period),
        )
    )
    results.append(
        page(
            "Board Lex Maria queue",
            official,
            first_url([("incidents:lex_maria_queue", [], "")]),
            (floors.LEX_MARIA_QUEUE_SQL, period),
        )
    )
    # Issue 13: the start page as a dashboard, and the global search.
    home = first_url([("home", [], "")])
    results.append(page("Start page, board official (largest board)", official, home, (floors.DASHBOARD_SQL, period)))
    results.append(page("Start page, MAS", mas, home, (floors.DASHBOARD_SQL, period)))
    results.append(
        page("Search, a word (MAS)", mas, first_url([("search", [], "q=f%C3%B6ll")]), (floors.SEARCH_SQL, period))
    )
    if s.deviation is not None and s.deviation.reference:
        results.append(
            page(
                "Search, a reference (MAS)",
                mas,
                first_url([("search", [], urllib.parse.urlencode({"q": s.deviation.reference}))]),
                None,
                check=lambda r: "" if r.status_code in (200, 302) else f"HTTP {r.status_code}",
            )
        )
    # Register pages.
    results.append(
        page(
            f"Matrix, largest board ({s.counts['board_units']} units)",
            mas,
            first_url([("responsibility:matrix", [], f"board={s.board.pk}")]),
            (floors.RESOLVE_SQL.format(where="u.board_id = %(b)s"), period),
            target=MATRIX,
        )
    )
    results.append(
        page(
            "Unit page",
            mas,
            first_url([("responsibility:unit_detail", [s.unit.code], "")]),
            (floors.RESOLVE_SQL.format(where="u.id = %(u)s"), period),
        )
    )
    deviation_url = first_url([("incidents:deviation_detail", [s.deviation.pk], "")]) if s.deviation else None
    results.append(
        page(
            "Deviation page (enhetschef)",
            manager,
            deviation_url,
            (floors.DEVIATION_SQL, {"id": s.deviation.pk if s.deviation else 0}),
        )
    )
    results += report_items(args, s, period, client_for(mas), page_target=PAGE)
    results += command_items(args, s, period)
    connection.close()
    return results


def ok(response) -> str:
    return "" if response.status_code == 200 else f"HTTP {response.status_code}"


def report_form_items(args, s: Subjects) -> list[Result]:
    """The staff report form (GET, POST) and the same report through the API, all into the poster's unit."""
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    from incidents.models import Deviation

    names = ["Report form GET", "Report form POST", "API deviation POST"]
    try:
        url = reverse("incidents:deviation_create")
    except NoReverseMatch:
        return [not_available(n) for n in names]
    reporter = Client()
    reporter.force_login(s.poster)
    results = [
        measure(
            names[0],
            lambda: reporter.get(url),
            iterations=args.iterations,
            warmup=args.warmup,
            floor_sql=(floors.FORM_UNITS_SQL, {"user": s.poster.pk, "d": s.today}),
            target=PAGE,
            check=ok,
        )
    ]
    if all(skipped(n) for n in names[1:]):
        return results + [Result(n, status="skipped") for n in names[1:]]
    try:
        post_data = report_form_data(reporter.get(url).content.decode(), s)
        before = Deviation.objects.filter(reporter=s.poster).count()
        probe = reporter.post(url, post_data)
        created = Deviation.objects.filter(reporter=s.poster).count() - before
        if probe.status_code not in (302, 303) or created != 1:
            raise ValueError(f"POST gave HTTP {probe.status_code}, {created} rows")
    except Exception as exc:  # noqa: BLE001
        return results + [not_available(n, f"error: {str(exc)[:100]}", target=POST) for n in names[1:]]
    latest = Deviation.objects.filter(reporter=s.poster).order_by("-pk").first()
    results.append(
        measure(
            names[1],
            lambda: reporter.post(url, post_data),
            iterations=args.iterations,
            warmup=0,
            floor_sql=floors.insert_floor(Deviation, copy_of=latest.pk),
            target=POST,
            check=lambda r: "" if r.status_code in (302, 303) else f"HTTP {r.status_code}",
        )
    )
    results.append(measure_api_post(s, post_data, iterations=args.iterations))
    return results


def api_post_body(post_data: dict) -> dict:
    """The report form's POST data as the API's JSON body (unit and category by code)."""
    from incidents.models import DeviationCategory
    from responsibility.models import Unit

    keys = (
        "occurred_at",
        "discovered_at",
        "event_kind",
        "description",
        "immediate_actions",
        "patient_identifier",
        "reported_on_behalf_of",
    )
    body = {k: post_data.get(k, "") for k in keys}
    body["unit"] = Unit.objects.get(pk=post_data["unit"]).code
    body["category"] = DeviationCategory.objects.get(pk=post_data["category"]).code
    body["consequence"] = int(post_data["consequence"])
    body["probability"] = int(post_data["probability"])
    return body


def measure_api_post(s: Subjects, post_data: dict, *, iterations: int) -> Result:
    """The same report through POST /api/v1/deviations/ (issue 19), next to the form POST."""
    from django.test import Client, override_settings

    name = "API deviation POST"
    if skipped(name):
        return Result(name, status="skipped")
    try:
        from api.services import api_client_create
    except ImportError:
        return not_available(name)
    try:
        created = api_client_create(
            municipality=s.post_unit.municipality, name=f"bench-{time.time_ns()}", scopes=["write:deviations"]
        )
        body = api_post_body(post_data)
        client = Client(headers={"Authorization": f"Bearer {created.token}"})
        with override_settings(API_RATE_LIMIT="1000000/min"):
            return measure(
                name,
                lambda: client.post("/api/v1/deviations/", body, content_type="application/json"),
                iterations=iterations,
                warmup=0,
                floor_sql=None,
                target=POST,
                check=lambda r: "" if r.status_code == 201 else f"HTTP {r.status_code}",
            )
    except Exception as exc:  # noqa: BLE001
        return not_available(name, f"error: {str(exc)[:100]}", target=POST)
