"""Register administration in the browser: regions, boards, providers, units, people, assignments,
import from CSV/XLSX with a preview, and the register's history.

Only register admins (``is_register_admin``) may use these views, except a unit's history, which
anyone who may see the unit may read. Writes go through ``responsibility.services``.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import wraps
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Model, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from core.users import actor_display
from responsibility import imports, services
from responsibility.choices import Role, Scope
from responsibility.forms import (
    AssignmentForm,
    BoardForm,
    CareProviderForm,
    ImportUploadForm,
    PersonForm,
    RegionForm,
    UnitCreateForm,
    UnitEditForm,
    UnitOperationForm,
    add_service_errors,
)
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
from responsibility.permissions import is_register_admin, units_visible_to
from responsibility.resources import IMPORT_KINDS, RESOURCES, read_dataset, template_csv


def register_admin_required(view):
    """Anonymous users go to the login page; logged-in users who are not register admins get 403."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not is_register_admin(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _url(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _municipality(request) -> Municipality:
    municipality = services.register_municipality(user=request.user)
    if municipality is None:
        raise Http404(_("No municipality is configured."))
    return municipality


# --- landing page -------------------------------------------------------------------------------


@register_admin_required
@require_GET
def admin_home(request):
    """List the register's objects with counts and links."""
    m = _municipality(request)
    items = [
        (
            _("Regions"),
            Region.objects.filter(municipality=m).count(),
            reverse("responsibility:region_list"),
            reverse("responsibility:region_create"),
        ),
        (
            _("Boards"),
            Board.objects.filter(municipality=m).count(),
            reverse("responsibility:board_list"),
            reverse("responsibility:board_create"),
        ),
        (
            _("Care providers"),
            CareProvider.objects.filter(municipality=m).count(),
            reverse("responsibility:provider_list"),
            reverse("responsibility:provider_create"),
        ),
        (
            _("Units"),
            Unit.objects.filter(municipality=m).count(),
            reverse("responsibility:unit_admin_list"),
            reverse("responsibility:unit_create"),
        ),
        (
            _("People"),
            Person.objects.filter(municipality=m).count(),
            reverse("responsibility:person_list"),
            reverse("responsibility:person_create"),
        ),
        (
            _("Assignments"),
            Assignment.objects.filter(person__municipality=m).count(),
            reverse("responsibility:assignment_list"),
            reverse("responsibility:assignment_create"),
        ),
    ]
    return render(
        request,
        "responsibility/admin/home.html",
        {
            "items": [
                {"label": label, "count": count, "list_url": list_url, "create_url": create_url}
                for label, count, list_url, create_url in items
            ],
            "imports": [
                {
                    "kind": kind,
                    "label": _import_label(kind),
                    "url": reverse("responsibility:import_upload", args=[kind]),
                }
                for kind in IMPORT_KINDS
            ],
            "history_url": reverse("responsibility:history_recent"),
        },
    )


# --- generic list and form pages ----------------------------------------------------------------


@dataclass
class Row:
    cells: list[Any]
    edit_url: str = ""
    history_url: str = ""


def _render_list(
    request,
    *,
    title: str,
    caption: str,
    columns: list[str],
    rows: list[Row],
    create_url: str,
    create_label: str,
    page=None,
    filters=None,
):
    return render(
        request,
        "responsibility/admin/object_list.html",
        {
            "title": title,
            "caption": caption,
            "columns": columns,
            "rows": rows,
            "create_url": create_url,
            "create_label": create_label,
            "page": page,
            "filters": filters,
        },
    )


def _render_form(
    request,
    *,
    title: str,
    form,
    cancel_url: str,
    intro: str = "",
    extra: dict | None = None,
    template: str = "responsibility/admin/object_form.html",
    status: int | None = None,
):
    """Show a form; a refused one (bound, with errors) answers 400, like every form of the portal."""
    if status is None:
        status = 400 if form.is_bound and form.errors else 200
    context = {"title": title, "form": form, "cancel_url": cancel_url, "intro": intro, **(extra or {})}
    return render(request, template, context, status=status)


