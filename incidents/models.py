"""Deviations (avvikelser) and the patient-data access log (SPEC §4, §8); Lex Maria in incidents.lexmaria.models."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import TransitionRecord


class DeviationCategory(models.Model):
    """A configurable deviation category of a municipality (fall, läkemedel, …)."""

    municipality = models.ForeignKey("responsibility.Municipality", on_delete=models.PROTECT, related_name="+")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=120)
    is_rehabilitation = models.BooleanField(
        _("rehabilitation category"), default=False, help_text=_("Routed to the MAR instead of the MAS.")
    )
    always_to_mas = models.BooleanField(_("always to MAS/MAR"), default=False)
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("deviation category")
        verbose_name_plural = _("deviation categories")
        ordering = ["order", "name"]
        constraints = [models.UniqueConstraint(fields=["municipality", "code"], name="category_code_unique")]

    def __str__(self) -> str:
        return self.name


class EventKind(models.TextChoices):
    OCCURRED = "occurred", _("Event that occurred")
    RISK = "risk", _("Risk of an event")


class DeviationState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    REGISTERED = "registered", _("Registered")
    INVESTIGATING = "investigating", _("Being investigated")
    AWAITING_MAS = "awaiting_mas_assessment", _("Awaiting MAS assessment")
    ACTIONS = "actions", _("Actions in progress")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Rejected (not a deviation)")


class Deviation(models.Model):
    """A deviation report. Patient identity is held only encrypted, with a keyed hash for look-up."""

    municipality = models.ForeignKey("responsibility.Municipality", on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(_("reference"), max_length=20, blank=True)
    unit = models.ForeignKey(
        "responsibility.Unit", on_delete=models.PROTECT, related_name="deviations", verbose_name=_("unit")
    )
    state = models.CharField(_("state"), max_length=24, choices=DeviationState.choices, default=DeviationState.DRAFT)
    occurred_at = models.DateTimeField(_("occurred"))
    discovered_at = models.DateTimeField(_("discovered"))
    reported_at = models.DateTimeField(_("reported"), null=True, blank=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reported_deviations",
        verbose_name=_("reporter"),
    )
    reported_on_behalf_of = models.CharField(_("reported on behalf of (name and role)"), max_length=160, blank=True)
    category = models.ForeignKey(
        DeviationCategory, on_delete=models.PROTECT, related_name="deviations", verbose_name=_("category")
    )
    event_kind = models.CharField(
        _("event or risk"), max_length=10, choices=EventKind.choices, default=EventKind.OCCURRED
    )
    description = models.TextField(_("what happened"))
    immediate_actions = models.TextField(_("immediate actions"), blank=True)
    patient_identifier_encrypted = models.TextField(_("patient identity (encrypted)"), blank=True, editable=False)
    patient_hash = models.CharField(_("patient look-up hash"), max_length=64, blank=True, editable=False)
    consequence = models.PositiveSmallIntegerField(
        _("consequence"), validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    probability = models.PositiveSmallIntegerField(
        _("probability"), validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    risk_score = models.PositiveSmallIntegerField(_("risk score"), default=1)
    # Investigation (enhetschef / verksamhetschef).
    investigator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("investigator"),
    )
    cause_analysis = models.TextField(_("cause analysis"), blank=True)
    lessons_learned = models.TextField(_("lessons learned"), blank=True)
    # MAS / MAR assessment.
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assessed by"),
    )
    assessed_at = models.DateTimeField(_("assessed"), null=True, blank=True)
    assessment = models.TextField(_("assessment"), blank=True)
    lex_maria_decision = models.BooleanField(_("Lex Maria report"), null=True, blank=True)
    lex_maria_motivation = models.TextField(_("motivation of the Lex Maria decision"), blank=True)
    feedback_to_reporter = models.TextField(_("feedback to the reporter"), blank=True)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    due_at = models.DateTimeField(_("next deadline"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # Routing, resolved from the register on the event date (incidents.routing) when submitted and
    # again when sent to assessment: the statutory MAS (MAR for rehabilitation) who assesses it, and
    # the board's MAS who gets an information copy without patient identity (contract clause).
    mas_person = models.ForeignKey(
        "responsibility.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("MAS/MAR on the event date"),
    )
    mas_role = models.CharField(_("MAS or MAR"), max_length=24, blank=True)
    board_mas_copy = models.ForeignKey(
        "responsibility.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("the board's MAS (information copy)"),
    )
    # The managers told about it (verksamhetschef and enhetschef(s) on the event date), stored with the
    # routing so that reminders never resolve the register again; routed_at None = not stored yet
    # (rows from before the routing was stored; the reminder job stores it once).
    operations_manager = models.ForeignKey(
        "responsibility.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verksamhetschef on the event date"),
    )
    unit_managers = models.ManyToManyField(
        "responsibility.Person", blank=True, related_name="+", verbose_name=_("enhetschef(s) on the event date")
    )
    routed_at = models.DateTimeField(_("routing stored"), null=True, blank=True)
    # "Ansvar oklart" (SPEC §3): the responsible MAS/MAR could not be resolved, so ``mas_person`` is the
    # fallback (the board's MAS; nobody = the register admins) and this says which rule and register gap.
    mas_unclear_reason = models.TextField(_("responsibility unclear: reason"), blank=True)
    # Set when ``mas_person`` is a deputy (ersättare): the person she replaces.
    mas_deputy_for = models.ForeignKey(
        "responsibility.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("deputy for"),
    )
    version = models.PositiveIntegerField(_("version"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["patient_identifier_encrypted"])

    class Meta:
        verbose_name = _("deviation")
        verbose_name_plural = _("deviations")
        ordering = ["-reported_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "reference"], condition=~Q(reference=""), name="deviation_reference_unique"
            ),
            models.CheckConstraint(
                condition=Q(consequence__gte=1, consequence__lte=4), name="deviation_consequence_1_4"
            ),
            models.CheckConstraint(
                condition=Q(probability__gte=1, probability__lte=4), name="deviation_probability_1_4"
            ),
            models.CheckConstraint(
                condition=Q(discovered_at__gte=models.F("occurred_at")), name="deviation_discovered_after_occurred"
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "state", "-reported_at"], name="deviation_unit_state_idx"),
            models.Index(fields=["state", "due_at"], name="deviation_state_due_idx"),
            models.Index(fields=["patient_hash"], condition=~Q(patient_hash=""), name="deviation_patient_idx"),
            models.Index(fields=["reporter", "-created_at"], name="deviation_reporter_idx"),
            models.Index(fields=["municipality", "occurred_at"], name="deviation_occurred_idx"),
            # A scope's units over a period (reports): one range scan per unit, not a BitmapAnd of two indexes.
            models.Index(fields=["unit", "occurred_at"], name="deviation_unit_occurred_idx"),
            models.Index(fields=["mas_person", "state"], name="deviation_mas_state_idx"),
            models.Index(fields=["board_mas_copy", "state"], name="deviation_copy_state_idx"),
            models.Index(fields=["state"], condition=~Q(mas_unclear_reason=""), name="deviation_unclear_idx"),
        ]

    def __str__(self) -> str:
        return self.reference or _("Draft #%(id)s") % {"id": self.pk}

    def get_absolute_url(self) -> str:
        return reverse("incidents:deviation_detail", args=[self.pk])

    @property
    def owner_unclear(self) -> bool:
        return bool(self.mas_unclear_reason)

    @property
    def has_patient_data(self) -> bool:
        return bool(self.patient_identifier_encrypted)


class DeviationTransition(TransitionRecord):
    """One move of a deviation between states: who, when, why."""

    deviation = models.ForeignKey(Deviation, on_delete=models.CASCADE, related_name="transitions")
    from_state = models.CharField(_("from"), max_length=24, choices=DeviationState.choices)
    to_state = models.CharField(_("to"), max_length=24, choices=DeviationState.choices)

    case_field = "deviation"

    class Meta(TransitionRecord.Meta):
        verbose_name = _("deviation transition")
        verbose_name_plural = _("deviation transitions")


class DeviationAction(models.Model):
    """A corrective action decided in the investigation, with owner and deadline."""

    deviation = models.ForeignKey(Deviation, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField(_("action"))
    owner = models.ForeignKey(
        "responsibility.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("owner")
    )
    deadline = models.DateField(_("deadline"))
    done_at = models.DateField(_("done"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("deviation action")
        verbose_name_plural = _("deviation actions")
        ordering = ["deadline", "id"]

    def __str__(self) -> str:
        return self.description[:60]


def attachment_path(instance, filename: str) -> str:
    return f"attachments/{instance.deviation_id}/{instance.token}"


class DeviationAttachment(models.Model):
    """A file attached to a deviation, stored outside the web root, served only after a permission check."""

    deviation = models.ForeignKey(Deviation, on_delete=models.CASCADE, related_name="attachments")
    token = models.CharField(max_length=40, unique=True, editable=False)
    file = models.FileField(_("file"), upload_to=attachment_path)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name


# The kinds of access the log records (PatientDataAccess.action), in words for the log review.
ACCESS_ACTIONS = {
    "view": _("Viewed"),
    "edit": _("Opened for editing"),
    "print": _("Printed (PDF)"),
    "attachment": _("Opened an attachment"),
    "api": _("Read through the API"),
    "complaint_view": _("Viewed a complaint"),
    "log_extract": _("Log extract for the patient"),
}


class PatientDataAccess(models.Model):
    """Access log: every view of a record holding patient data (PDL 4 kap. 3 §; kept ≥ 5 years)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("user")
    )
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    deviation = models.ForeignKey(
        Deviation, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("deviation")
    )
    # The record viewed when it is not a deviation (a complaint, KL-…), by reference; blank for a deviation.
    reference = models.CharField(_("record"), max_length=20, blank=True)
    # None for an access not tied to one unit (a patient's log extract).
    unit = models.ForeignKey(
        "responsibility.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("unit")
    )
    patient_hash = models.CharField(_("patient reference"), max_length=64, db_index=True)
    action = models.CharField(_("action"), max_length=40, default="view")

    class Meta:
        verbose_name = _("patient data access")
        verbose_name_plural = _("patient data accesses")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["user", "-at"], name="access_user_at_idx")]

    def __str__(self) -> str:
        return f"{self.user} {self.at:%Y-%m-%d %H:%M} {self.record_reference}"

    @property
    def action_label(self) -> str:
        """The kind of access in words (an unknown stored value is shown as it is)."""
        return str(ACCESS_ACTIONS.get(self.action, self.action))

    @property
    def record_reference(self) -> str:
        """The reference of the record viewed (a deviation's or another record's)."""
        if self.deviation_id is not None:
            return self.deviation.reference or str(self.deviation)
        return self.reference


