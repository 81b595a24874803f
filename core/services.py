"""Cross-cutting services: heartbeats, health, the notification outbox."""

import hashlib
import logging
import threading
import time
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.locking import lock_skip
from core.models import Heartbeat, Notification, NotificationPreference
from core.scheduling import in_batches

logger = logging.getLogger(__name__)
# The registered name of the delivery task (core.tasks): kept from before the move, beat and queued messages use it.
DELIVER_TASK = "masportal.deliver_notifications"
User = get_user_model()


def heartbeat_record(*, source: str) -> None:
    """Record that ``source`` (worker or beat) is alive now."""
    Heartbeat.objects.update_or_create(source=source, defaults={"at": timezone.now()})


def infrastructure_summary() -> str:
    """Say which database and broker this process uses (no secrets)."""
    db = settings.DATABASES["default"]
    engine = db["ENGINE"].rsplit(".", 1)[-1]
    where = (
        db["NAME"] if engine == "sqlite3" else f"{db.get('HOST') or 'localhost'}:{db.get('PORT') or ''}/{db['NAME']}"
    )
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
        result[source] = (
            heartbeat_state(source=source, at=beats.get(source))
            if beats.get(source)
            else {"status": "down", "last_heartbeat": None}
        )
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
    return notify_all(
        notices=[Notice(recipients=recipients, kind=kind, subject=subject, body=body, link=link, dedupe_key=dedupe_key)]
    )


def notify_all(*, notices: Iterable[Notice], first_time: bool = False) -> int:
    """:func:`notify` for several notices at once: one look-up and one INSERT for all of them.

    Rows already there (same recipient and ``dedupe_key``) are skipped, and the unique constraint
    makes a concurrent duplicate a no-op (``ignore_conflicts``). Returns how many new rows were written
    (a row a concurrent transaction wrote between the look-up and the INSERT is counted, not duplicated).
    ``first_time``: the keys name an event that happens once and is happening now (a deviation's
    registration), so no row can be there yet: the look-up is skipped; the constraint still holds.
    """
    wanted: dict[tuple[int, str], Notification] = {}
    for notice in notices:
        key = notice.dedupe_key[:200]
        for user in notice.recipients:
            if user is None or (user.pk, key) in wanted:
                continue
            wanted[(user.pk, key)] = Notification(
                recipient=user,
                kind=notice.kind,
                subject=notice.subject[:200],
                body=notice.body,
                link=notice.link,
                dedupe_key=key,
                email_status=Notification.EmailStatus.PENDING if user.email else Notification.EmailStatus.SKIPPED,
            )
    if not wanted:
        return 0
    existing = (
        set()
        if first_time
        else set(
            Notification.objects.filter(
                dedupe_key__in={k for _pk, k in wanted}, recipient_id__in={pk for pk, _k in wanted}
            ).values_list("recipient_id", "dedupe_key")
        )
    )
    new = [note for key, note in wanted.items() if key not in existing]
    if not new:
        return 0
    Notification.objects.bulk_create(new, ignore_conflicts=True)
    _queue_delivery_once()
    return len(new)


class _DeliveryAfterCommit:
    """The on-commit callback that asks for delivery; one per transaction (see :func:`_queue_delivery_once`)."""

    def __call__(self) -> None:
        _pending.callback = None
        queue_delivery()


_pending = threading.local()


def _queue_delivery_once() -> None:
    """Register one delivery request per transaction, however many notifications it writes.

    Public API only: the callback registered with ``transaction.on_commit`` is remembered through a weak
    reference. When the transaction commits the callback clears it; when it rolls back Django drops the
    callback, the weak reference dies, and the next transaction registers a new one. Outside a transaction
    ``on_commit`` runs the callback at once.
    """
    ref = getattr(_pending, "callback", None)
    if ref is not None and ref() is not None:
        return
    callback = _DeliveryAfterCommit()
    _pending.callback = weakref.ref(callback)
    transaction.on_commit(callback, robust=True)


def queue_delivery() -> None:
    """Ask the worker to deliver pending e-mail now; a broker outage only delays it (the periodic job sends).

    Publishes through Celery's producer pool: a web process keeps its broker connection (and the queue it
    has declared) from one request to the next instead of connecting per request. Connecting is tried once,
    for at most a second, so a broker that is down costs a request about a second; a connection that failed
    is closed before it goes back to the pool, and the next request connects afresh.
    """
    app = current_app
    try:
        with app.producer_or_acquire() as producer:
            try:
                producer.connection.ensure_connection(max_retries=1, timeout=1)
                app.send_task(DELIVER_TASK, producer=producer, retry=False)
            except Exception:
                producer.connection.collect()
                raise
    except Exception as exc:  # noqa: BLE001 - the periodic job delivers it later
        logger.warning("Broker unavailable, notification e-mail left in outbox: %s", type(exc).__name__)