def _save_with_form(
    request,
    form,
    save,
    *,
    success: str,
    redirect_to: str,
    title: str,
    cancel_url: str,
    extra: dict | None = None,
    template: str = "responsibility/admin/object_form.html",
):
    """Validate ``form``, call ``save`` in one transaction, map service errors back onto the form."""
    if form.is_valid():
        try:
            with transaction.atomic():
                obj = save(form)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, success % {"object": obj})
            return redirect(redirect_to)
    return _render_form(request, title=title, form=form, cancel_url=cancel_url, extra=extra, template=template)


def _simple_object_view(
    request, *, model, form_class, pk, list_name: str, create_title: str, edit_title: str, created: str, changed: str
):
    municipality = _municipality(request)
    instance = get_object_or_404(model, pk=pk, municipality=municipality) if pk else model(municipality=municipality)
    list_url = reverse(list_name)
    title = (edit_title % {"object": instance}) if pk else create_title
    if request.method == "POST":
        form = form_class(request.POST, instance=instance)
        return _save_with_form(
            request,
            form,
            lambda f: services.register_object_save(obj=f.save(commit=False)),
            success=changed if pk else created,
            redirect_to=list_url,
            title=title,
            cancel_url=list_url,
        )
    return _render_form(request, title=title, form=form_class(instance=instance), cancel_url=list_url)


# --- regions, boards, providers -------------------------------------------------------------------


@register_admin_required
@require_GET
def region_list(request):
    regions = (
        Region.objects.filter(municipality=_municipality(request))
        .select_related("host_board")
        .annotate(n_boards=Count("boards"))
        .order_by("name")
    )
    rows = [
        Row([r.name, r.code, r.host_board or "–", r.n_boards], reverse("responsibility:region_edit", args=[r.pk]))
        for r in regions
    ]
    return _render_list(
        request,
        title=_("Regions"),
        caption=_("MAS/MAR regions and their host boards"),
        columns=[_("Name"), _("Code"), _("Host board"), _("Boards")],
        rows=rows,
        create_url=reverse("responsibility:region_create"),
        create_label=_("New region"),
    )


@register_admin_required
@require_http_methods(["GET", "POST"])
def region_create(request):
    return region_edit(request, pk=None)


@register_admin_required
@require_http_methods(["GET", "POST"])
def region_edit(request, pk):
    return _simple_object_view(
        request,
        model=Region,
        form_class=RegionForm,
        pk=pk,
        list_name="responsibility:region_list",
        create_title=_("New region"),
        edit_title=_("Edit region %(object)s"),
        created=_("The region %(object)s was created."),
        changed=_("The region %(object)s was saved."),
    )


@register_admin_required
@require_GET
def board_list(request):
    boards = (
        Board.objects.filter(municipality=_municipality(request))
        .select_related("region")
        .annotate(n_units=Count("units"))
        .order_by("name")
    )
    rows = [
        Row([b.name, b.code, b.region or "–", b.n_units], reverse("responsibility:board_edit", args=[b.pk]))
        for b in boards
    ]
    return _render_list(
        request,
        title=_("Boards"),
        caption=_("Boards (nämnder)"),
        columns=[_("Name"), _("Code"), _("Region"), _("Units")],
        rows=rows,
        create_url=reverse("responsibility:board_create"),
        create_label=_("New board"),
    )


@register_admin_required
@require_http_methods(["GET", "POST"])
def board_create(request):
    return board_edit(request, pk=None)


@register_admin_required
@require_http_methods(["GET", "POST"])
def board_edit(request, pk):
    return _simple_object_view(
        request,
        model=Board,
        form_class=BoardForm,
        pk=pk,
        list_name="responsibility:board_list",
        create_title=_("New board"),
        edit_title=_("Edit board %(object)s"),
        created=_("The board %(object)s was created."),
        changed=_("The board %(object)s was saved."),
    )


