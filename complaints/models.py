"""Complaints (klagomål) and collaboration deviations (samverkansavvikelser), SPEC §6a and §8.

Patient identity is held as deviations hold it (``incidents.patient``: Fernet
at rest, keyed hash for look-up) and every view of it is written to the one
access log (``incidents.models.PatientDataAccess``).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from complaints.choices import (
    AnswerMethod,
    Channel,
    CollaborationState,
    ComplainantKind,
    ComplaintState,
    CounterpartKind,
    Direction,
    Outcome,
)
from core.models import TransitionRecord
from incidents.models import ReminderKind


class ComplaintCategory(models.Model):
    """What a complaint is about (a configurable list per municipality)."""

    municipality = models.ForeignKey("responsibility.Municipality", on_delete=models.PROTECT, related_name="+")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=120)
    concerns_health_care = models.BooleanField(
        _("concerns health care"), default=True, help_text=_("Routed to the responsible MAS/MAR as well.")
    )
    is_rehabilitation = models.BooleanField(
        _("rehabilitation"), default=False, help_text=_("Routed to the MAR instead of the MAS.")
    )
    deviation_category = models.ForeignKey(
        "incidents.DeviationCategory",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("deviation category when a deviation is started"),
    )
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("complaint category")
        verbose_name_plural = _("complaint categories")
        ordering = ["order", "name"]
        constraints = [models.UniqueConstraint(fields=["municipality", "code"], name="complaint_category_unique")]

    def __str__(self) -> str:
        return self.name


class Complaint(models.Model):
    """A complaint from a patient or närstående (or forwarded by IVO / the patientnämnd) about a unit's care."""

    municipality = models.ForeignKey("responsibility.Municipality", on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(_("reference"), max_length=20)
    unit = models.ForeignKey(
        "responsibility.Unit", on_delete=models.PROTECT, related_name="complaints", verbose_name=_("unit")
    )
    state = models.CharField(
        _("state"), max_length=16, choices=ComplaintState.choices, default=ComplaintState.REGISTERED
    )
    received_on = models.DateField(_("received"))
    channel = models.CharField(_("received by"), max_length=16, choices=Channel.choices)
    complainant_kind = models.CharField(_("who complained"), max_length=12, choices=ComplainantKind.choices)
    categories = models.ManyToManyField(ComplaintCategory, related_name="complaints", verbose_name=_("categories"))
    description = models.TextField(_("what the complaint is about"))
    patient_identifier_encrypted = models.TextField(_("patient identity (encrypted)"), blank=True, editable=False)
    patient_hash = models.CharField(_("patient look-up hash"), max_length=64, blank=True, editable=False)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered by"),
    )
    registered_at = models.DateTimeField(_("registered"), auto_now_add=True)
    # IVO (or the patientnämnd) forwarding: IVO's own deadline replaces the municipality's.
    external_case_number = models.CharField(_("IVO's or the patientnämnd's case number"), max_length=40, blank=True)
    external_deadline = models.DateField(_("deadline set by IVO"), null=True, blank=True)
    acknowledge_due = models.DateField(_("confirm receipt by"))
    acknowledged_on = models.DateField(_("receipt confirmed"), null=True, blank=True)
    answer_due = models.DateField(_("answer by"))
    # Investigation and answer.
    investigator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("investigator"),
    )
    investigation = models.TextField(_("investigation"), blank=True)
    actions = models.TextField(_("actions taken"), blank=True)
    answer = models.TextField(_("what the complainant was told"), blank=True)
    answered_on = models.DateField(_("answered"), null=True, blank=True)
    answer_method = models.CharField(_("answered by"), max_length=12, choices=AnswerMethod.choices, blank=True)
    informed_patient_board = models.BooleanField(_("told about the patientnämnd"), default=False)
    informed_ivo = models.BooleanField(_("told about IVO"), default=False)
    informed_compensation = models.BooleanField(_("told about patientskadeersättning"), default=False)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    outcome_comment = models.TextField(_("comment on the outcome"), blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    due_at = models.DateTimeField(_("next deadline"), null=True, blank=True)
    # Routing on the date received (the register), stored so reminders never resolve again.
    concerns_health_care = models.BooleanField(_("concerns health care"), default=True)
    operations_manager = models.ForeignKey(
        "responsibility.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verksamhetschef on the date received"),
    )
    mas_person = models.ForeignKey(
        "responsibility.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("MAS/MAR on the date received"),
    )
    mas_role = models.CharField(_("MAS or MAR"), max_length=24, blank=True)
    mas_unclear_reason = models.TextField(_("responsibility unclear: reason"), blank=True)
    # Links to the deviation it started (or was linked to), hence to its Lex Maria case.
    deviation = models.ForeignKey(
        "incidents.Deviation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("deviation"),
    )
    version = models.PositiveIntegerField(_("version"), default=0)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["patient_identifier_encrypted"])

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-received_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "reference"], name="complaint_reference_unique"),
            models.CheckConstraint(
                condition=Q(answer_due__gte=models.F("received_on")), name="complaint_answer_after_received"
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "state", "-received_on"], name="complaint_unit_state_idx"),
            models.Index(fields=["state", "due_at"], name="complaint_state_due_idx"),
            models.Index(fields=["patient_hash"], condition=~Q(patient_hash=""), name="complaint_patient_idx"),
            models.Index(fields=["mas_person", "state"], name="complaint_mas_state_idx"),
        ]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("complaints:complaint_detail", args=[self.pk])

    @property
    def has_patient_data(self) -> bool:
        return bool(self.patient_identifier_encrypted)


