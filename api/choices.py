"""Choices of the API app: the scopes a client may be given."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiScope(models.TextChoices):
    """What an API client may do; an endpoint names the scopes that open it."""

    READ_REGISTER = "read:register", _("Read the register (units, people, assignments, contracts, who is responsible)")
    READ_CASES = "read:cases", _("Read deviations, Lex Maria cases, complaints and follow-ups")
    READ_DEVIATIONS = "read:deviations", _("Read deviations")
    READ_LEX_MARIA = "read:lexmaria", _("Read Lex Maria cases")
    READ_COMPLAINTS = "read:complaints", _("Read complaints")
    READ_FOLLOWUPS = "read:followups", _("Read follow-ups (contract follow-ups, supervision, self-assessments)")
    WRITE_DEVIATIONS = "write:deviations", _("Report deviations")


# An endpoint that needs the key scope is also opened by the value scopes (read:cases covers every case kind).
IMPLIED_BY = {
    ApiScope.READ_DEVIATIONS: {ApiScope.READ_DEVIATIONS, ApiScope.READ_CASES},
    ApiScope.READ_LEX_MARIA: {ApiScope.READ_LEX_MARIA, ApiScope.READ_CASES},
    ApiScope.READ_COMPLAINTS: {ApiScope.READ_COMPLAINTS, ApiScope.READ_CASES},
    ApiScope.READ_FOLLOWUPS: {ApiScope.READ_FOLLOWUPS, ApiScope.READ_CASES},
}