@register_admin_required
@require_GET
def provider_list(request):
    providers = (
        CareProvider.objects.filter(municipality=_municipality(request))
        .select_related("board")
        .annotate(n_units=Count("units"))
        .order_by("name")
    )
    rows = [
        Row(
            [p.name, p.get_kind_display(), p.org_number, p.board or "–", p.n_units],
            reverse("responsibility:provider_edit", args=[p.pk]),
        )
        for p in providers
    ]
    return _render_list(
        request,
        title=_("Care providers"),
        caption=_("Care providers (vårdgivare)"),
        columns=[_("Name"), _("Kind"), _("Organisation number"), _("Board"), _("Units")],
        rows=rows,
        create_url=reverse("responsibility:provider_create"),
        create_label=_("New care provider"),
    )


@register_admin_required
@require_http_methods(["GET", "POST"])
def provider_create(request):
    return provider_edit(request, pk=None)


@register_admin_required
@require_http_methods(["GET", "POST"])
def provider_edit(request, pk):
    return _simple_object_view(
        request,
        model=CareProvider,
        form_class=CareProviderForm,
        pk=pk,
        list_name="responsibility:provider_list",
        create_title=_("New care provider"),
        edit_title=_("Edit care provider %(object)s"),
        created=_("The care provider %(object)s was created."),
        changed=_("The care provider %(object)s was saved."),
    )


# --- people ----------------------------------------------------------------------------------------


@register_admin_required
@require_GET
def person_list(request):
    q = request.GET.get("q", "").strip()
    people = Person.objects.filter(municipality=_municipality(request)).order_by("last_name", "first_name")
    if q:
        people = people.filter(Q(first_name__icontains=q) | Q(last_name__icontains=q) | Q(email__icontains=q))
    page = Paginator(people, 100).get_page(request.GET.get("page"))
    rows = [
        Row(
            [p.full_name, p.get_profession_display(), _("Yes") if p.licensed else _("No"), p.email or "–", p.title],
            reverse("responsibility:person_edit", args=[p.pk]),
        )
        for p in page
    ]
    return _render_list(
        request,
        title=_("People"),
        caption=_("People who can hold a role"),
        columns=[_("Name"), _("Profession"), _("Licensed"), _("E-mail"), _("Title")],
        rows=rows,
        create_url=reverse("responsibility:person_create"),
        create_label=_("New person"),
        page=page,
        filters={"q": q},
    )


@register_admin_required
@require_http_methods(["GET", "POST"])
def person_create(request):
    return person_edit(request, pk=None)


@register_admin_required
@require_http_methods(["GET", "POST"])
def person_edit(request, pk):
    return _simple_object_view(
        request,
        model=Person,
        form_class=PersonForm,
        pk=pk,
        list_name="responsibility:person_list",
        create_title=_("New person"),
        edit_title=_("Edit person %(object)s"),
        created=_("%(object)s was added."),
        changed=_("%(object)s was saved."),
    )


# --- units -----------------------------------------------------------------------------------------


@register_admin_required
@require_GET
def unit_admin_list(request):
    units = (
        Unit.objects.filter(municipality=_municipality(request)).select_related("board", "provider").order_by("name")
    )
    rows = [
        Row(
            [
                u.name,
                u.code,
                u.board,
                u.provider,
                u.get_operating_form_display(),
                _("Yes") if u.is_active_on(timezone.localdate()) else _("No"),
            ],
            reverse("responsibility:unit_edit", args=[u.code]),
            reverse("responsibility:unit_history", args=[u.code]),
        )
        for u in units
    ]
    return _render_list(
        request,
        title=_("Units"),
        caption=_("Units (verksamheter)"),
        columns=[_("Name"), _("Code"), _("Board"), _("Care provider"), _("Operating form"), _("Active")],
        rows=rows,
        create_url=reverse("responsibility:unit_create"),
        create_label=_("New unit"),
    )


def _unit_page_url(unit: Unit) -> str:
    return _url("responsibility:unit_detail", unit.code) or reverse("responsibility:unit_edit", args=[unit.code])


@register_admin_required
@require_http_methods(["GET", "POST"])
def unit_create(request):
    municipality = _municipality(request)
    instance = Unit(municipality=municipality)
    cancel = reverse("responsibility:unit_admin_list")
    title = _("New unit")
    if request.method == "POST":
        form = UnitCreateForm(request.POST, instance=instance)
        if form.is_valid():
            try:
                with transaction.atomic():
                    unit = services.unit_create(unit=form.save(commit=False))
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The unit %(object)s was created.") % {"object": unit})
                return redirect(_unit_page_url(unit))
        return _render_form(request, title=title, form=form, cancel_url=cancel)
    return _render_form(request, title=title, form=UnitCreateForm(instance=instance), cancel_url=cancel)


