"""A broker outage loses nothing: the deviation is saved and confirmed, notifications wait in the outbox."""

from __future__ import annotations

import shutil
import subprocess
import time
from contextlib import contextmanager
from datetime import timedelta

import pytest
import redis
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from core.models import Notification
from incidents.jobs import deliver_notifications
from incidents.models import Deviation, DeviationState
from masportal.celery import app
from tests.factories import category, unit, user
from tests.incidents.deviation_helpers import VALID_PNR
from tests.processes import free_port

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server on PATH to stop a real broker"),
]


def _start(port: int) -> subprocess.Popen:
    server = subprocess.Popen(  # noqa: S603
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],  # noqa: S607
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=0.2)
    for _ in range(100):
        try:
            if client.ping():
                return server
        except redis.exceptions.ConnectionError:
            time.sleep(0.05)
    server.kill()
    pytest.fail("our own redis-server did not start")


def _stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.terminate()
        server.wait(timeout=10)


def _reset_celery_pools() -> None:
    app._pool = None
    app.amqp._producer_pool = None


@contextmanager
def _broker(url: str, monkeypatch):
    """Point the Celery app, the environment (which Celery prefers) and the settings at ``url``; restore all."""
    monkeypatch.setenv("CELERY_BROKER_URL", url)
    previous = app.conf.get("broker_url")
    app.conf.broker_url = url
    _reset_celery_pools()
    try:
        with override_settings(CELERY_BROKER_URL=url, CELERY_BROKER_TRANSPORT_OPTIONS={}):
            yield
    finally:
        app.conf.broker_url = previous
        _reset_celery_pools()


def test_stopped_redis_loses_no_deviation_nor_notification(
    client, django_capture_on_commit_callbacks, caplog, monkeypatch
):
    """With Redis really stopped the report is saved and confirmed; the job delivers the e-mail once it can."""
    port = free_port()
    server = _start(port)
    try:
        with _broker(f"redis://127.0.0.1:{port}/0", monkeypatch):
            assert app.connection_for_write().as_uri().endswith(f":{port}//0") or str(port) in app.conf.broker_url
            _stop(server)
            client.force_login(user("rapportor"))
            occurred = timezone.localtime() - timedelta(hours=2)
            with django_capture_on_commit_callbacks(execute=True):
                response = client.post(
                    reverse("incidents:deviation_create"),
                    {
                        "unit": unit("hage-01").pk,
                        "occurred_at": occurred.strftime("%Y-%m-%dT%H:%M"),
                        "discovered_at": occurred.strftime("%Y-%m-%dT%H:%M"),
                        "category": category().pk,
                        "event_kind": "occurred",
                        "description": "Boende föll.",
                        "patient_identifier": VALID_PNR,
                        "consequence": "4",
                        "probability": "3",
                        "submit": "1",
                    },
                    follow=True,
                )
            deviation = Deviation.objects.filter(reporter__username="rapportor").order_by("-pk").first()
            assert response.status_code == 200
            assert deviation.state == DeviationState.REGISTERED
            assert f"registrerad med referens {deviation.reference}" in response.content.decode()
            notes = Notification.objects.filter(dedupe_key__startswith=f"deviation:{deviation.pk}:")
            assert {n.recipient.username for n in notes} == {"rapportor", "enhetschef", "verksamhetschef", "mas"}
            assert all(n.email_status == Notification.EmailStatus.PENDING for n in notes)
            assert mail.outbox == []
            assert "Broker unavailable" in caplog.text  # the on-commit publish really met the stopped Redis

            server = _start(port)  # the broker is back; the periodic job delivers what waited
            counts = deliver_notifications(on=timezone.localdate(), batch_size=500)
            assert counts["sent"] >= 4
            mine = [m for m in mail.outbox if deviation.reference in m.subject]
            assert sorted(m.to[0].split("@")[0] for m in mine) == [
                "ec-hage-01",
                "mas-vastra-soderort",
                "staff-hage-01",
                "vc-hagersten-liljeholmen",
            ]
            assert not any("1212" in m.body.replace(deviation.reference, "") for m in mine)
            assert all(n.email_status == Notification.EmailStatus.SENT for n in notes.all())
            assert deliver_notifications(on=timezone.localdate(), batch_size=500)["sent"] == 0
    finally:
        _stop(server)


def test_reports_reuse_one_broker_connection_and_reconnect_after_a_restart(monkeypatch):
    """Asking for delivery again opens no new broker connection; after Redis restarts the next request gets through."""
    from core.services import queue_delivery

    port = free_port()
    server = _start(port)
    try:
        with _broker(f"redis://127.0.0.1:{port}/0", monkeypatch):
            admin = redis.Redis(host="127.0.0.1", port=port)
            queue_delivery()
            opened = admin.info("stats")["total_connections_received"]
            for _ in range(5):
                queue_delivery()
            assert admin.info("stats")["total_connections_received"] == opened
            assert admin.llen("celery") == 6

            _stop(server)
            queue_delivery()  # refused at once; the e-mail waits in the outbox for the periodic job
            server = _start(port)
            queue_delivery()
            assert redis.Redis(host="127.0.0.1", port=port).llen("celery") == 1
    finally:
        _stop(server)
