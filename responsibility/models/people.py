"""People and their dated assignments: the responsibility register (SPEC §3)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.dates import ActiveOnQuerySet, ValidityPeriod
from responsibility.choices import (
    AssignmentKind,
    Profession,
    Role,
    Scope,
)
from responsibility.models.organisation import Board, CareProvider, Municipality, Region, Unit


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
