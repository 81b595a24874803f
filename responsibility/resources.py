"""Import of units and assignments with django-import-export, keyed by natural keys.

Columns are the register's natural keys: unit code, board code, provider
organisationsnummer (or, for the municipality's own provider, the board code),
contract diarienummer and person e-mail. Every row is validated by the same
rules as the browser forms: the resources save through the services.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime

import tablib
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from responsibility.choices import AssignmentKind, OperatingForm, ProviderKind, Role, UnitType
from responsibility.models import Assignment, Board, CareProvider, Contract, Municipality, Person, Region, Unit
from responsibility.services import assignment_save, assignment_validate, unit_create, unit_validate
from responsibility.validators import normalize_org_number

IMPORT_KINDS = ("units", "assignments")
# What a natural key names, for messages (translated when the message is made).
_WHAT = {
    "board": lambda: _("board"),
    "contract": lambda: _("contract"),
    "person": lambda: _("person"),
    "region": lambda: _("region"),
    "unit": lambda: _("unit"),
}


# --- widgets: natural keys and values, with Swedish messages ----------------------------------


class _MunicipalityWidget(widgets.Widget):
    """A widget that looks objects up within the municipality its resource sets."""

    municipality: Municipality | None = None

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class NaturalKeyWidget(_MunicipalityWidget):
    """Find one object of ``model`` in the municipality by ``lookup`` (e.g. ``code``)."""

    def __init__(self, model, lookup: str, what: str):
        super().__init__()
        self.model, self.lookup, self.what = model, lookup, what

    def _queryset(self):
        return self.model.objects.filter(municipality=self.municipality)

    def clean(self, value, row=None, **kwargs):
        value = _text(value)
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


class ProviderWidget(_MunicipalityWidget):
    """A care provider by organisationsnummer; the municipality's own provider by its board's code."""

    def clean(self, value, row=None, **kwargs):
        value = _text(value)
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
        value = _text(value)
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
        text = _text(value).lower()
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
        text = _text(value)
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
        text = _text(value)
        if not text:
            return 0
        if not text.isdigit():
            raise ValueError(_("Write a whole number of 0 or more, not %(value)s.") % {"value": text})
        return int(text)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


# --- resources -----------------------------------------------------------------------------------


def _field(name: str, widget: widgets.Widget, attribute: str | None = None) -> fields.Field:
    return fields.Field(attribute=attribute or name, column_name=name, widget=widget)


class _RegisterResource(resources.ModelResource):
    """Common behaviour: every row is new, validated by the services' rules, saved through them."""

    required_columns: tuple[str, ...] = ()

    def __init__(self, *, municipality: Municipality):
        super().__init__()
        self.municipality = municipality
        for f in self.fields.values():
            if isinstance(f.widget, _MunicipalityWidget):
                f.widget.municipality = municipality

    def init_instance(self, row=None):
        return self._meta.model(**self._init_kwargs())

    def _init_kwargs(self) -> dict:
        return {}

    def service_errors(self, instance, errors: dict) -> dict:
        """Errors of the services' rules for ``instance``, keyed by field (``errors`` are already known)."""
        return {}

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        for key, value in self.service_errors(instance, errors).items():
            errors.setdefault(key, value)
        try:
            instance.full_clean(exclude=list(errors), validate_unique=validate_unique)
        except ValidationError as exc:
            for key, value in exc.error_dict.items():
                errors.setdefault(key, value)
        if errors:
            raise ValidationError(errors)


