"""The base layer's records: process heartbeats, the notification outbox and preferences, job runs."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TransitionRecord(models.Model):
    """One move of a stateful object between states, written by a machine's ``record`` hook
    (:func:`core.transitions.transition_row`): who (none for a job), when, why.

    A concrete record adds the object's foreign key (named by ``case_field``) and ``from_state``/``to_state``
    with the object's state choices.
    """

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(_("at"), auto_now_add=True)
    reason = models.TextField(_("reason"), blank=True)

    case_field = ""

    class Meta:
        abstract = True
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{getattr(self, self.case_field + '_id')}: {self.from_state} → {self.to_state}"


class Heartbeat(models.Model):
    """The last moment a background process (worker or beat) showed it was alive."""

    source = models.CharField(_("source"), max_length=20, unique=True)
    at = models.DateTimeField(_("at"))

    class Meta:
        db_table = "masportal_heartbeat"  # the table of the masportal app, where the model was first
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self) -> str:
        return f"{self.source} {self.at:%Y-%m-%d %H:%M:%S}"


class Notification(models.Model):
    """A message to one user: shown in the app and, through the outbox, e-mailed.

    The row is written in the same transaction as the event that caused it, so
    nothing is lost while the broker is down; a periodic job delivers what is
    still pending. Subject and body never hold patient data.
    """

    class EmailStatus(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("No e-mail address")
        IN_DIGEST = "in_digest", _("Sent in the daily digest")

    DIGEST_KIND = "digest"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    kind = models.CharField(_("kind"), max_length=60)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    dedupe_key = models.CharField(_("de-duplication key"), max_length=200)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    email_status = models.CharField(
        _("e-mail status"), max_length=10, choices=EmailStatus.choices, default=EmailStatus.PENDING
    )
    email_attempts = models.PositiveSmallIntegerField(_("e-mail attempts"), default=0)
    email_sent_at = models.DateTimeField(_("e-mail sent"), null=True, blank=True)
    email_claimed_at = models.DateTimeField(_("e-mail attempt started"), null=True, blank=True)
    email_next_attempt_at = models.DateTimeField(_("next e-mail attempt"), null=True, blank=True)
    email_error = models.CharField(_("e-mail error"), max_length=300, blank=True)

    class Meta:
        db_table = "masportal_notification"  # the table of the masportal app, where the model was first
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "dedupe_key"], name="notification_once_per_recipient"),
        ]
        indexes = [
            models.Index(fields=["email_status", "id"], name="notification_outbox_idx"),
            models.Index(fields=["recipient", "read_at"], name="notification_unread_idx"),
        ]

    def __str__(self) -> str:
        return self.subject


class NotificationPreference(models.Model):
    """How a user wants notifications e-mailed: each at once, or one digest a day. No row means at once."""

    class Delivery(models.TextChoices):
        IMMEDIATE = "immediate", _("An e-mail for each notification")
        DIGEST = "digest", _("One e-mail a day with all notifications (digest)")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
        verbose_name=_("user"),
    )
    email_delivery = models.CharField(
        _("e-mail delivery"), max_length=10, choices=Delivery.choices, default=Delivery.IMMEDIATE
    )

    class Meta:
        db_table = "masportal_notificationpreference"  # the table of the masportal app, where the model was first
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.email_delivery}"


class JobRun(models.Model):
    """One run of one scheduled job: when, for which date, what it did, what failed."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        OK = "ok", _("Finished")
        FAILED = "failed", _("Failed")

    name = models.CharField(_("job"), max_length=60)
    run_for = models.DateField(_("run for date"))
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RUNNING)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    errors = models.TextField(_("errors"), blank=True)

    class Meta:
        db_table = "masportal_jobrun"  # the table of the masportal app, where the model was first
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["name", "-started_at"], name="jobrun_name_started_idx")]

    def __str__(self) -> str:
        return f"{self.name} {self.run_for}"
