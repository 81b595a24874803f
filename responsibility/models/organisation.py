"""The organisation: municipalities (with their settings), regions, boards, care providers, units and who operated them (SPEC §1–§2)."""

from datetime import date

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.dates import ActiveOnQuerySet, ValidityPeriod
from responsibility.choices import (
    OperatingForm,
    ProviderKind,
    UnitType,
)
from responsibility.validators import validate_org_number


class Municipality(models.Model):
    """A kommun: the tenant. Holds the configurable deadlines and thresholds."""

    name = models.CharField(_("name"), max_length=120)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    org_number = models.CharField(_("organisation number"), max_length=11, validators=[validate_org_number])
    # Deviation workflow (SPEC §4), configurable.
    investigation_days = models.PositiveSmallIntegerField(_("days to complete an investigation"), default=14)
    mas_assessment_working_days = models.PositiveSmallIntegerField(
        _("working days for MAS to assess a serious deviation"), default=3
    )
    mas_risk_threshold = models.PositiveSmallIntegerField(_("risk score that goes to MAS"), default=8)
    mas_consequence_threshold = models.PositiveSmallIntegerField(_("consequence that goes to MAS"), default=3)
    reminder_days_before = models.PositiveSmallIntegerField(_("days before a deadline to remind"), default=2)
    # Register and follow-up (SPEC §3, §6), configurable.
    successor_warning_days = models.PositiveSmallIntegerField(
        _("days before an assignment ends to warn of no successor"), default=30
    )
    delegation_max_days = models.PositiveSmallIntegerField(_("longest delegation in days"), default=365)
    delegation_warning_days = models.PositiveSmallIntegerField(
        _("days before a delegation expires to remind"), default=30
    )
    # Working days (SPEC §4), configurable: julafton, midsommarafton and nyårsafton as non-working days.
    eves_are_non_working = models.BooleanField(
        _("Christmas Eve, Midsummer Eve and New Year's Eve are non-working days"), default=True
    )
    # Lex Maria step deadlines in days (SPEC §5), configurable; each counted from when the step became possible.
    lex_maria_patient_days = models.PositiveSmallIntegerField(_("days to inform the patient (Lex Maria)"), default=3)
    lex_maria_report_days = models.PositiveSmallIntegerField(
        _("days to report to IVO after the decision (Lex Maria, 'snarast')"), default=7
    )
    lex_maria_analysis_days = models.PositiveSmallIntegerField(
        _("days to complete the event analysis (Lex Maria)"), default=42
    )
    lex_maria_investigation_days = models.PositiveSmallIntegerField(
        _("days to send the investigation to IVO once analysed and reported (Lex Maria)"), default=7
    )
    lex_maria_forward_days = models.PositiveSmallIntegerField(
        _("days for the board's MAS to forward a contractor's case (Lex Maria)"), default=3
    )
    lex_maria_board_days = models.PositiveSmallIntegerField(_("days to inform the board (Lex Maria)"), default=14)
    lex_maria_close_days = models.PositiveSmallIntegerField(
        _("days to close a case once every step is done (Lex Maria)"), default=14
    )
    # Follow-up (SPEC §6), configurable.
    escalate_after_days = models.PositiveSmallIntegerField(
        _("days after an action's deadline before escalating to the manager"), default=7
    )
    followup_remind_days = models.PositiveSmallIntegerField(
        _("days before a follow-up to remind the auditor"), default=7
    )
    contract_warning_days = models.PositiveSmallIntegerField(
        _("days before a contract ends to warn of no successor"), default=90
    )
    routine_warning_days = models.PositiveSmallIntegerField(
        _("days before a routine's revision date to remind its owner"), default=30
    )
    # Complaints and collaboration deviations (SPEC §6a), configurable.
    acknowledge_working_days = models.PositiveSmallIntegerField(
        _("working days to confirm receipt of a complaint"), default=5
    )
    answer_weeks = models.PositiveSmallIntegerField(_("weeks to answer a complaint"), default=4)
    reply_months = models.PositiveSmallIntegerField(
        _("months for a counterpart to reply (default for new counterparts)"), default=2
    )
    complaint_reminder_days_before = models.PositiveSmallIntegerField(
        _("days before a complaint's or collaboration deviation's deadline to remind"), default=2
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")

    def __str__(self) -> str:
        return self.name


class Region(models.Model):
    """A MAS/MAR region: boards sharing MAS/MAR staff employed by a host board."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="regions")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=120)
    host_board = models.ForeignKey(
        "Board",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="hosted_regions",
        verbose_name=_("host board"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["municipality", "code"], name="region_code_unique")]

    def __str__(self) -> str:
        return self.name


class Board(models.Model):
    """A nämnd: the municipality's vårdgivare for its own units."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="boards")
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="boards", verbose_name=_("region")
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=120)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("board")
        verbose_name_plural = _("boards")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["municipality", "code"], name="board_code_unique")]

    def __str__(self) -> str:
        return self.name


