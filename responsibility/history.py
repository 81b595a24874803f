"""The register's history as people read it: who changed what, from which value to which (selectors)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.models import DeletedObject

from core.users import ERASED_USERNAME, actor_display
from responsibility.models import (
    Assignment,
    Board,
    CareProvider,
    Contract,
    Municipality,
    Person,
    Region,
    RuleDefinition,
    Unit,
)

ACTIONS = {"+": gettext_lazy("Created"), "~": gettext_lazy("Changed"), "-": gettext_lazy("Deleted")}
ASSIGNMENT_RELATED = ("history_user", "person", "unit", "provider", "board", "region")
RECENT_MODELS = (Unit, Assignment, Person, CareProvider, Board, Region, Contract, Municipality, RuleDefinition)
RECENT_LIMIT = 100


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    """One saved version of a register object: who, when, what changed."""

    when: datetime
    who: str
    action: str
    object_type: str
    object_label: str
    object_url: str = ""
    changes: list[Change] = field(default_factory=list)


def display(model: type[Model], name: str, value: Any) -> str:
    """A field's value as shown in the history; a login is shown by the actor rule, an empty link as "–"."""
    if isinstance(value, DeletedObject):
        if value.pk is None:
            return "–"
        if value.model is get_user_model():
            # A login that no longer exists was erased (users are otherwise never deleted).
            return actor_display(get_user_model()(username=ERASED_USERNAME))
        return _("Removed %(type)s") % {"type": value.model._meta.verbose_name}
    if value is None or value == "":
        return "–"
    if isinstance(value, get_user_model()):
        return actor_display(value)
    model_field = model._meta.get_field(name)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _label(record) -> str:
    """The object's name as it was; assignments are named from the record's own (prefetched) relations."""
    if record.instance_type is Assignment:
        scope = record.unit or record.provider or record.board or record.region
        return f"{record.person} – {record.get_role_display()} – {scope}"
    return str(record.instance)


def entry(record, previous, *, url: str = "") -> HistoryEntry:
    """The entry of one historical ``record``; ``previous`` (the version before) gives the changes."""
    model = record.instance_type
    changes: list[Change] = []
    if record.history_type == "~" and previous is not None:
        for change in record.diff_against(previous, foreign_keys_are_objs=True).changes:
            label = str(model._meta.get_field(change.field).verbose_name)
            changes.append(
                Change(label, display(model, change.field, change.old), display(model, change.field, change.new))
            )
    return HistoryEntry(
        when=record.history_date,
        who=actor_display(record.history_user),
        action=str(ACTIONS.get(record.history_type, record.history_type)),
        object_type=str(model._meta.verbose_name),
        object_label=_label(record),
        object_url=url,
        changes=changes,
    )


def entries_for(records: list, *, url_for=lambda record: "") -> list[HistoryEntry]:
    """Entries for the complete history of some objects (``records`` of one model, any order), newest first."""
    by_object: dict[Any, list] = {}
    for record in sorted(records, key=lambda r: (r.history_date, r.history_id)):
        by_object.setdefault(record.id, []).append(record)
    entries = []
    for versions in by_object.values():
        previous = None
        for record in versions:
            entries.append(entry(record, previous, url=url_for(record)))
            previous = record
    return sorted(entries, key=lambda e: e.when, reverse=True)


def unit_records(unit: Unit) -> tuple[list, list]:
    """The unit's versions and the versions of every assignment that was ever on the unit."""
    units = list(Unit.history.filter(id=unit.pk).select_related("history_user"))
    assignments = list(Assignment.history.filter(unit_id=unit.pk).select_related(*ASSIGNMENT_RELATED))
    # Assignments that left the unit keep their earlier versions.
    assignments += list(
        Assignment.history.filter(id__in={r.id for r in assignments})
        .exclude(unit_id=unit.pk)
        .select_related(*ASSIGNMENT_RELATED)
    )
    return units, assignments


def assignment_records(assignment: Assignment) -> list:
    return list(Assignment.history.filter(id=assignment.pk).select_related(*ASSIGNMENT_RELATED))


def recent_records(municipality: Municipality) -> list[tuple[Any, type[Model]]]:
    """The latest ``RECENT_LIMIT`` versions of any register object of ``municipality``, newest first."""
    scoped = {
        Assignment: {"person__municipality": municipality},
        Municipality: {"id": municipality.pk},
        RuleDefinition: {},
    }
    found = []
    for model in RECENT_MODELS:
        history = model.history.filter(**scoped.get(model, {"municipality": municipality}))
        related = ASSIGNMENT_RELATED if model is Assignment else ("history_user",)
        records = history.select_related(*related).order_by("-history_date", "-history_id")[:RECENT_LIMIT]
        found += [(record, model) for record in records]
    found.sort(key=lambda pair: pair[0].history_date, reverse=True)
    return found[:RECENT_LIMIT]