class ComplaintTransition(TransitionRecord):
    """One move of a complaint between states: who, when, why."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="transitions")
    from_state = models.CharField(_("from"), max_length=16, choices=ComplaintState.choices)
    to_state = models.CharField(_("to"), max_length=16, choices=ComplaintState.choices)

    case_field = "complaint"

    class Meta(TransitionRecord.Meta):
        verbose_name = _("complaint transition")
        verbose_name_plural = _("complaint transitions")


class ComplaintReminder(models.Model):
    """That a complaint was reminded about one deadline (state and due time), once per kind."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="reminders")
    state = models.CharField(_("state"), max_length=16, choices=ComplaintState.choices)
    due_at = models.DateTimeField(_("deadline"))
    kind = models.CharField(_("kind"), max_length=10, choices=ReminderKind.choices)
    recipients = models.PositiveSmallIntegerField(_("recipients"), default=0)
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("complaint reminder")
        verbose_name_plural = _("complaint reminders")
        constraints = [
            models.UniqueConstraint(fields=["complaint", "state", "due_at", "kind"], name="complaint_reminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.state} {self.kind}"


class Counterpart(models.Model):
    """The other vårdgivare of a samverkansavvikelse (a region or a provider): its contact and reply time."""

    municipality = models.ForeignKey("responsibility.Municipality", on_delete=models.PROTECT, related_name="+")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=160)
    kind = models.CharField(_("kind"), max_length=12, choices=CounterpartKind.choices)
    contact_name = models.CharField(_("contact"), max_length=160, blank=True)
    contact_email = models.EmailField(_("contact's e-mail"), blank=True)
    contact_phone = models.CharField(_("contact's phone"), max_length=40, blank=True)
    reply_months = models.PositiveSmallIntegerField(_("months to reply"), default=2)
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("counterpart")
        verbose_name_plural = _("counterparts")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["municipality", "code"], name="counterpart_code_unique")]

    def __str__(self) -> str:
        return self.name