@register_admin_required
@require_http_methods(["GET", "POST"])
def unit_edit(request, code):
    unit = get_object_or_404(
        Unit.objects.select_related("provider", "contract"), municipality=_municipality(request), code=code
    )
    title = _("Edit unit %(object)s") % {"object": unit}
    extra = {
        "unit": unit,
        "operation_url": reverse("responsibility:unit_change_operation", args=[unit.code]),
        "history_url": reverse("responsibility:unit_history", args=[unit.code]),
    }
    if request.method == "POST":
        form = UnitEditForm(request.POST, instance=unit)
        return _save_with_form(
            request,
            form,
            lambda f: services.unit_update(unit=f.save(commit=False)),
            success=_("The unit %(object)s was saved."),
            redirect_to=_unit_page_url(unit),
            title=title,
            cancel_url=_unit_page_url(unit),
            extra=extra,
            template="responsibility/admin/unit_form.html",
        )
    return _render_form(
        request,
        title=title,
        form=UnitEditForm(instance=unit),
        cancel_url=_unit_page_url(unit),
        extra=extra,
        template="responsibility/admin/unit_form.html",
    )


@register_admin_required
@require_http_methods(["GET", "POST"])
def unit_change_operation(request, code):
    unit = get_object_or_404(
        Unit.objects.select_related("provider", "contract"), municipality=_municipality(request), code=code
    )
    title = _("Change operation of %(object)s") % {"object": unit}
    periods = unit.operating_periods.select_related("provider", "contract").order_by("-valid_from")
    extra = {"unit": unit, "periods": periods}
    template = "responsibility/admin/unit_operation.html"
    if request.method == "POST":
        form = UnitOperationForm(request.POST, unit=unit)
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    services.unit_change_operation(
                        unit=unit,
                        provider=data["provider"],
                        operating_form=data["operating_form"],
                        contract=data["contract"],
                        from_date=data["from_date"],
                    )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("The unit %(object)s changes operation from %(date)s; the previous period is kept.")
                    % {"object": unit, "date": data["from_date"].isoformat()},
                )
                return redirect(_unit_page_url(unit))
        return _render_form(
            request, title=title, form=form, cancel_url=_unit_page_url(unit), extra=extra, template=template
        )
    form = UnitOperationForm(
        unit=unit,
        initial={
            "provider": unit.provider_id,
            "operating_form": unit.operating_form,
            "contract": unit.contract_id,
            "from_date": timezone.localdate(),
        },
    )
    return _render_form(
        request, title=title, form=form, cancel_url=_unit_page_url(unit), extra=extra, template=template
    )


# --- assignments -----------------------------------------------------------------------------------


@register_admin_required
@require_GET
def assignment_list(request):
    role = request.GET.get("role", "")
    q = request.GET.get("q", "").strip()
    current = request.GET.get("current", "")
    assignments = (
        Assignment.objects.filter(person__municipality=_municipality(request))
        .select_related("person", "region", "board", "provider", "unit", "deputy_for__person")
        .order_by("role", "person__last_name", "valid_from")
    )
    if role in Role.values:
        assignments = assignments.filter(role=role)
    if q:
        assignments = assignments.filter(
            Q(person__first_name__icontains=q)
            | Q(person__last_name__icontains=q)
            | Q(unit__code__iexact=q)
            | Q(unit__name__icontains=q)
            | Q(board__name__icontains=q)
            | Q(provider__name__icontains=q)
            | Q(region__name__icontains=q)
        )
    if current:
        today = timezone.localdate()
        assignments = assignments.filter(valid_from__lte=today).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=today)
        )
    page = Paginator(assignments, 100).get_page(request.GET.get("page"))
    rows = [
        Row(
            [
                a.person,
                a.get_role_display(),
                f"{Scope(a.scope).label}: {a.scope_object}",
                a.get_kind_display(),
                _period(a),
                (_("deputy for %(person)s") % {"person": a.deputy_for.person}) if a.deputy_for_id else "",
            ],
            reverse("responsibility:assignment_edit", args=[a.pk]),
            reverse("responsibility:assignment_history", args=[a.pk]),
        )
        for a in page
    ]
    return _render_list(
        request,
        title=_("Assignments"),
        caption=_("Assignments: who holds which role for which scope"),
        columns=[_("Person"), _("Role"), _("Scope"), _("Kind"), _("Period"), _("Deputy")],
        rows=rows,
        create_url=reverse("responsibility:assignment_create"),
        create_label=_("New assignment"),
        page=page,
        filters={"q": q, "role": role, "current": current, "roles": Role.choices},
    )