def _backoff(attempts: int) -> timedelta:
    """Wait before the next attempt: the base doubled after each failure (60 s, 2, 4, 8 min …), at most a day."""
    return timedelta(seconds=min(settings.EMAIL_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), 86_400))


def _claim(*, now, batch_size: int, max_attempts: int) -> list[Notification]:
    """Take a batch of due e-mails: record the attempt (state sending, attempts + 1) and commit before sending."""
    due = (
        Notification.objects.filter(email_status=Notification.EmailStatus.PENDING, email_attempts__lt=max_attempts)
        .filter(Q(email_next_attempt_at__isnull=True) | Q(email_next_attempt_at__lte=now))
        .exclude(pk__in=_held_for_digest())
        .order_by("id")
    )
    with transaction.atomic():
        ids = list(lock_skip(due).values_list("pk", flat=True)[:batch_size])
        if not ids:
            return []
        Notification.objects.filter(pk__in=ids, email_status=Notification.EmailStatus.PENDING).update(
            email_status=Notification.EmailStatus.SENDING,
            email_attempts=F("email_attempts") + 1,
            email_claimed_at=now,
        )
    return list(
        Notification.objects.filter(pk__in=ids, email_status=Notification.EmailStatus.SENDING, email_claimed_at=now)
        .select_related("recipient")
        .order_by("id")
    )


def _held_for_digest():
    """Pending e-mails of users who chose the daily digest (the digest itself is sent): ids, as a subquery."""
    return (
        Notification.objects.filter(
            email_status=Notification.EmailStatus.PENDING,
            recipient__notification_preference__email_delivery=NotificationPreference.Delivery.DIGEST,
        )
        .exclude(kind=Notification.DIGEST_KIND)
        .values("pk")
    )


def _message_id(note: Notification) -> str:
    """A Message-ID fixed by the notification and its de-duplication key: a resent copy can be recognised."""
    digest = hashlib.sha256(f"{note.pk}:{note.dedupe_key}".encode()).hexdigest()[:32]
    return f"<{digest}.{note.pk}@mas-portalen>"


def _send(note: Notification) -> None:
    message = EmailMessage(
        subject=f"MAS-portalen: {note.subject}",
        body=note.body + (f"\n\n{note.link}" if note.link else ""),
        to=[note.recipient.email],
        headers={"Message-ID": _message_id(note)},
    )
    message.send(fail_silently=False)


