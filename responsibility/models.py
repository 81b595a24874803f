"""The organisation and the responsibility register (SPEC §1–§3, §6 contracts)."""

import operator
from datetime import date
from functools import reduce

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.dates import ActiveOnQuerySet, ValidityPeriod
from responsibility.choices import (
    AssignmentKind,
    ContractKind,
    LexMariaRoute,
    MasHeldBy,
    OperatingForm,
    Profession,
    ProviderKind,
    Role,
    Scope,
    Severity,
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


class Person(models.Model):
    """Someone who can hold a role: profession and legitimation decide which."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="people")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
        verbose_name=_("login"),
    )
    first_name = models.CharField(_("first name"), max_length=80)
    last_name = models.CharField(_("last name"), max_length=80)
    email = models.EmailField(_("e-mail"), blank=True)
    title = models.CharField(_("title"), max_length=120, blank=True)
    profession = models.CharField(_("profession"), max_length=24, choices=Profession.choices)
    licensed = models.BooleanField(_("licensed (legitimerad)"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def full_name(self) -> str:
        return str(self)

    def may_hold(self, role: str) -> bool:
        """Whether profession and legitimation allow this person to hold ``role`` (R4)."""
        if role == Role.MAS:
            return self.licensed and self.profession == Profession.NURSE
        if role == Role.MAR:
            return self.licensed and self.profession in (Profession.PHYSIOTHERAPIST, Profession.OCCUPATIONAL_THERAPIST)
        return True


class Assignment(ValidityPeriod, models.Model):
    """A person holding a role for one scope (region, board, provider or unit) during a period."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("person"))
    role = models.CharField(_("role"), max_length=24, choices=Role.choices)
    kind = models.CharField(_("kind"), max_length=12, choices=AssignmentKind.choices, default=AssignmentKind.STATUTORY)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="assignments", verbose_name=_("region")
    )
    board = models.ForeignKey(
        Board, on_delete=models.PROTECT, null=True, blank=True, related_name="assignments", verbose_name=_("board")
    )
    provider = models.ForeignKey(
        CareProvider,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assignments",
        verbose_name=_("care provider"),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="assignments", verbose_name=_("unit")
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(
        _("valid to"), null=True, blank=True, help_text=_("Inclusive. Empty: until further notice.")
    )
    deputy_for = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deputies",
        verbose_name=_("deputy for"),
        help_text=_("Set when this is a deputy (ersättare) during holiday or sickness."),
    )
    has_staffing_mandate = models.BooleanField(
        _("mandate over staffing and competence"),
        default=True,
        help_text=_("For operations managers: whether the mandate covers staffing and competence (R9)."),
    )
    basis = models.CharField(
        _("basis"),
        max_length=200,
        blank=True,
        help_text=_("Decision or contract clause behind the assignment, e.g. 'Delegation 2026-02' or 'Avtal 4.11'."),
    )
    history = HistoricalRecords()

    objects = ActiveOnQuerySet.as_manager()

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["role", "valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(region__isnull=False, board__isnull=True, provider__isnull=True, unit__isnull=True)
                    | Q(region__isnull=True, board__isnull=False, provider__isnull=True, unit__isnull=True)
                    | Q(region__isnull=True, board__isnull=True, provider__isnull=False, unit__isnull=True)
                    | Q(region__isnull=True, board__isnull=True, provider__isnull=True, unit__isnull=False)
                ),
                name="assignment_exactly_one_scope",
                violation_error_message=_(
                    "An assignment has exactly one scope: a region, a board, a provider or a unit."
                ),
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="assignment_period_valid",
                violation_error_message=_("'Valid to' cannot be before 'valid from'."),
            ),
        ]
        indexes = [
            models.Index(fields=["role", "unit", "valid_from"], name="assignment_unit_idx"),
            models.Index(fields=["role", "provider", "valid_from"], name="assignment_provider_idx"),
            models.Index(fields=["role", "board", "valid_from"], name="assignment_board_idx"),
            models.Index(fields=["role", "region", "valid_from"], name="assignment_region_idx"),
            models.Index(fields=["person", "valid_from"], name="assignment_person_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person} – {self.get_role_display()} – {self.scope_object}"

    @property
    def scope(self) -> str:
        if self.unit_id:
            return Scope.UNIT
        if self.provider_id:
            return Scope.PROVIDER
        if self.board_id:
            return Scope.BOARD
        return Scope.REGION

    @property
    def scope_object(self):
        return self.unit or self.provider or self.board or self.region

    @property
    def scope_label(self) -> str:
        """The kind of scope, as shown: unit, care provider, board or region."""
        return Scope(self.scope).label

    @property
    def scope_key(self) -> tuple[str, int]:
        return (self.scope, self.unit_id or self.provider_id or self.board_id or self.region_id)

    def clean(self) -> None:
        errors = {}
        if self.valid_to and self.valid_from and self.valid_to < self.valid_from:
            errors["valid_to"] = _("'Valid to' cannot be before 'valid from'.")
        if self.person_id and self.role == Role.MAS and not self.person.may_hold(Role.MAS):
            errors["person"] = _("A MAS must be a licensed registered nurse (HSL 11 kap. 4 §).")
        if self.person_id and self.role == Role.MAR and not self.person.may_hold(Role.MAR):
            errors["person"] = _(
                "A MAR must be a licensed physiotherapist or occupational therapist (HSL 11 kap. 4 §)."
            )
        scopes = [self.region_id, self.board_id, self.provider_id, self.unit_id]
        if sum(1 for s in scopes if s) != 1:
            errors["unit"] = _("Choose exactly one scope: a region, a board, a provider or a unit.")
        if self.deputy_for_id and self.deputy_for.role != self.role:
            errors["deputy_for"] = _("A deputy holds the same role as the person they replace.")
        if errors:
            raise ValidationError(errors)


# SPEC §5 variant table: the Lex Maria route a contract of a kind may have, by who holds the MAS duty.
# A private provider under ramavtal/LOV is a vårdgivare of its own and always reports itself; an
# entreprenad follows ``mas_held_by``; läkarmedverkan (kommun–region) runs no unit and has no route of its own.
CONSISTENT_ROUTES: dict[tuple[str, str], str] = {
    (ContractKind.CONTRACT, MasHeldBy.CONTRACTOR): LexMariaRoute.CONTRACTOR_VIA_BOARD_MAS,
    (ContractKind.CONTRACT, MasHeldBy.BOARD): LexMariaRoute.BOARD_MAS,
    (ContractKind.FRAMEWORK, MasHeldBy.CONTRACTOR): LexMariaRoute.PROVIDER_MAS,
    (ContractKind.CHOICE, MasHeldBy.CONTRACTOR): LexMariaRoute.PROVIDER_MAS,
    (ContractKind.PHYSICIAN, MasHeldBy.CONTRACTOR): LexMariaRoute.OWN,
    (ContractKind.PHYSICIAN, MasHeldBy.BOARD): LexMariaRoute.OWN,
}


def route_agrees(*, kind: str, mas_held_by: str, route: str) -> bool:
    """Whether a contract's Lex Maria route agrees with its type and ``mas_held_by`` (R11, SPEC §5)."""
    return CONSISTENT_ROUTES.get((kind, mas_held_by)) == route


def _consistent_route_q() -> Q:
    parts = [
        Q(kind=kind, mas_held_by=held_by, lex_maria_route=route) for (kind, held_by), route in CONSISTENT_ROUTES.items()
    ]
    return reduce(operator.or_, parts)


class Contract(ValidityPeriod, models.Model):
    """An avtal with a provider; decides who holds the MAS duty and the Lex Maria route."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="contracts")
    kind = models.CharField(_("kind"), max_length=12, choices=ContractKind.choices)
    title = models.CharField(_("title"), max_length=200)
    provider = models.ForeignKey(
        CareProvider,
        on_delete=models.PROTECT,
        related_name="contracts",
        verbose_name=_("care provider"),
        null=True,
        blank=True,
    )
    managing_board = models.ForeignKey(
        Board, on_delete=models.PROTECT, related_name="managed_contracts", verbose_name=_("managing board")
    )
    purchasing_board = models.ForeignKey(
        Board, on_delete=models.PROTECT, related_name="purchased_contracts", verbose_name=_("purchasing board")
    )
    case_number = models.CharField(_("case number (diarienummer)"), max_length=60)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    units = models.ManyToManyField(Unit, blank=True, related_name="contracts", verbose_name=_("covered units"))
    mas_held_by = models.CharField(
        _("MAS duty held by"), max_length=12, choices=MasHeldBy.choices, default=MasHeldBy.CONTRACTOR
    )
    informs_board_mas = models.BooleanField(
        _("the care provider informs the board's MAS"),
        default=False,
        help_text=_("Deviations, organisational changes, events and risk analyses (clause of type 4.11)."),
    )
    mas_clause = models.CharField(_("MAS clause"), max_length=40, blank=True)
    lex_maria_route = models.CharField(
        _("Lex Maria route"),
        max_length=32,
        choices=LexMariaRoute.choices,
        default=LexMariaRoute.CONTRACTOR_VIA_BOARD_MAS,
    )
    journal_access = models.BooleanField(_("MAS may read the provider's records"), default=False)
    # Contracts saved before the route rule existed may contradict it; they load, R11 reports them, and
    # the database accepts no other contradiction. Saving through the portal clears the mark (and must agree).
    predates_route_rule = models.BooleanField(
        _("saved before the route rule (R11)"),
        default=False,
        editable=False,
    )
    successor = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="predecessors",
        verbose_name=_("successor contract"),
    )
    # Avtal om läkarmedverkan (kommun–region), seed 004.
    doctor_available_24_7 = models.BooleanField(_("doctor available around the clock"), default=False)
    nurse_assessment_24_7 = models.BooleanField(_("nurse assessment around the clock"), default=False)
    physical_visits = models.TextField(_("physical visits"), blank=True)
    non_compliance_consequences = models.TextField(_("consequences of non-compliance"), blank=True)
    history = HistoricalRecords()

    objects = ActiveOnQuerySet.as_manager()

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="contract_period_valid",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
            models.CheckConstraint(
                condition=Q(predates_route_rule=True) | _consistent_route_q(),
                name="contract_route_agrees",
                violation_error_message=_(
                    "The Lex Maria route must agree with the contract type and who holds the MAS duty."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.case_number})"

    @property
    def route_agrees(self) -> bool:
        return route_agrees(kind=self.kind, mas_held_by=self.mas_held_by, route=self.lex_maria_route)

    def clean(self) -> None:
        expected = CONSISTENT_ROUTES.get((self.kind, self.mas_held_by))
        if expected is None:
            raise ValidationError(
                {
                    "mas_held_by": _(
                        "A private provider under a framework agreement or LOV is a care provider (vårdgivare) in its own "
                        "right and holds the MAS duty itself."
                    )
                }
            )
        if self.lex_maria_route != expected:
            raise ValidationError(
                {
                    "lex_maria_route": _(
                        "With this contract type and MAS duty the Lex Maria route must be “%(route)s” (SPEC §5)."
                    )
                    % {"route": LexMariaRoute(expected).label}
                }
            )


class RuleDefinition(ValidityPeriod, models.Model):
    """A dated check of the register (R1–R12): a change of law is a new row, not new code."""

    code = models.CharField(_("code"), max_length=8)
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)
    effective_from = models.DateField(_("in force from"))
    effective_to = models.DateField(_("in force to"), null=True, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=200)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    history = HistoricalRecords()

    objects = ActiveOnQuerySet.as_manager()
    period_start, period_end = "effective_from", "effective_to"

    class Meta:
        verbose_name = _("rule")
        verbose_name_plural = _("rules")
        ordering = ["code", "effective_from"]
        constraints = [models.UniqueConstraint(fields=["code", "effective_from"], name="rule_code_from_unique")]

    def __str__(self) -> str:
        return f"{self.code} ({self.effective_from})"
