"""Register administration in the browser: regions, boards, providers, units, people and assignments,
each declared on the generic list and edit views of ``generic_views``; the landing page; the pickers' endpoint.

Register admins only. Writes go through ``responsibility.services``. The history pages are
``history_views``, the CSV/XLSX import ``import_views``.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET
from django.views.generic import FormView

from responsibility import pickers, services
from responsibility.choices import Role, Scope
from responsibility.forms import (
    AssignmentForm,
    BoardForm,
    CareProviderForm,
    PersonForm,
    RegionForm,
    UnitCreateForm,
    UnitEditForm,
    UnitOperationForm,
    add_service_errors,
)
from responsibility.generic_views import (
    RegisterAdminMixin,
    RegisterEdit,
    RegisterList,
    municipality_of,
    register_admin_required,
)
from responsibility.models import Assignment, Board, CareProvider, Person, Region, Unit
from responsibility.resources import IMPORT_KINDS


def import_label(kind: str) -> str:
    return {"units": _("Import units"), "assignments": _("Import assignments")}[kind]


def unit_page_url(unit: Unit) -> str:
    return reverse("responsibility:unit_detail", args=[unit.code])


def _yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


# --- the register's objects, declared -----------------------------------------------------------


class RegionList(RegisterList):
    model, name, related, annotate = Region, "region", ("host_board",), {"n_boards": Count("boards")}
    title, caption, create_label = (
        gettext_lazy("Regions"),
        gettext_lazy("MAS/MAR regions and their host boards"),
        gettext_lazy("New region"),
    )
    columns = (
        (gettext_lazy("Name"), lambda r: r.name),
        (gettext_lazy("Code"), lambda r: r.code),
        (gettext_lazy("Host board"), lambda r: r.host_board or "–"),
        (gettext_lazy("Boards"), lambda r: r.n_boards),
    )


class RegionEdit(RegisterEdit):
    model, form_class, name = Region, RegionForm, "region"
    create_title, edit_title = gettext_lazy("New region"), gettext_lazy("Edit region %(object)s")
    created, changed = (
        gettext_lazy("The region %(object)s was created."),
        gettext_lazy("The region %(object)s was saved."),
    )


class BoardList(RegisterList):
    model, name, related, annotate = Board, "board", ("region",), {"n_units": Count("units")}
    title, caption, create_label = gettext_lazy("Boards"), gettext_lazy("Boards (nämnder)"), gettext_lazy("New board")
    columns = (
        (gettext_lazy("Name"), lambda b: b.name),
        (gettext_lazy("Code"), lambda b: b.code),
        (gettext_lazy("Region"), lambda b: b.region or "–"),
        (gettext_lazy("Units"), lambda b: b.n_units),
    )


class BoardEdit(RegisterEdit):
    model, form_class, name = Board, BoardForm, "board"
    create_title, edit_title = gettext_lazy("New board"), gettext_lazy("Edit board %(object)s")
    created, changed = (
        gettext_lazy("The board %(object)s was created."),
        gettext_lazy("The board %(object)s was saved."),
    )


class ProviderList(RegisterList):
    model, name, related, annotate = CareProvider, "provider", ("board",), {"n_units": Count("units")}
    title, caption = gettext_lazy("Care providers"), gettext_lazy("Care providers (vårdgivare)")
    create_label = gettext_lazy("New care provider")
    columns = (
        (gettext_lazy("Name"), lambda p: p.name),
        (gettext_lazy("Kind"), lambda p: p.get_kind_display()),
        (gettext_lazy("Organisation number"), lambda p: p.org_number),
        (gettext_lazy("Board"), lambda p: p.board or "–"),
        (gettext_lazy("Units"), lambda p: p.n_units),
    )


class ProviderEdit(RegisterEdit):
    model, form_class, name = CareProvider, CareProviderForm, "provider"
    create_title, edit_title = gettext_lazy("New care provider"), gettext_lazy("Edit care provider %(object)s")
    created = gettext_lazy("The care provider %(object)s was created.")
    changed = gettext_lazy("The care provider %(object)s was saved.")


class PersonList(RegisterList):
    model, name, order = Person, "person", ("last_name", "first_name")
    search = ("first_name__icontains", "last_name__icontains", "email__icontains")
    title, caption, create_label = (
        gettext_lazy("People"),
        gettext_lazy("People who can hold a role"),
        gettext_lazy("New person"),
    )
    columns = (
        (gettext_lazy("Name"), lambda p: p.full_name),
        (gettext_lazy("Profession"), lambda p: p.get_profession_display()),
        (gettext_lazy("Licensed"), lambda p: _yes_no(p.licensed)),
        (gettext_lazy("E-mail"), lambda p: p.email or "–"),
        (gettext_lazy("Title"), lambda p: p.title),
    )


class PersonEdit(RegisterEdit):
    model, form_class, name = Person, PersonForm, "person"
    create_title, edit_title = gettext_lazy("New person"), gettext_lazy("Edit person %(object)s")
    created, changed = gettext_lazy("%(object)s was added."), gettext_lazy("%(object)s was saved.")


class UnitList(RegisterList):
    model, name, related = Unit, "unit", ("board", "provider")
    title, caption, create_label = gettext_lazy("Units"), gettext_lazy("Units (verksamheter)"), gettext_lazy("New unit")
    columns = (
        (gettext_lazy("Name"), lambda u: u.name),
        (gettext_lazy("Code"), lambda u: u.code),
        (gettext_lazy("Board"), lambda u: u.board),
        (gettext_lazy("Care provider"), lambda u: u.provider),
        (gettext_lazy("Operating form"), lambda u: u.get_operating_form_display()),
        (gettext_lazy("Active"), lambda u: _yes_no(u.is_active_on(timezone.localdate()))),
    )

    def key(self, obj):
        return obj.code

    def history_url(self, obj):
        return reverse("responsibility:unit_history", args=[obj.code])


class UnitCreate(RegisterEdit):
    model, form_class, name = Unit, UnitCreateForm, "unit"
    create_title, created = gettext_lazy("New unit"), gettext_lazy("The unit %(object)s was created.")

    def list_url(self):
        return reverse("responsibility:unit_admin_list")

    def save(self, form):
        return services.unit_create(unit=form.save(commit=False))

    def done_url(self, obj):
        return unit_page_url(obj)


class UnitEdit(UnitCreate):
    form_class, lookup, related = UnitEditForm, "code", ("provider", "contract")
    template_name = "responsibility/admin/unit_form.html"
    edit_title, changed = gettext_lazy("Edit unit %(object)s"), gettext_lazy("The unit %(object)s was saved.")

    def save(self, form):
        return services.unit_update(unit=form.save(commit=False))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            unit=self.object,
            operation_url=reverse("responsibility:unit_change_operation", args=[self.object.code]),
            history_url=reverse("responsibility:unit_history", args=[self.object.code]),
            access_url=reverse("accounts:unit_access", args=[self.object.code]),
        )
        return context


class UnitChangeOperation(RegisterAdminMixin, FormView):
    """Hand a unit to another provider, operating form or contract from a date; earlier periods are kept."""

    form_class = UnitOperationForm
    template_name = "responsibility/admin/unit_operation.html"
    http_method_names = ["get", "post"]

    @cached_property
    def unit(self) -> Unit:
        return get_object_or_404(
            Unit.objects.select_related("provider", "contract"),
            municipality=self.municipality,
            code=self.kwargs["code"],
        )

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "unit": self.unit}

    def get_initial(self):
        u = self.unit
        return {
            "provider": u.provider_id,
            "operating_form": u.operating_form,
            "contract": u.contract_id,
            "from_date": timezone.localdate(),
        }

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            with transaction.atomic():
                services.unit_change_operation(
                    unit=self.unit,
                    provider=data["provider"],
                    contract=data["contract"],
                    operating_form=data["operating_form"],
                    from_date=data["from_date"],
                )
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("The unit %(object)s changes operation from %(date)s; the previous period is kept.")
            % {"object": self.unit, "date": data["from_date"].isoformat()},
        )
        return redirect(unit_page_url(self.unit))

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, **kwargs):
        periods = self.unit.operating_periods.select_related("provider", "contract").order_by("-valid_from")
        return super().get_context_data(
            title=_("Change operation of %(object)s") % {"object": self.unit},
            cancel_url=unit_page_url(self.unit),
            unit=self.unit,
            periods=periods,
            **kwargs,
        )


def _period(a: Assignment) -> str:
    return "{} – {}".format(
        a.valid_from.isoformat(), a.valid_to.isoformat() if a.valid_to else _("until further notice")
    )


class AssignmentList(RegisterList):
    model, name, in_municipality = Assignment, "assignment", "person__municipality"
    related = ("person", "region", "board", "provider", "unit", "deputy_for__person")
    order = ("role", "person__last_name", "valid_from")
    search = (
        "person__first_name__icontains",
        "person__last_name__icontains",
        "unit__code__iexact",
        "unit__name__icontains",
        "board__name__icontains",
        "provider__name__icontains",
        "region__name__icontains",
    )
    title, caption = gettext_lazy("Assignments"), gettext_lazy("Assignments: who holds which role for which scope")
    create_label = gettext_lazy("New assignment")
    columns = (
        (gettext_lazy("Person"), lambda a: a.person),
        (gettext_lazy("Role"), lambda a: a.get_role_display()),
        (gettext_lazy("Scope"), lambda a: f"{Scope(a.scope).label}: {a.scope_object}"),
        (gettext_lazy("Kind"), lambda a: a.get_kind_display()),
        (gettext_lazy("Period"), _period),
        (
            gettext_lazy("Deputy"),
            lambda a: (_("deputy for %(person)s") % {"person": a.deputy_for.person}) if a.deputy_for_id else "",
        ),
    )

    def get_queryset(self):
        qs = super().get_queryset()
        if self.request.GET.get("role", "") in Role.values:
            qs = qs.filter(role=self.request.GET["role"])
        if self.request.GET.get("current"):
            today = timezone.localdate()
            qs = qs.active_on(today)
        return qs

    def history_url(self, obj):
        return reverse("responsibility:assignment_history", args=[obj.pk])

    def filters(self):
        get = self.request.GET
        return {
            **super().filters(),
            "role": get.get("role", ""),
            "current": get.get("current", ""),
            "roles": Role.choices,
        }


class AssignmentEdit(RegisterEdit):
    model, form_class, name, in_municipality = Assignment, AssignmentForm, "assignment", "person__municipality"
    template_name = "responsibility/admin/assignment_form.html"
    create_title, edit_title = gettext_lazy("New assignment"), gettext_lazy("Edit assignment %(object)s")
    created = changed = gettext_lazy("The assignment %(object)s was saved.")

    def get_object(self, queryset=None):
        return super().get_object() if self.editing else Assignment()

    @cached_property
    def from_unit(self) -> Unit | None:
        """The unit the admin came from (``?unit=CODE``) when adding an assignment."""
        code = self.request.GET.get("unit")
        if self.editing or not code:
            return None
        return Unit.objects.filter(municipality=self.municipality, code=code).first()

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "municipality": self.municipality}

    def get_initial(self):
        if self.editing:
            return {}
        initial = {"valid_from": timezone.localdate()}
        if self.from_unit is not None:
            initial.update({"scope": "unit", "unit": self.from_unit.pk})
        if self.request.GET.get("role") in Role.values:
            initial["role"] = self.request.GET["role"]
        return initial

    def save(self, form):
        return services.assignment_save(assignment=form.save(commit=False))

    def done_url(self, obj):
        if obj.unit_id and not self.editing:
            return unit_page_url(obj.unit)
        return unit_page_url(self.from_unit) if self.from_unit else self.list_url()

    def cancel_url(self):
        return unit_page_url(self.from_unit) if self.from_unit else self.list_url()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["history_url"] = (
            reverse("responsibility:assignment_history", args=[self.object.pk]) if self.editing else ""
        )
        return context


# --- landing page -------------------------------------------------------------------------------

HOME = (
    (gettext_lazy("Regions"), Region, "region_list", "region_create"),
    (gettext_lazy("Boards"), Board, "board_list", "board_create"),
    (gettext_lazy("Care providers"), CareProvider, "provider_list", "provider_create"),
    (gettext_lazy("Units"), Unit, "unit_admin_list", "unit_create"),
    (gettext_lazy("People"), Person, "person_list", "person_create"),
    (gettext_lazy("Assignments"), Assignment, "assignment_list", "assignment_create"),
)


@register_admin_required
@require_GET
def admin_home(request):
    """List the register's objects with counts and links."""
    m = municipality_of(request)
    items = [
        {
            "label": label,
            "count": model.objects.filter(
                **{"person__municipality" if model is Assignment else "municipality": m}
            ).count(),
            "list_url": reverse(f"responsibility:{list_name}"),
            "create_url": reverse(f"responsibility:{create_name}"),
        }
        for label, model, list_name, create_name in HOME
    ]
    imports = [
        {"kind": kind, "label": import_label(kind), "url": reverse("responsibility:import_upload", args=[kind])}
        for kind in IMPORT_KINDS
    ]
    return render(
        request,
        "responsibility/admin/home.html",
        {"items": items, "imports": imports, "history_url": reverse("responsibility:history_recent")},
    )


# --- type-ahead pickers -------------------------------------------------------------------------


@register_admin_required
@require_GET
def picker_search(request):
    """Type-ahead choices (JSON) for the admin forms' pickers, in the request's municipality only."""
    kind = request.GET.get("kind", "person")
    if kind not in pickers.KINDS:
        raise Http404
    results = pickers.search(
        kind=kind, municipality=municipality_of(request), q=request.GET.get("q", ""), role=request.GET.get("role", "")
    )
    return JsonResponse({"results": results})