def notifications_mark_interrupted(*, now=None) -> int:
    """Fail e-mails claimed longer ago than ``EMAIL_CLAIM_TIMEOUT_SECONDS`` and never recorded.

    The worker died between claiming and recording: the message may or may not have gone out, so it is not
    sent again (no duplicate) but shown to the register admin, who can send it again.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.EMAIL_CLAIM_TIMEOUT_SECONDS)
    with translation.override(settings.LANGUAGE_CODE):
        error = _("Sending was interrupted: it is not known whether the e-mail arrived.")
    return Notification.objects.filter(
        email_status=Notification.EmailStatus.SENDING, email_claimed_at__lt=cutoff
    ).update(email_status=Notification.EmailStatus.FAILED, email_error=error[:300])


def deliver_pending_notifications(*, batch_size: int = 200, max_attempts: int | None = None, now=None) -> dict:
    """Send pending notification e-mails, a bounded batch at a time, each at most once.

    Never holds a lock while talking to the SMTP server: rows are claimed (attempt recorded) and committed,
    sent outside any transaction, then the result is recorded (the sent ones together, at least every
    ``EMAIL_RECORD_SENT_SECONDS``). A failure waits with backoff; after ``EMAIL_MAX_ATTEMPTS`` attempts
    the e-mail is failed and listed for the register admin.
    """
    max_attempts = max_attempts or settings.EMAIL_MAX_ATTEMPTS
    now = now or timezone.now()
    interrupted = notifications_mark_interrupted(now=now)
    sent = failed = retry = 0
    unrecorded: list[int] = []
    recorded_at = time.monotonic()

    def record_sent() -> None:
        nonlocal recorded_at
        if unrecorded:
            Notification.objects.filter(pk__in=unrecorded).update(
                email_status=Notification.EmailStatus.SENT, email_sent_at=timezone.now(), email_error=""
            )
            unrecorded.clear()
        recorded_at = time.monotonic()

    try:
        for note in _claim(now=now, batch_size=batch_size, max_attempts=max_attempts):
            try:
                _send(note)
            except Exception as exc:  # noqa: BLE001 - any SMTP/network failure is recorded and retried
                logger.warning("E-mail for notification %s failed: %s", note.pk, type(exc).__name__)
                error = f"{type(exc).__name__}: {exc}"[:300]
                if note.email_attempts >= max_attempts:
                    Notification.objects.filter(pk=note.pk, email_status=Notification.EmailStatus.SENDING).update(
                        email_status=Notification.EmailStatus.FAILED, email_error=error
                    )
                    failed += 1
                else:
                    Notification.objects.filter(pk=note.pk, email_status=Notification.EmailStatus.SENDING).update(
                        email_status=Notification.EmailStatus.PENDING,
                        email_error=error,
                        email_next_attempt_at=timezone.now() + _backoff(note.email_attempts),
                    )
                    retry += 1
                continue
            sent += 1
            unrecorded.append(note.pk)
            if time.monotonic() - recorded_at >= settings.EMAIL_RECORD_SENT_SECONDS:
                record_sent()
    finally:
        record_sent()
    return {"sent": sent, "retry": retry, "failed": failed, "interrupted": interrupted}


def notification_resend(*, notification: Notification) -> Notification:
    """Put a failed e-mail back in the outbox (the register admin's "send again"): attempts start over."""
    Notification.objects.filter(pk=notification.pk, email_status=Notification.EmailStatus.FAILED).update(
        email_status=Notification.EmailStatus.PENDING,
        email_attempts=0,
        email_next_attempt_at=None,
        email_claimed_at=None,
        email_error="",
    )
    transaction.on_commit(queue_delivery, robust=True)
    notification.refresh_from_db()
    return notification


# --- The user's inbox ----------------------------------------------------------------------------------


def notification_open(*, user, pk: int) -> Notification | None:
    """Mark the user's notification ``pk`` read (once) and return it; None when it is not theirs."""
    note = Notification.objects.filter(recipient=user, pk=pk).only("pk", "link", "read_at").first()
    if note is None:
        return None
    if note.read_at is None:
        note.read_at = timezone.now()
        Notification.objects.filter(pk=note.pk, read_at__isnull=True).update(read_at=note.read_at)
    return note


def notifications_mark_all_read(*, user) -> int:
    """Mark every unread notification of ``user`` read; return how many."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


def notification_preference_set(*, user, email_delivery: str) -> NotificationPreference:
    """Record whether ``user`` wants each notification e-mailed at once or one digest a day."""
    if email_delivery not in NotificationPreference.Delivery.values:
        raise ValueError(email_delivery)
    preference, _created = NotificationPreference.objects.update_or_create(
        user=user, defaults={"email_delivery": email_delivery}
    )
    return preference


def _digest_for(*, user, notes: list[Notification], on) -> Notification:
    with translation.override(settings.LANGUAGE_CODE):
        subject = translation.ngettext(
            "Your notifications of the day (%(count)d)", "Your notifications of the day (%(count)d)", len(notes)
        ) % {"count": len(notes)}
        intro = _("A summary of the notifications you received in MAS-portalen. Open the inbox to read them:")
    lines = [intro, ""]
    for note in notes:
        lines.append(f"- {note.subject}" + (f"\n  {note.link}" if note.link else ""))
    from django.urls import reverse

    return Notification(
        recipient=user,
        kind=Notification.DIGEST_KIND,
        subject=subject[:200],
        body="\n".join(lines),
        link=reverse("notification_list"),
        dedupe_key=f"digest:{on.isoformat()}",
        read_at=timezone.now(),
        email_status=Notification.EmailStatus.PENDING,
    )


def notification_digest_send(*, on, batch_size: int) -> dict:
    """Put one digest e-mail per user and day in the outbox for users who chose the daily digest.

    Each digest lists the user's notifications whose e-mail is still held (pending) and marks them as sent
    in the digest, in one transaction per user. The digest's de-duplication key is the date, so a second
    run on the same day writes nothing; what arrives later that day goes into the next day's digest.
    """
    from django.db.models import Exists, OuterRef

    key = f"digest:{on.isoformat()}"
    held = Notification.objects.filter(
        email_status=Notification.EmailStatus.PENDING,
        recipient__notification_preference__email_delivery=NotificationPreference.Delivery.DIGEST,
    ).exclude(kind=Notification.DIGEST_KIND)
    totals = {"digests": 0, "notifications": 0}

    def step() -> int:
        made = 0
        already = Notification.objects.filter(recipient_id=OuterRef("pk"), dedupe_key=key)
        users = list(
            User.objects.filter(pk__in=held.values("recipient_id")).exclude(Exists(already)).order_by("pk")[:batch_size]
        )
        for user in users:
            with transaction.atomic():
                notes = list(lock_skip(held.filter(recipient=user)).order_by("created_at", "pk"))
                if not notes:
                    continue
                digest = _digest_for(user=user, notes=notes, on=on)
                digest.save()
                Notification.objects.filter(
                    pk__in=[n.pk for n in notes], email_status=Notification.EmailStatus.PENDING
                ).update(email_status=Notification.EmailStatus.IN_DIGEST, email_sent_at=timezone.now())
                totals["digests"] += 1
                totals["notifications"] += len(notes)
                _queue_delivery_once()
                made += 1
        return made

    result = in_batches(step)
    return {**totals, "complete": result["complete"]}
