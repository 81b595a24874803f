"""Contracts with providers and the Lex Maria route each may have (SPEC §5, §6)."""

import operator
from functools import reduce

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.dates import ActiveOnQuerySet, ValidityPeriod
from responsibility.choices import (
    ContractKind,
    LexMariaRoute,
    MasHeldBy,
)
from responsibility.models.organisation import Board, CareProvider, Municipality, Unit

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