class CareProvider(models.Model):
    """A vårdgivare: the municipality through a board, a contractor or a private provider."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="providers")
    name = models.CharField(_("name"), max_length=160)
    org_number = models.CharField(_("organisation number"), max_length=11, validators=[validate_org_number])
    kind = models.CharField(_("kind"), max_length=12, choices=ProviderKind.choices)
    board = models.ForeignKey(
        Board,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="municipal_providers",
        verbose_name=_("board (municipal provider)"),
        help_text=_("Only for the municipality's own operation: the board that is the vårdgivare."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("care provider")
        verbose_name_plural = _("care providers")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "org_number"], condition=~Q(kind="municipal"), name="provider_orgnr_unique"
            ),
            models.UniqueConstraint(
                fields=["board"], condition=Q(kind="municipal"), name="one_municipal_provider_per_board"
            ),
            models.CheckConstraint(
                condition=Q(kind="municipal", board__isnull=False) | (~Q(kind="municipal") & Q(board__isnull=True)),
                name="provider_board_iff_municipal",
                violation_error_message=_("A municipal provider belongs to a board; other providers do not."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Unit(ValidityPeriod, models.Model):
    """A verksamhet/enhet where care is given.

    ``provider``, ``operating_form`` and ``contract`` are the current values; the
    dated truth is in ``operating_periods`` (a re-procurement never overwrites).
    """

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="units")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=160)
    unit_type = models.CharField(_("type"), max_length=20, choices=UnitType.choices)
    board = models.ForeignKey(Board, on_delete=models.PROTECT, related_name="units", verbose_name=_("board"))
    provider = models.ForeignKey(
        CareProvider, on_delete=models.PROTECT, related_name="units", verbose_name=_("care provider")
    )
    operating_form = models.CharField(_("operating form"), max_length=12, choices=OperatingForm.choices)
    contract = models.ForeignKey(
        "Contract",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="current_units",
        verbose_name=_("contract"),
    )
    places = models.PositiveIntegerField(_("places"), default=0)
    provides_health_care = models.BooleanField(_("provides health care"), default=True)
    provides_rehabilitation = models.BooleanField(_("provides rehabilitation"), default=False)
    active_from = models.DateField(_("active from"), default=date(2020, 1, 1))
    active_to = models.DateField(_("active to"), null=True, blank=True)
    history = HistoricalRecords()

    objects = ActiveOnQuerySet.as_manager()
    period_start, period_end = "active_from", "active_to"

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "code"], name="unit_code_unique"),
            models.CheckConstraint(
                condition=Q(active_to__isnull=True) | Q(active_to__gte=models.F("active_from")),
                name="unit_active_period_valid",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
        ]
        indexes = [models.Index(fields=["board", "name"], name="unit_board_name_idx")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("responsibility:unit_detail", args=[self.code])


class UnitOperatingPeriod(ValidityPeriod, models.Model):
    """Who operated a unit, in which form and under which contract, during a period."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="operating_periods")
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    provider = models.ForeignKey(
        CareProvider, on_delete=models.PROTECT, related_name="+", verbose_name=_("care provider")
    )
    operating_form = models.CharField(_("operating form"), max_length=12, choices=OperatingForm.choices)
    contract = models.ForeignKey(
        "Contract", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("contract")
    )

    objects = ActiveOnQuerySet.as_manager()

    class Meta:
        verbose_name = _("operating period")
        verbose_name_plural = _("operating periods")
        ordering = ["unit", "valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "valid_from"], name="operating_period_start_unique"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="operating_period_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.valid_from}–{self.valid_to or ''}"
