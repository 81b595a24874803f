"""Choices of the API app: the scopes a client may be given."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiScope(models.TextChoices):
    """What an API client may do; an endpoint names the scopes that open it."""

    READ_REGISTER = "read:register", _("Read the register (units, people, assignments, contracts, who is responsible)")
    READ_CASES = "read:cases", _("Read deviations and Lex Maria cases")
    READ_DEVIATIONS = "read:deviations", _("Read deviations")
    READ_LEX_MARIA = "read:lexmaria", _("Read Lex Maria cases")
    WRITE_DEVIATIONS = "write:deviations", _("Report deviations")


# An endpoint that needs the key scope is also opened by the value scopes (read:cases covers both case kinds).
IMPLIED_BY = {
    ApiScope.READ_DEVIATIONS: {ApiScope.READ_DEVIATIONS, ApiScope.READ_CASES},
    ApiScope.READ_LEX_MARIA: {ApiScope.READ_LEX_MARIA, ApiScope.READ_CASES},
}