def _period(a: Assignment) -> str:
    return "{} – {}".format(
        a.valid_from.isoformat(), a.valid_to.isoformat() if a.valid_to else _("until further notice")
    )


@register_admin_required
@require_http_methods(["GET", "POST"])
def assignment_create(request):
    return _assignment_form(request, pk=None)


@register_admin_required
@require_http_methods(["GET", "POST"])
def assignment_edit(request, pk):
    return _assignment_form(request, pk=pk)


def _assignment_form(request, *, pk):
    municipality = _municipality(request)
    instance = get_object_or_404(Assignment, pk=pk, person__municipality=municipality) if pk else Assignment()
    title = (_("Edit assignment %(object)s") % {"object": instance}) if pk else _("New assignment")
    list_url = reverse("responsibility:assignment_list")
    unit = None
    if not pk and request.GET.get("unit"):
        unit = Unit.objects.filter(municipality=municipality, code=request.GET["unit"]).first()
    done_url = _unit_page_url(unit) if unit else list_url
    cancel = done_url
    extra = {"history_url": reverse("responsibility:assignment_history", args=[pk]) if pk else ""}
    if request.method == "POST":
        form = AssignmentForm(request.POST, instance=instance, municipality=municipality)
        if form.is_valid():
            try:
                with transaction.atomic():
                    assignment = services.assignment_save(assignment=form.save(commit=False))
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The assignment %(object)s was saved.") % {"object": assignment})
                if assignment.unit_id and not pk:
                    return redirect(_unit_page_url(assignment.unit))
                return redirect(done_url)
        return _render_form(
            request,
            title=title,
            form=form,
            cancel_url=cancel,
            extra=extra,
            template="responsibility/admin/assignment_form.html",
        )
    initial = {}
    if not pk:
        initial["valid_from"] = timezone.localdate()
        if unit is not None:
            initial.update({"scope": "unit", "unit": unit.pk})
        if request.GET.get("role") in Role.values:
            initial["role"] = request.GET["role"]
    form = AssignmentForm(instance=instance, municipality=municipality, initial=initial)
    return _render_form(
        request,
        title=title,
        form=form,
        cancel_url=cancel,
        extra=extra,
        template="responsibility/admin/assignment_form.html",
    )


# --- history ---------------------------------------------------------------------------------------


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


ACTIONS = {"+": gettext_lazy("Created"), "~": gettext_lazy("Changed"), "-": gettext_lazy("Deleted")}


def _display(model, name: str, value) -> str:
    if value is None or value == "":
        return "–"
    model_field = model._meta.get_field(name)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


ASSIGNMENT_HISTORY_RELATED = ("history_user", "person", "unit", "provider", "board", "region")


def _label(record) -> str:
    """The object's name as it was; assignments are named from the record's own (prefetched) relations."""
    if record.instance_type is Assignment:
        scope = record.unit or record.provider or record.board or record.region
        return f"{record.person} – {record.get_role_display()} – {scope}"
    return str(record.instance)


def _entry(record, previous, *, url: str = "") -> HistoryEntry:
    model = record.instance_type
    changes: list[Change] = []
    if record.history_type == "~" and previous is not None:
        delta = record.diff_against(previous, foreign_keys_are_objs=True)
        for change in delta.changes:
            label = str(model._meta.get_field(change.field).verbose_name)
            changes.append(
                Change(label, _display(model, change.field, change.old), _display(model, change.field, change.new))
            )
    who = actor_display(record.history_user)
    return HistoryEntry(
        when=record.history_date,
        who=who,
        action=str(ACTIONS.get(record.history_type, record.history_type)),
        object_type=str(model._meta.verbose_name),
        object_label=_label(record),
        object_url=url,
        changes=changes,
    )


