"""Cross-cutting services: heartbeats, health, the notification outbox."""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import connection, transaction
from django.utils import timezone

from masportal.models import Heartbeat, Notification

logger = logging.getLogger(__name__)
User = get_user_model()


def heartbeat_record(*, source: str) -> None:
    """Record that ``source`` (worker or beat) is alive now."""
    Heartbeat.objects.update_or_create(source=source, defaults={"at": timezone.now()})


def infrastructure_summary() -> str:
    """Say which database and broker this process uses (no secrets)."""
    db = settings.DATABASES["default"]
    engine = db["ENGINE"].rsplit(".", 1)[-1]
    where = db["NAME"] if engine == "sqlite3" else f"{db.get('HOST') or 'localhost'}:{db.get('PORT') or ''}/{db['NAME']}"
    broker = settings.CELERY_BROKER_URL
    broker_kind = broker.split("://", 1)[0]
    broker_where = "embedded, " + str(settings.BROKER_DIR) if broker_kind == "filesystem" else broker.split("@")[-1]
    return f"database {engine} ({where}); broker {broker_kind} ({broker_where})"


def _broker_status() -> dict:
    from kombu import Connection

    url = settings.CELERY_BROKER_URL
    transport = url.split("://", 1)[0]
    options = dict(getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}) or {})
    try:
        with Connection(url, transport_options=options, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            conn.default_channel  # noqa: B018 - opening the channel proves the broker answers
        return {"status": "up", "transport": transport}
    except Exception as exc:  # noqa: BLE001 - any failure means down
        return {"status": "down", "transport": transport, "error": type(exc).__name__}


def _database_status() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"status": "up", "vendor": connection.vendor}
    except Exception as exc:  # noqa: BLE001
        return {"status": "down", "vendor": connection.vendor, "error": type(exc).__name__}


def heartbeat_state(*, source: str, at=None) -> dict:
    """Whether ``source`` (worker or beat) recorded a heartbeat within ``HEARTBEAT_MAX_AGE`` seconds."""
    if at is None:
        at = Heartbeat.objects.filter(source=source).values_list("at", flat=True).first()
    fresh = at is not None and timezone.now() - at <= timedelta(seconds=settings.HEARTBEAT_MAX_AGE)
    return {"status": "up" if fresh else "down", "last_heartbeat": at.isoformat() if at else None}


def health_status() -> dict:
    """Return the state of the database, the broker and the background processes.

    ``status`` is ``ok`` only when every part is up, else ``degraded``.
    """
    result = {"database": _database_status(), "broker": _broker_status()}
    beats = {}
    if result["database"]["status"] == "up":
        beats = {h.source: h.at for h in Heartbeat.objects.all()}
    for source in ("worker", "beat"):
        result[source] = heartbeat_state(source=source, at=beats.get(source)) if beats.get(source) else {
            "status": "down", "last_heartbeat": None}
    result["status"] = "ok" if all(v["status"] == "up" for v in result.values()) else "degraded"
    return result


@dataclass(frozen=True)
class Notice:
    """One notification to write: its recipients, kind, texts and the key that makes it idempotent."""

    recipients: Iterable
    kind: str
    subject: str
    dedupe_key: str
    body: str = ""
    link: str = ""


def notify(*, recipients: Iterable, kind: str, subject: str, body: str = "", link: str = "", dedupe_key: str) -> int:
    """Record a notification for each recipient once; queue e-mail delivery after commit.

    Returns how many new notifications were written. Calling it again with the
    same ``dedupe_key`` writes nothing (a unique constraint enforces it).
    """
    return notify_all(notices=[Notice(recipients=recipients, kind=kind, subject=subject, body=body, link=link,
                                      dedupe_key=dedupe_key)])