class ReferenceCounter(models.Model):
    """The last number used per municipality, kind and year (AV-2026-000123); row-locked when incremented."""

    municipality = models.ForeignKey("responsibility.Municipality", on_delete=models.CASCADE, related_name="+")
    prefix = models.CharField(max_length=4)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["municipality", "prefix", "year"], name="reference_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last}"


class ReminderKind(models.TextChoices):
    BEFORE = "before", _("Before the deadline")
    OVERDUE = "overdue", _("Overdue")


class DeviationReminder(models.Model):
    """That a deviation was reminded about one deadline (state and due time), once per kind.

    The reminder job selects only deviations without this row (NOT EXISTS) and the unique
    constraint makes a second writer a no-op, so no deadline is reminded twice or starved.
    """

    deviation = models.ForeignKey(Deviation, on_delete=models.CASCADE, related_name="reminders")
    state = models.CharField(_("state"), max_length=24, choices=DeviationState.choices)
    due_at = models.DateTimeField(_("deadline"))
    kind = models.CharField(_("kind"), max_length=10, choices=ReminderKind.choices)
    recipients = models.PositiveSmallIntegerField(_("recipients"), default=0)
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("deviation reminder")
        verbose_name_plural = _("deviation reminders")
        constraints = [
            models.UniqueConstraint(fields=["deviation", "state", "due_at", "kind"], name="deviation_reminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.deviation_id} {self.state} {self.kind}"


# The Lex Maria models live in their own module of the app (incidents.lexmaria.models). Importing it
# here registers them when Django loads incidents.models; the names stay importable from here too.
from incidents.lexmaria.models import LexMariaCase as LexMariaCase  # noqa: E402
from incidents.lexmaria.models import LexMariaReminder as LexMariaReminder  # noqa: E402
from incidents.lexmaria.models import LexMariaState as LexMariaState  # noqa: E402
from incidents.lexmaria.models import LexMariaStepNotApplicable as LexMariaStepNotApplicable  # noqa: E402
from incidents.lexmaria.models import LexMariaTransition as LexMariaTransition  # noqa: E402