def _entries_for(records: list, *, url_for=lambda record: "") -> list[HistoryEntry]:
    """Entries for the complete history of some objects (``records`` of one model, any order)."""
    by_object: dict[Any, list] = {}
    for record in sorted(records, key=lambda r: (r.history_date, r.history_id)):
        by_object.setdefault(record.id, []).append(record)
    entries = []
    for versions in by_object.values():
        previous = None
        for record in versions:
            entries.append(_entry(record, previous, url=url_for(record)))
            previous = record
    return entries


def _render_history(
    request, *, title: str, intro: str, entries: list[HistoryEntry], back_url: str = "", back_label: str = ""
):
    entries.sort(key=lambda e: e.when, reverse=True)
    return render(
        request,
        "responsibility/admin/history.html",
        {
            "title": title,
            "intro": intro,
            "entries": entries,
            "back_url": back_url,
            "back_label": back_label,
        },
    )


@login_required
@require_GET
def unit_history(request, code):
    """The unit's own changes and its assignments' changes, for anyone who may see the unit."""
    unit = get_object_or_404(Unit, municipality=_municipality(request), code=code)
    if not units_visible_to(request.user).filter(pk=unit.pk).exists():
        raise Http404(_("No such unit, or you may not see it."))
    admin = is_register_admin(request.user)
    unit_records = list(Unit.history.filter(id=unit.pk).select_related("history_user"))
    assignment_records = list(Assignment.history.filter(unit_id=unit.pk).select_related(*ASSIGNMENT_HISTORY_RELATED))
    assignment_ids = {r.id for r in assignment_records}
    # Assignments that left the unit keep their earlier versions.
    assignment_records += list(
        Assignment.history.filter(id__in=assignment_ids)
        .exclude(unit_id=unit.pk)
        .select_related(*ASSIGNMENT_HISTORY_RELATED)
    )
    entries = _entries_for(unit_records)
    entries += _entries_for(
        assignment_records,
        url_for=lambda r: reverse("responsibility:assignment_history", args=[r.id]) if admin else "",
    )
    periods = unit.operating_periods.select_related("provider", "contract").order_by("-valid_from")
    return render(
        request,
        "responsibility/admin/history.html",
        {
            "title": _("History of %(object)s") % {"object": unit},
            "intro": _("Every change to the unit and to the assignments on the unit, newest first."),
            "entries": sorted(entries, key=lambda e: e.when, reverse=True),
            "periods": periods,
            "back_url": _url("responsibility:unit_detail", unit.code)
            or (reverse("responsibility:unit_edit", args=[unit.code]) if admin else ""),
            "back_label": _("Back to the unit"),
        },
    )


@register_admin_required
@require_GET
def assignment_history(request, pk):
    assignment = get_object_or_404(
        Assignment.objects.select_related("person"), pk=pk, person__municipality=_municipality(request)
    )
    records = list(Assignment.history.filter(id=assignment.pk).select_related(*ASSIGNMENT_HISTORY_RELATED))
    return _render_history(
        request,
        title=_("History of assignment %(object)s") % {"object": assignment},
        intro=_("Every change to the assignment, newest first."),
        entries=_entries_for(records),
        back_url=reverse("responsibility:assignment_edit", args=[pk]),
        back_label=_("Back to the assignment"),
    )


RECENT_MODELS = (Unit, Assignment, Person, CareProvider, Board, Region, Contract, Municipality, RuleDefinition)
RECENT_LIMIT = 100


def _recent_url(model: type[Model], record) -> str:
    names = {
        Unit: "unit_history",
        Assignment: "assignment_history",
        Person: "person_edit",
        CareProvider: "provider_edit",
        Board: "board_edit",
        Region: "region_edit",
    }
    if model not in names:
        return ""
    arg = record.code if model is Unit else record.id
    return reverse(f"responsibility:{names[model]}", args=[arg])


