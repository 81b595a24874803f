"""Fault drills with real components: a worker killed mid-report, the database connection cut mid-POST.

(The SMTP drill is in tests/masportal/test_outbox.py, the 2,000-overdue drill in
tests/incidents/test_reminder_batches.py, stopped Redis in tests/test_foundation.py.)
"""

from __future__ import annotations

import os
import re
import signal
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import date

import pytest
from django.conf import settings
from django.db import connection
from django.db.backends.utils import CursorWrapper

from reports import services as report_services
from reports.choices import ReportState
from reports.models import GeneratedReport
from tests.processes import start_worker, worker_env
from tests.reports.seed import seed_period


def _wait(predicate, seconds: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


def _state(pk: int) -> tuple[str, int]:
    return GeneratedReport.objects.filter(pk=pk).values_list("state", "progress").get()


@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_report_ends_done_or_failed_with_retry_never_stuck(live_demo, demo_user, settings):
    """SIGKILL the worker while it renders: the report is redelivered and finishes (Redis, visibility
    timeout), or — where the broker lost the message — stale_reports fails it and "Försök igen" finishes it."""
    start = date(date.today().year - 1, 1, 1)  # noqa: DTZ011 - only the year matters
    seed_period(start=start)
    queue = f"drill-{uuid.uuid4().hex[:8]}"
    settings.REPORTS_QUEUE = queue
    env = worker_env(
        MASPORTAL_REPORT_LEASE_SECONDS="2",
        MASPORTAL_BROKER_VISIBILITY_TIMEOUT="4",
        MASPORTAL_BROKER_RESTORE_INTERVAL="1",
        MASPORTAL_BROKER_RESTORE_THROTTLE="1",
    )
    user = demo_user("tjansteman")
    params = report_services.check_params(
        user=user,
        kind="deviations",
        scope_token="board:hagersten-liljeholmen",  # noqa: S106
        period_from=start,
        period_to=date(start.year, 12, 31),
    )
    worker = start_worker(queue, env=env, new_session=True)
    second = None
    try:
        report = report_services.report_order(user=user, params=params)
        assert _wait(lambda: _state(report.pk)[0] == ReportState.RUNNING, 90), worker.stdout.read().decode()
        assert _state(report.pk)[0] == ReportState.RUNNING  # mid-report: the PDF is not done yet
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
        time.sleep(2.5)  # past the lease: the run is abandoned
        second = start_worker(queue, env=env, new_session=True)
        redelivered = _wait(lambda: _state(report.pk)[0] == ReportState.DONE, 45, step=0.3)
        if not redelivered:
            # The broker lost the unacknowledged message (the embedded filesystem broker has no redelivery).
            assert _state(report.pk)[0] in (ReportState.QUEUED, ReportState.RUNNING)
            settings.REPORT_STALE_MINUTES = 0
            assert report_services.reports_mark_stale() == 1
            report.refresh_from_db()
            assert report.state == ReportState.FAILED
            assert report_services.may_retry(report)
            report_services.report_retry(user=user, report=report)
            assert _wait(lambda: _state(report.pk)[0] == ReportState.DONE, 90, step=0.3), (
                second.stdout.read().decode() if second.poll() is not None else "not done"
            )
        if settings.CELERY_BROKER_URL.startswith("redis"):
            assert redelivered, "Redis must redeliver the unacknowledged report after the visibility timeout"
        report.refresh_from_db()
        assert report.state == ReportState.DONE
        assert report.file.read().startswith(b"%PDF")
        assert 2 <= report.attempts <= settings.REPORT_MAX_ATTEMPTS
    finally:
        for process in (worker, second):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=20)


class _Browser:
    """A minimal HTTP client with the test user's session, talking to the live server over a real socket."""

    def __init__(self, live_server, client, user):
        client.force_login(user)
        self.base = live_server.url
        self.cookies = {"sessionid": client.cookies["sessionid"].value}

    def open(self, path: str, data: dict | None = None) -> tuple[int, str]:
        url = self.base + path
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), "Referer": url}
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(url, data=body, headers=headers)  # noqa: S310 - our live server
        try:
            with urllib.request.urlopen(request) as response:  # noqa: S310
                self._keep(response.headers.get_all("Set-Cookie") or [])
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def _keep(self, set_cookies: list[str]) -> None:
        for line in set_cookies:
            name, _sep, rest = line.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]


def _post_report(browser: _Browser, form: dict) -> tuple[int, str]:
    status, page = browser.open("/avvikelser/ny/")
    assert status == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    return browser.open("/avvikelser/ny/", {**form, "csrfmiddlewaretoken": token})


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="PostgreSQL only")
def test_database_connection_cut_mid_deviation_post_gives_swedish_page_saves_nothing_next_works(
    live_server, live_demo, client, demo_user, monkeypatch
):
    """pg_terminate_backend on the web process's connection in the middle of the report POST: a clear
    Swedish 503 page, no deviation (nor half of one) saved, and the next POST works (Django reconnects)."""
    import psycopg

    from incidents.models import Deviation
    from tests.incidents.test_deviation_views import _form

    db = settings.DATABASES["default"]
    killer_dsn = f"host={db['HOST'] or '127.0.0.1'} port={db['PORT'] or 5432} user={db['USER']} dbname={db['NAME']}"
    armed = {"cut": True}
    original = CursorWrapper.execute

    def execute(self, sql, params=None):
        # In the web server's thread: cut this very connection from the server side, then let the INSERT run.
        if armed["cut"] and isinstance(sql, str) and sql.startswith('INSERT INTO "incidents_deviation"'):
            armed["cut"] = False
            pid = self.db.connection.info.backend_pid
            with psycopg.connect(killer_dsn, autocommit=True) as killer:
                killer.execute("SELECT pg_terminate_backend(%s)", [pid])
        return original(self, sql, params)

    form = dict(_form(description="Avbruten anslutning: boende föll."))
    before = Deviation.objects.count()
    browser = _Browser(live_server, client, demo_user("rapportor"))
    monkeypatch.setattr(CursorWrapper, "execute", execute)
    try:
        status, body = _post_report(browser, form)
    finally:
        monkeypatch.setattr(CursorWrapper, "execute", original)
    assert status == 503
    assert "Anslutningen till databasen bröts" in body
    assert "Inget av det sparades" in body
    assert Deviation.objects.count() == before
    assert not Deviation.objects.filter(description="Avbruten anslutning: boende föll.").exists()
    assert not armed["cut"]

    status, body = _post_report(browser, form)
    assert status == 200  # followed the redirect to the saved deviation
    assert Deviation.objects.filter(description="Avbruten anslutning: boende föll.").count() == 1
    connection.close()