def notify_all(*, notices: Iterable[Notice]) -> int:
    """:func:`notify` for several notices at once: one look-up and one INSERT for all of them.

    Rows already there (same recipient and ``dedupe_key``) are skipped, and the unique constraint
    makes a concurrent duplicate a no-op (``ignore_conflicts``). Returns how many new rows were written
    (a row a concurrent transaction wrote between the look-up and the INSERT is counted, not duplicated).
    """
    wanted: dict[tuple[int, str], Notification] = {}
    for notice in notices:
        key = notice.dedupe_key[:200]
        for user in notice.recipients:
            if user is None or (user.pk, key) in wanted:
                continue
            wanted[(user.pk, key)] = Notification(
                recipient=user, kind=notice.kind, subject=notice.subject[:200], body=notice.body, link=notice.link,
                dedupe_key=key,
                email_status=Notification.EmailStatus.PENDING if user.email else Notification.EmailStatus.SKIPPED,
            )
    if not wanted:
        return 0
    existing = set(
        Notification.objects.filter(dedupe_key__in={k for _pk, k in wanted},
                                    recipient_id__in={pk for pk, _k in wanted})
        .values_list("recipient_id", "dedupe_key")
    )
    new = [note for key, note in wanted.items() if key not in existing]
    if not new:
        return 0
    Notification.objects.bulk_create(new, ignore_conflicts=True)
    _queue_delivery_once()
    return len(new)


def _queue_delivery_once() -> None:
    """Register one delivery request per transaction, however many notifications it writes."""
    if any(getattr(entry[1], "masportal_delivery", False) for entry in connection.run_on_commit):
        return
    transaction.on_commit(queue_delivery)


def queue_delivery() -> None:
    """Ask the worker to deliver pending e-mail now; a broker outage only delays it (the periodic job sends)."""
    from kombu import Connection

    from masportal.tasks import deliver_notifications

    options = dict(getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}) or {})
    try:
        with Connection(settings.CELERY_BROKER_URL, transport_options=options, connect_timeout=1) as conn:
            conn.ensure_connection(max_retries=1, timeout=1)
            deliver_notifications.apply_async(connection=conn, retry=False)
    except Exception as exc:  # noqa: BLE001 - the periodic job delivers it later
        logger.warning("Broker unavailable, notification e-mail left in outbox: %s", type(exc).__name__)


queue_delivery.masportal_delivery = True


def deliver_pending_notifications(*, batch_size: int = 200, max_attempts: int = 5) -> dict:
    """Send pending notification e-mails, a bounded batch at a time, each exactly once."""
    sent = failed = 0
    pending = list(
        Notification.objects.filter(email_status=Notification.EmailStatus.PENDING, email_attempts__lt=max_attempts)
        .order_by("id")
        .values_list("pk", flat=True)[:batch_size]
    )
    for pk in pending:
        with transaction.atomic():
            qs = Notification.objects.filter(pk=pk, email_status=Notification.EmailStatus.PENDING)
            if connection.features.has_select_for_update_skip_locked:
                qs = qs.select_for_update(skip_locked=True)
            note = qs.select_related("recipient").first()
            if note is None:
                continue
            try:
                send_mail(
                    subject=f"MAS-portalen: {note.subject}",
                    message=note.body + (f"\n\n{note.link}" if note.link else ""),
                    from_email=None,
                    recipient_list=[note.recipient.email],
                )
            except Exception as exc:  # noqa: BLE001
                note.email_attempts += 1
                if note.email_attempts >= max_attempts:
                    note.email_status = Notification.EmailStatus.FAILED
                note.save(update_fields=["email_attempts", "email_status"])
                logger.warning("E-mail for notification %s failed: %s", note.pk, type(exc).__name__)
                failed += 1
                continue
            note.email_status = Notification.EmailStatus.SENT
            note.email_attempts += 1
            note.email_sent_at = timezone.now()
            note.save(update_fields=["email_status", "email_attempts", "email_sent_at"])
            sent += 1
    return {"sent": sent, "failed": failed}