@register_admin_required
@require_GET
def history_recent(request):
    """The latest changes anywhere in the administrator's municipality's register."""
    m = _municipality(request)
    scoped = {Assignment: {"person__municipality": m}, Municipality: {"id": m.pk}, RuleDefinition: {}}
    entries = []
    for model in RECENT_MODELS:
        history = model.history.filter(**scoped.get(model, {"municipality": m}))
        related = ASSIGNMENT_HISTORY_RELATED if model is Assignment else ("history_user",)
        records = list(history.select_related(*related).order_by("-history_date", "-history_id")[:RECENT_LIMIT])
        for record in records:
            entries.append((record, model))
    entries.sort(key=lambda pair: pair[0].history_date, reverse=True)
    result = [
        _entry(record, record.prev_record if record.history_type == "~" else None, url=_recent_url(model, record))
        for record, model in entries[:RECENT_LIMIT]
    ]
    return _render_history(
        request,
        title=_("Recent changes to the register"),
        intro=_("The latest %(n)s changes, newest first.") % {"n": RECENT_LIMIT},
        entries=result,
        back_url=reverse("responsibility:admin_home"),
        back_label=_("Back to administration"),
    )


# --- import ----------------------------------------------------------------------------------------

SESSION_KEY = "register_imports"


def _import_label(kind: str) -> str:
    return {"units": _("Import units"), "assignments": _("Import assignments")}[kind]


UPLOAD_MAX_AGE_SECONDS = 24 * 3600


def _import_dir() -> Path:
    path = Path(settings.PRIVATE_FILES_ROOT) / "register-imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _purge_stale_uploads() -> None:
    """Delete uploads nobody confirmed or cancelled within a day."""
    limit = time.time() - UPLOAD_MAX_AGE_SECONDS
    for old in _import_dir().iterdir():
        if old.is_file() and old.stat().st_mtime < limit:
            old.unlink(missing_ok=True)


def _check_kind(kind: str) -> None:
    if kind not in IMPORT_KINDS:
        raise Http404


COLUMN_HELP = {
    "units": [
        ("code", gettext_lazy("Unit code, unique (e.g. hage-07).")),
        ("name", gettext_lazy("Name of the unit.")),
        (
            "unit_type",
            gettext_lazy(
                "Type: care_home, care_home_u65, short_term, service_house, lss_group_home, lss_service_home, lss_daily, day_care, social_psychiatry, home_health_care."
            ),
        ),
        ("board", gettext_lazy("Code of the responsible board.")),
        ("provider", gettext_lazy("Organisation number of the care provider; for own operation the board's code.")),
        ("operating_form", gettext_lazy("own, contract, choice or framework.")),
        ("contract", gettext_lazy("Case number (diarienummer) of the contract; empty for own operation.")),
        ("places", gettext_lazy("Number of places (empty: 0).")),
        ("provides_health_care", gettext_lazy("ja or nej (empty: ja).")),
        ("provides_rehabilitation", gettext_lazy("ja or nej (empty: nej).")),
        ("active_from", gettext_lazy("Date YYYY-MM-DD (empty: 2020-01-01).")),
        ("active_to", gettext_lazy("Date YYYY-MM-DD or empty.")),
    ],
    "assignments": [
        ("person_email", gettext_lazy("E-mail of a person already in the register.")),
        (
            "role",
            gettext_lazy(
                "MAS, MAR, OPERATIONS_MANAGER, UNIT_MANAGER, LEX_MARIA_REPORTER, SAS, QUALITY_AUDITOR, BOARD_OFFICIAL or REPORTER."
            ),
        ),
        ("kind", gettext_lazy("statutory or follow_up (empty: statutory).")),
        ("region", gettext_lazy("Region code – fill in exactly one of region, board, provider and unit.")),
        ("board", gettext_lazy("Board code.")),
        ("provider", gettext_lazy("Organisation number of the care provider; for own operation the board's code.")),
        ("unit", gettext_lazy("Unit code.")),
        ("valid_from", gettext_lazy("Date YYYY-MM-DD.")),
        ("valid_to", gettext_lazy("Date YYYY-MM-DD, inclusive; empty: until further notice.")),
        ("has_staffing_mandate", gettext_lazy("For operations managers: ja or nej (empty: ja).")),
        ("basis", gettext_lazy("Decision or contract clause behind the assignment.")),
    ],
}


