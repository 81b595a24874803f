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
from datetime import date

import tablib
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from responsibility.choices import AssignmentKind, OperatingForm, Role, UnitType
from responsibility.import_widgets import (
    ChoiceWidget,
    CountWidget,
    IsoDateWidget,
    MunicipalityWidget,
    NaturalKeyWidget,
    ProviderWidget,
    YesNoWidget,
    cell_text,
)
from responsibility.models import Assignment, Board, Contract, Municipality, Person, Region, Unit
from responsibility.services import assignment_save, assignment_validate, unit_create, unit_validate

IMPORT_KINDS = ("units", "assignments")

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
            if isinstance(f.widget, MunicipalityWidget):
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
    headers = [(cell_text(h)).lower() for h in (dataset.headers or [])]
    cleaned = tablib.Dataset(headers=headers)
    for row in dataset:
        if any(cell_text(v) for v in row):
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