class UnitResource(_RegisterResource):
    """Units, created only: a unit already in the register is changed in the browser."""

    required_columns = ("code", "name", "unit_type", "board", "provider", "operating_form")

    code = _field("code", widgets.CharWidget())
    name = _field("name", widgets.CharWidget())
    unit_type = _field("unit_type", ChoiceWidget(UnitType.choices))
    board = _field("board", NaturalKeyWidget(Board, "code", "board"))
    provider = _field("provider", ProviderWidget())
    operating_form = _field("operating_form", ChoiceWidget(OperatingForm.choices))
    contract = _field("contract", NaturalKeyWidget(Contract, "case_number", "contract"))
    places = _field("places", CountWidget())
    provides_health_care = _field("provides_health_care", YesNoWidget(default=True))
    provides_rehabilitation = _field("provides_rehabilitation", YesNoWidget(default=False))
    active_from = _field("active_from", IsoDateWidget(default=date(2020, 1, 1)))
    active_to = _field("active_to", IsoDateWidget())

    class Meta:
        model = Unit
        fields = (
            "code",
            "name",
            "unit_type",
            "board",
            "provider",
            "operating_form",
            "contract",
            "places",
            "provides_health_care",
            "provides_rehabilitation",
            "active_from",
            "active_to",
        )
        import_id_fields = ()
        force_init_instance = True
        skip_diff = True
        use_transactions = True
        clean_model_instances = True

    def _init_kwargs(self) -> dict:
        return {"municipality": self.municipality}

    def service_errors(self, instance, errors):
        found = {}
        if (
            instance.code
            and "code" not in errors
            and Unit.objects.filter(municipality=self.municipality, code=instance.code).exists()
        ):
            found["code"] = [
                _("A unit with the code %(code)s already exists. Change it in the browser.") % {"code": instance.code}
            ]
        if not {"board", "provider", "contract"} & set(errors):
            try:
                unit_validate(unit=instance)
            except ValidationError as exc:
                found.update(exc.message_dict)
        return found

    def save_instance(self, instance, is_create, row, **kwargs):
        unit_create(unit=instance)


class AssignmentResource(_RegisterResource):
    """Assignments, created only; each is saved through ``assignment_save``."""

    required_columns = ("person_email", "role", "valid_from")

    person_email = _field("person_email", NaturalKeyWidget(Person, "email__iexact", "person"), attribute="person")
    role = _field("role", ChoiceWidget(Role.choices))
    kind = _field("kind", ChoiceWidget(AssignmentKind.choices, default=AssignmentKind.STATUTORY))
    region = _field("region", NaturalKeyWidget(Region, "code", "region"))
    board = _field("board", NaturalKeyWidget(Board, "code", "board"))
    provider = _field("provider", ProviderWidget())
    unit = _field("unit", NaturalKeyWidget(Unit, "code", "unit"))
    valid_from = _field("valid_from", IsoDateWidget())
    valid_to = _field("valid_to", IsoDateWidget())
    has_staffing_mandate = _field("has_staffing_mandate", YesNoWidget(default=True))
    basis = _field("basis", widgets.CharWidget())

    class Meta:
        model = Assignment
        fields = (
            "person_email",
            "role",
            "kind",
            "region",
            "board",
            "provider",
            "unit",
            "valid_from",
            "valid_to",
            "has_staffing_mandate",
            "basis",
        )
        import_id_fields = ()
        force_init_instance = True
        skip_diff = True
        use_transactions = True
        clean_model_instances = True

    def service_errors(self, instance, errors):
        if errors:
            return {}
        try:
            assignment_validate(assignment=instance)
        except ValidationError as exc:
            return exc.message_dict
        return {}

    def save_instance(self, instance, is_create, row, **kwargs):
        assignment_save(assignment=instance)


RESOURCES: dict[str, type[_RegisterResource]] = {"units": UnitResource, "assignments": AssignmentResource}


# --- reading files and reporting -----------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """One problem in an import file: the row as numbered in a spreadsheet (header = row 1)."""

    row: int
    column: str
    message: str


@dataclass
class ImportOutcome:
    """What an import run found: row errors, and how many rows it would create (or created)."""

    total_rows: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class ImportFileError(Exception):
    """The file cannot be read as a table."""