@register_admin_required
@require_http_methods(["GET", "POST"])
def import_upload(request, kind):
    """Upload a file; it is kept server-side and previewed before anything is saved."""
    _check_kind(kind)
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            _purge_stale_uploads()
            token = uuid.uuid4().hex
            suffix = ".xlsx" if upload.name.lower().endswith(".xlsx") else ".csv"
            with open(_import_dir() / f"{token}{suffix}", "wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            pending = request.session.get(SESSION_KEY, {})
            pending[token] = {"kind": kind, "suffix": suffix, "name": Path(upload.name).name[:120]}
            request.session[SESSION_KEY] = pending
            return redirect("responsibility:import_preview", kind=kind, token=token)
    else:
        form = ImportUploadForm()
    return render(
        request,
        "responsibility/admin/import_upload.html",
        {
            "title": _import_label(kind),
            "form": form,
            "kind": kind,
            "columns": COLUMN_HELP[kind],
            "template_url": reverse("responsibility:import_template", args=[kind]),
        },
        status=400 if form.errors else 200,
    )


def _pending(request, kind: str, token: str) -> tuple[dict, Path]:
    entry = request.session.get(SESSION_KEY, {}).get(token)
    if not entry or entry["kind"] != kind:
        raise Http404(_("The uploaded file is no longer available. Upload it again."))
    path = _import_dir() / f"{token}{entry['suffix']}"
    if not path.exists():
        raise Http404(_("The uploaded file is no longer available. Upload it again."))
    return entry, path


def _forget(request, token: str, path: Path) -> None:
    pending = request.session.get(SESSION_KEY, {})
    pending.pop(token, None)
    request.session[SESSION_KEY] = pending
    path.unlink(missing_ok=True)


@register_admin_required
@require_http_methods(["GET", "POST"])
def import_preview(request, kind, token):
    """Show every row error of the stored file; confirm imports all rows in one transaction or none."""
    _check_kind(kind)
    entry, path = _pending(request, kind, token)
    content = path.read_bytes()
    filename = entry["name"] + ("" if entry["name"].lower().endswith(entry["suffix"]) else entry["suffix"])
    municipality = _municipality(request)
    if request.method == "POST":
        if "cancel" in request.POST:
            _forget(request, token, path)
            messages.info(request, _("The import was cancelled; nothing was saved."))
            return redirect("responsibility:import_upload", kind=kind)
        outcome = imports.register_import(kind=kind, content=content, filename=filename, municipality=municipality)
        if outcome.ok:
            _forget(request, token, path)
            messages.success(request, _("%(n)s rows were imported.") % {"n": outcome.total_rows})
            return redirect("responsibility:unit_admin_list" if kind == "units" else "responsibility:assignment_list")
    else:
        outcome = imports.register_import_check(
            kind=kind, content=content, filename=filename, municipality=municipality
        )
    try:
        dataset = read_dataset(content=content, filename=filename)
        headers, rows = list(dataset.headers or []), [list(r) for r in dataset]
    except Exception:  # noqa: BLE001 - the errors already say the file is unreadable
        headers, rows = [], []
    error_rows = {e.row for e in outcome.errors}
    return render(
        request,
        "responsibility/admin/import_preview.html",
        {
            "title": _("Preview: %(label)s") % {"label": _import_label(kind)},
            "kind": kind,
            "filename": entry["name"],
            "outcome": outcome,
            "headers": headers,
            "rows": [
                {"number": i + 2, "values": ["" if v is None else v for v in r], "has_error": (i + 2) in error_rows}
                for i, r in enumerate(rows)
            ],
            "upload_url": reverse("responsibility:import_upload", args=[kind]),
            "columns": RESOURCES[kind].Meta.fields,
        },
    )


@register_admin_required
@require_GET
def import_template(request, kind):
    """A CSV file with the import columns and an example row."""
    _check_kind(kind)
    response = HttpResponse("\ufeff" + template_csv(kind=kind), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="mall-{kind}.csv"'
    return response
