"""The outbox against a real local SMTP server (aiosmtpd): no lock while sending, retry, exactly once, failed list."""

from __future__ import annotations

from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core import services
from core.models import Notification
from tests.processes import free_port

pytestmark = pytest.mark.django_db


class Inbox:
    """aiosmtpd handler keeping every message it accepts."""

    def __init__(self):
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(envelope.content)
        return "250 OK"


@pytest.fixture
def smtp(settings):
    """A real SMTP server on a free port; ``start()``/``stop()`` it in the test."""
    port = free_port()
    inbox = Inbox()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 5
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False

    class Server:
        controller = None

        def start(self):
            self.controller = Controller(inbox, hostname="127.0.0.1", port=port)
            self.controller.start()

        def stop(self):
            if self.controller is not None:
                self.controller.stop()
                self.controller = None

    server = Server()
    server.inbox = inbox
    yield server
    server.stop()


@pytest.fixture
def note(demo_user):
    """One pending notification to the demo MAS (every other one is out of the way)."""
    Notification.objects.filter(email_status=Notification.EmailStatus.PENDING).update(
        email_status=Notification.EmailStatus.SKIPPED
    )
    mas = demo_user("mas")
    mas.email = "mas@example.se"
    mas.save(update_fields=["email"])
    services.notify(
        recipients=[mas],
        kind="test",
        subject="Påminnelse AV-2026-000001",
        body="Öppna ärendet.",
        dedupe_key="drill:smtp",
    )
    return Notification.objects.get(dedupe_key="drill:smtp")


def test_smtp_down_keeps_notifications_pending_and_delivers_exactly_once_when_back(smtp, note, settings):
    """Fault drill: the SMTP server is stopped → pending with backoff; started again → one e-mail, never two."""
    settings.EMAIL_RETRY_BASE_SECONDS = 60
    t0 = timezone.now()
    result = services.deliver_pending_notifications(now=t0)
    assert (result["sent"], result["retry"]) == (0, 1)
    note.refresh_from_db()
    assert note.email_status == Notification.EmailStatus.PENDING
    assert note.email_attempts == 1
    assert note.email_next_attempt_at >= t0 + timedelta(seconds=59)
    assert "Error" in note.email_error or "refused" in note.email_error.lower()
    assert services.deliver_pending_notifications(now=t0 + timedelta(seconds=30))["sent"] == 0  # backing off

    smtp.start()
    result = services.deliver_pending_notifications(now=t0 + timedelta(minutes=5))
    assert result["sent"] == 1
    assert services.deliver_pending_notifications(now=t0 + timedelta(hours=1))["sent"] == 0
    assert len(smtp.inbox.messages) == 1
    note.refresh_from_db()
    assert (note.email_status, note.email_attempts) == (Notification.EmailStatus.SENT, 2)
    assert b"AV-2026-000001" in smtp.inbox.messages[0]
    assert services._message_id(note).encode() in smtp.inbox.messages[0]


def test_after_the_last_attempt_the_email_is_failed_and_listed_for_the_register_admin(
    smtp, note, settings, client, demo_user
):
    """N failures → "failed"; the register admin finds it from the navigation and can send it again."""
    settings.EMAIL_MAX_ATTEMPTS = 2
    t0 = timezone.now()
    services.deliver_pending_notifications(now=t0)
    services.deliver_pending_notifications(now=t0 + timedelta(hours=1))
    note.refresh_from_db()
    assert (note.email_status, note.email_attempts) == (Notification.EmailStatus.FAILED, 2)

    client.force_login(demo_user("admin"))
    home = client.get("/").content.decode()
    assert reverse("outbox_failed") in home  # linked from the admin's navigation
    page = client.get(reverse("outbox_failed"))
    assert page.status_code == 200
    assert "Påminnelse AV-2026-000001" in page.content.decode()

    smtp.start()
    client.post(reverse("outbox_resend", args=[note.pk]))
    note.refresh_from_db()
    assert (note.email_status, note.email_attempts) == (Notification.EmailStatus.PENDING, 0)
    services.deliver_pending_notifications(now=t0 + timedelta(hours=2))
    assert len(smtp.inbox.messages) == 1


def test_failed_list_is_for_register_admins_only(client, demo_user):
    """A MAS may not see the list (403), nor resend (403)."""
    client.force_login(demo_user("mas"))
    assert client.get(reverse("outbox_failed")).status_code == 403
    assert client.post(reverse("outbox_resend", args=[1])).status_code == 403


