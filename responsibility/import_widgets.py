"""The import widgets of the register: natural keys (unit code, board code, organisationsnummer, diarienummer,
e-mail) and values, each with a Swedish message when a cell cannot be read."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import widgets

from responsibility.choices import ProviderKind
from responsibility.models import CareProvider, Municipality
from responsibility.validators import normalize_org_number

# What a natural key names, for messages (translated when the message is made).
_WHAT = {
    "board": lambda: _("board"),
    "contract": lambda: _("contract"),
    "person": lambda: _("person"),
    "region": lambda: _("region"),
    "unit": lambda: _("unit"),
}


# --- widgets: natural keys and values, with Swedish messages ----------------------------------


class MunicipalityWidget(widgets.Widget):
    """A widget that looks objects up within the municipality its resource sets."""

    municipality: Municipality | None = None

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class NaturalKeyWidget(MunicipalityWidget):
    """Find one object of ``model`` in the municipality by ``lookup`` (e.g. ``code``)."""

    def __init__(self, model, lookup: str, what: str):
        super().__init__()
        self.model, self.lookup, self.what = model, lookup, what

    def _queryset(self):
        return self.model.objects.filter(municipality=self.municipality)

    def clean(self, value, row=None, **kwargs):
        value = cell_text(value)
        if not value:
            return None
        found = list(self._queryset().filter(**{self.lookup: value})[:2])
        if not found:
            raise ValueError(_("No %(what)s with the key %(value)s.") % {"what": _WHAT[self.what](), "value": value})
        if len(found) > 1:
            raise ValueError(
                _("More than one %(what)s has the key %(value)s.") % {"what": _WHAT[self.what](), "value": value}
            )
        return found[0]


class ProviderWidget(MunicipalityWidget):
    """A care provider by organisationsnummer; the municipality's own provider by its board's code."""

    def clean(self, value, row=None, **kwargs):
        value = cell_text(value)
        if not value:
            return None
        qs = CareProvider.objects.filter(municipality=self.municipality)
        if value[:1].isdigit():
            try:
                org_number = normalize_org_number(value)
            except ValidationError as exc:
                raise ValueError(" ".join(exc.messages)) from None
            found = list(qs.filter(org_number=org_number).exclude(kind=ProviderKind.MUNICIPAL)[:1])
            if found:
                return found[0]
            if qs.filter(org_number=org_number, kind=ProviderKind.MUNICIPAL).exists():
                raise ValueError(
                    _(
                        "For the municipality's own operation, write the board's code instead of the organisation number."
                    )
                )
            raise ValueError(_("No care provider has the organisation number %(value)s.") % {"value": org_number})
        found = list(qs.filter(kind=ProviderKind.MUNICIPAL, board__code=value)[:1])
        if not found:
            raise ValueError(
                _(
                    "No care provider with the key %(value)s. Write an organisation number or, for own operation, a board code."
                )
                % {"value": value}
            )
        return found[0]


class ChoiceWidget(widgets.Widget):
    """A choice by its code (``MAS``) or its label, in any case."""

    def __init__(self, choices, *, default=None):
        super().__init__()
        self.choices, self.default = choices, default

    def clean(self, value, row=None, **kwargs):
        value = cell_text(value)
        if not value:
            return self.default
        for code, label in self.choices:
            if value.lower() in (str(code).lower(), str(label).lower()):
                return code
        raise ValueError(
            _("Unknown value %(value)s. Allowed: %(allowed)s.")
            % {"value": value, "allowed": ", ".join(str(code) for code, _label in self.choices)}
        )

    def render(self, value, obj=None, **kwargs):
        return value or ""


class YesNoWidget(widgets.Widget):
    YES = {"ja", "j", "yes", "y", "true", "1", "x"}
    NO = {"nej", "n", "no", "false", "0"}

    def __init__(self, *, default: bool):
        super().__init__()
        self.default = default

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            return value
        text = cell_text(value).lower()
        if not text:
            return self.default
        if text in self.YES:
            return True
        if text in self.NO:
            return False
        raise ValueError(_("Write ja or nej, not %(value)s.") % {"value": value})

    def render(self, value, obj=None, **kwargs):
        return "ja" if value else "nej"


class IsoDateWidget(widgets.Widget):
    def __init__(self, *, default: date | None = None):
        super().__init__()
        self.default = default

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        text = cell_text(value)
        if not text:
            return self.default
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise ValueError(_("Write the date as YYYY-MM-DD, not %(value)s.") % {"value": text}) from None

    def render(self, value, obj=None, **kwargs):
        return value.isoformat() if value else ""


class CountWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if isinstance(value, int) and value >= 0:
            return value
        if isinstance(value, float) and value.is_integer() and value >= 0:
            return int(value)
        text = cell_text(value)
        if not text:
            return 0
        if not text.isdigit():
            raise ValueError(_("Write a whole number of 0 or more, not %(value)s.") % {"value": text})
        return int(text)


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()