class CollaborationDeviation(models.Model):
    """A samverkansavvikelse: sent to a counterpart for a reply (outgoing) or received from one (incoming)."""

    municipality = models.ForeignKey("responsibility.Municipality", on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(_("reference"), max_length=20)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    counterpart = models.ForeignKey(
        Counterpart, on_delete=models.PROTECT, related_name="deviations", verbose_name=_("counterpart")
    )
    contract = models.ForeignKey(
        "responsibility.Contract",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agreement concerned (läkarmedverkan)"),
    )
    unit = models.ForeignKey(
        "responsibility.Unit",
        on_delete=models.PROTECT,
        related_name="collaboration_deviations",
        verbose_name=_("our unit concerned"),
    )
    category = models.ForeignKey(
        "incidents.DeviationCategory", on_delete=models.PROTECT, related_name="+", verbose_name=_("category")
    )
    state = models.CharField(
        _("state"), max_length=12, choices=CollaborationState.choices, default=CollaborationState.REGISTERED
    )
    occurred_on = models.DateField(_("occurred"))
    description = models.TextField(_("what happened"), help_text=_("Do not write the patient's name here."))
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered by"),
    )
    registered_at = models.DateTimeField(_("registered"), auto_now_add=True)
    counterpart_reference = models.CharField(_("the counterpart's reference"), max_length=60, blank=True)
    # Outgoing: sent, the counterpart's reply, the MAS's assessment of it.
    sent_on = models.DateField(_("sent"), null=True, blank=True)
    # Incoming: received from the counterpart.
    received_on = models.DateField(_("received"), null=True, blank=True)
    reply_due = models.DateField(_("reply due"), null=True, blank=True)
    reply_on = models.DateField(_("reply received or sent"), null=True, blank=True)
    reply = models.TextField(_("reply"), blank=True)
    forwarded_on = models.DateField(_("forwarded to the unit"), null=True, blank=True)
    assessment = models.TextField(_("MAS assessment"), blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    due_at = models.DateTimeField(_("next deadline"), null=True, blank=True)
    # Routing on the date of the event: the responsible MAS and the unit's verksamhetschef.
    mas_person = models.ForeignKey(
        "responsibility.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible MAS"),
    )
    operations_manager = models.ForeignKey(
        "responsibility.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verksamhetschef"),
    )
    mas_unclear_reason = models.TextField(_("responsibility unclear: reason"), blank=True)
    deviation = models.ForeignKey(
        "incidents.Deviation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("internal deviation"),
    )
    version = models.PositiveIntegerField(_("version"), default=0)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("collaboration deviation")
        verbose_name_plural = _("collaboration deviations")
        ordering = ["-registered_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "reference"], name="collaboration_reference_unique"),
        ]
        indexes = [
            models.Index(fields=["counterpart", "direction", "state"], name="collab_counterpart_idx"),
            models.Index(fields=["state", "due_at"], name="collab_state_due_idx"),
            models.Index(fields=["unit", "state"], name="collab_unit_state_idx"),
        ]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("complaints:collaboration_detail", args=[self.pk])


class CollaborationTransition(TransitionRecord):
    """One move of a collaboration deviation between states: who, when, why."""

    deviation = models.ForeignKey(CollaborationDeviation, on_delete=models.CASCADE, related_name="transitions")
    from_state = models.CharField(_("from"), max_length=12, choices=CollaborationState.choices)
    to_state = models.CharField(_("to"), max_length=12, choices=CollaborationState.choices)

    case_field = "deviation"

    class Meta(TransitionRecord.Meta):
        verbose_name = _("collaboration deviation transition")
        verbose_name_plural = _("collaboration deviation transitions")


class CollaborationReminder(models.Model):
    """That a collaboration deviation was reminded about one deadline, once per kind."""

    deviation = models.ForeignKey(CollaborationDeviation, on_delete=models.CASCADE, related_name="reminders")
    state = models.CharField(_("state"), max_length=12, choices=CollaborationState.choices)
    due_at = models.DateTimeField(_("deadline"))
    kind = models.CharField(_("kind"), max_length=10, choices=ReminderKind.choices)
    recipients = models.PositiveSmallIntegerField(_("recipients"), default=0)
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("collaboration deviation reminder")
        verbose_name_plural = _("collaboration deviation reminders")
        constraints = [
            models.UniqueConstraint(fields=["deviation", "state", "due_at", "kind"], name="collab_reminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.deviation_id} {self.state} {self.kind}"