def test_worker_dying_between_sending_and_recording_sends_no_duplicate(smtp, note, settings):
    """The attempt is recorded before sending: a claim never recorded is not sent again but shown as failed."""
    settings.EMAIL_CLAIM_TIMEOUT_SECONDS = 600
    smtp.start()
    t0 = timezone.now()
    [claimed] = services._claim(now=t0, batch_size=10, max_attempts=5)
    services._send(claimed)  # … and the worker is killed before it records the result
    assert len(smtp.inbox.messages) == 1
    assert services.deliver_pending_notifications(now=t0 + timedelta(minutes=1))["sent"] == 0
    result = services.deliver_pending_notifications(now=t0 + timedelta(minutes=11))
    assert (result["sent"], result["interrupted"]) == (0, 1)
    note.refresh_from_db()
    assert note.email_status == Notification.EmailStatus.FAILED
    assert "okänt om" in note.email_error
    assert len(smtp.inbox.messages) == 1


@pytest.mark.django_db(transaction=True)
def test_no_row_lock_is_held_while_the_smtp_server_answers(live_demo, smtp, demo_user):
    """The claim is committed before sending: another connection sees 'sending' and may lock the row meanwhile."""
    from django.db import connection

    Notification.objects.filter(email_status=Notification.EmailStatus.PENDING).update(
        email_status=Notification.EmailStatus.SKIPPED
    )
    mas = demo_user("mas")
    mas.email = "mas@example.se"
    mas.save(update_fields=["email"])
    services.notify(recipients=[mas], kind="test", subject="Lås", dedupe_key="drill:lock")
    note = Notification.objects.get(dedupe_key="drill:lock")
    seen = []

    class SlowInbox(Inbox):
        async def handle_DATA(self, server, session, envelope):  # noqa: N802
            # Another thread, another database connection: NOWAIT fails at once if the row were locked.
            def look():
                with transaction.atomic():
                    qs = Notification.objects.filter(pk=note.pk)
                    if connection.features.has_select_for_update_nowait:
                        qs = qs.select_for_update(nowait=True)
                    seen.append(qs.values_list("email_status", flat=True).first())
                connection.close()

            import threading

            worker = threading.Thread(target=look)
            worker.start()
            worker.join(10)
            return await super().handle_DATA(server, session, envelope)

    smtp.inbox.__class__ = SlowInbox
    smtp.start()
    services.deliver_pending_notifications()
    assert seen == [Notification.EmailStatus.SENDING]


def test_one_delivery_request_per_transaction_and_again_after_a_rollback(django_capture_on_commit_callbacks, demo_user):
    """Many notifications in one transaction ask once; a rolled-back transaction does not block the next one."""
    mas = demo_user("mas")

    class Rollback(Exception):
        pass

    def rolled_back():
        with transaction.atomic():
            services.notify(recipients=[mas], kind="t", subject="A", dedupe_key="rb1")
            raise Rollback

    with pytest.raises(Rollback):
        rolled_back()
    with django_capture_on_commit_callbacks() as callbacks:
        services.notify(recipients=[mas], kind="t", subject="B", dedupe_key="rb2")
        services.notify(recipients=[mas], kind="t", subject="C", dedupe_key="rb3")
    assert len(callbacks) == 1


def test_sent_emails_are_recorded_together_and_a_failure_between_them_is_retried(
    smtp, note, demo_user, monkeypatch, settings
):
    """Six e-mails, the third refused: five recorded sent in one UPDATE (not one each), the third kept for a
    retry; a second run sends nothing again."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    users = [demo_user(name) for name in ("enhetschef", "verksamhetschef", "kvalitet", "admin", "rapportor")]
    for u in users:
        u.email = f"{u.username}@example.se"
        u.save(update_fields=["email"])
    services.notify(recipients=users, kind="test", subject="Samlad", dedupe_key="drill:together")
    refused = Notification.objects.get(dedupe_key="drill:together", recipient=users[1])
    send = services._send

    def refuse_one(n):
        if n.pk == refused.pk:
            raise ConnectionRefusedError("nej")
        send(n)

    monkeypatch.setattr(services, "_send", refuse_one)
    settings.EMAIL_RECORD_SENT_SECONDS = 60  # a slow machine: still one UPDATE
    smtp.start()
    with CaptureQueriesContext(connection) as queries:
        result = services.deliver_pending_notifications()
    assert (result["sent"], result["retry"]) == (5, 1)
    assert len(smtp.inbox.messages) == 5
    updates = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 4  # interrupted ones, the claim, the refused one, the five sent
    statuses = dict(Notification.objects.filter(pk__in=[note.pk, refused.pk]).values_list("pk", "email_status"))
    assert statuses == {note.pk: Notification.EmailStatus.SENT, refused.pk: Notification.EmailStatus.PENDING}
    assert (
        Notification.objects.filter(email_status=Notification.EmailStatus.SENT, email_sent_at__isnull=False).count()
        == 5
    )
    assert services.deliver_pending_notifications()["sent"] == 0
    assert len(smtp.inbox.messages) == 5
