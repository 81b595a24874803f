"""The organisation and the responsibility register (SPEC §1–§3, §6 contracts).

One module per concern; every name is importable from ``responsibility.models``.
"""

from responsibility.models.contracts import CONSISTENT_ROUTES, Contract, route_agrees
from responsibility.models.organisation import Board, CareProvider, Municipality, Region, Unit, UnitOperatingPeriod
from responsibility.models.people import Assignment, Person
from responsibility.models.rules import RuleDefinition
from responsibility.models.versions import RegisterVersion

__all__ = [
    "CONSISTENT_ROUTES",
    "Assignment",
    "Board",
    "CareProvider",
    "Contract",
    "Municipality",
    "Person",
    "Region",
    "RegisterVersion",
    "RuleDefinition",
    "Unit",
    "UnitOperatingPeriod",
    "route_agrees",
]