def read_dataset(*, content: bytes, filename: str) -> tablib.Dataset:
    """Read a CSV (UTF-8, comma or semicolon) or XLSX file into a dataset without blank rows."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        try:
            dataset = tablib.Dataset().load(io.BytesIO(content), format="xlsx")
        except Exception as exc:  # noqa: BLE001 - any parse failure is the user's file
            raise ImportFileError(_("The file could not be read as an Excel workbook (.xlsx).")) from exc
    else:
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = content.decode("cp1252")
            except UnicodeDecodeError as exc:
                raise ImportFileError(_("The file could not be read as text. Save it as CSV (UTF-8).")) from exc
        first_line = text.splitlines()[0] if text.strip() else ""
        delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
        if not rows:
            raise ImportFileError(_("The file is empty."))
        dataset = tablib.Dataset(headers=[h.strip() for h in rows[0]])
        width = len(rows[0])
        for row in rows[1:]:
            dataset.append((row + [""] * width)[:width])
    headers = [(_text(h)).lower() for h in (dataset.headers or [])]
    cleaned = tablib.Dataset(headers=headers)
    for row in dataset:
        if any(_text(v) for v in row):
            cleaned.append(row)
    return cleaned


def check_columns(*, kind: str, dataset: tablib.Dataset) -> list[RowError]:
    """Errors for missing required columns and unknown columns (row 1 is the header)."""
    resource_class = RESOURCES[kind]
    headers = list(dataset.headers or [])
    errors = [
        RowError(1, column, _("The column is missing. Use the template's column names."))
        for column in resource_class.required_columns
        if column not in headers
    ]
    known = set(resource_class.Meta.fields)
    errors += [
        RowError(
            1,
            column or "—",
            _("Unknown column. Allowed columns: %(allowed)s.") % {"allowed": ", ".join(resource_class.Meta.fields)},
        )
        for column in headers
        if column not in known
    ]
    if not errors and not len(dataset):
        errors.append(RowError(2, "—", _("The file has no rows under the header.")))
    return errors


def run_import(*, kind: str, dataset: tablib.Dataset, municipality: Municipality, dry_run: bool) -> ImportOutcome:
    """Run the resource over every row; with ``dry_run`` everything is rolled back."""
    outcome = ImportOutcome(total_rows=len(dataset), errors=check_columns(kind=kind, dataset=dataset))
    if outcome.errors:
        return outcome
    resource = RESOURCES[kind](municipality=municipality)
    columns = {f.attribute: f.column_name for f in resource.get_import_fields()}
    result = resource.import_data(
        dataset, dry_run=dry_run, raise_errors=False, use_transactions=True, rollback_on_validation_errors=True
    )
    for invalid in result.invalid_rows:
        for key, messages in invalid.error_dict.items():
            column = columns.get(key, "—") if key != NON_FIELD_ERRORS else "—"
            for message in messages:
                outcome.errors.append(RowError(invalid.number + 1, column, message))
    for number, row_errors in result.row_errors():
        for error in row_errors:
            outcome.errors.append(
                RowError(number + 1, "—", _("The row could not be saved: %(error)s") % {"error": error.error})
            )
    for error in result.base_errors:
        outcome.errors.append(RowError(1, "—", _("The file could not be imported: %(error)s") % {"error": error.error}))
    outcome.errors.sort(key=lambda e: (e.row, e.column))
    return outcome


def template_csv(*, kind: str) -> str:
    """A CSV template with the column names and one example row."""
    examples = {
        "units": [
            "hage-99",
            "Exempelgården vård- och omsorgsboende",
            "care_home",
            "hagersten-liljeholmen",
            "hagersten-liljeholmen",
            "own",
            "",
            "40",
            "ja",
            "ja",
            "2026-01-01",
            "",
        ],
        "assignments": [
            "fornamn.efternamn@example.se",
            "MAS",
            "statutory",
            "",
            "",
            "",
            "hage-99",
            "2026-01-01",
            "",
            "ja",
            "Beslut 2026-01",
        ],
    }
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(RESOURCES[kind].Meta.fields)
    writer.writerow(examples[kind])
    return out.getvalue()
