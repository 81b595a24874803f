"""Generic register CRUD: one list view and one create/edit view, for register admins only.

A register object is declared by subclassing ``RegisterList`` and ``RegisterEdit`` (see ``admin_views``):
model, URL name prefix, columns, form, titles and messages. Everything is scoped to the municipality of
the request (``responsibility.tenancy.municipality_of``); writes go through a service whose ValidationError is
mapped back onto the form, and a refused form answers 400 with the input kept.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.generic import ListView, UpdateView

from core.flash import success_naming
from responsibility import services
from responsibility.forms import add_service_errors
from responsibility.models import Municipality
from responsibility.permissions import is_register_admin
from responsibility.tenancy import municipality_of


def register_admin_required(view):
    """Anonymous users go to the login page; logged-in users who are not register admins get 403."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not is_register_admin(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


class RegisterAdminMixin:
    """Login first, then the register-admin permission, then the method; the municipality of the request."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_register_admin(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def municipality(self) -> Municipality:
        return municipality_of(self.request)


# --- one generic list ---------------------------------------------------------------------------


@dataclass
class Row:
    cells: list[Any]
    edit_url: str = ""
    history_url: str = ""


class RegisterList(RegisterAdminMixin, ListView):
    """A table of one kind of register object of the request's municipality, with edit and history links.

    ``name`` is the URL prefix (``<name>_create``, ``<name>_edit``); ``columns`` are (label, value of a row).
    """

    template_name = "responsibility/admin/object_list.html"
    http_method_names = ["get"]
    name = ""
    in_municipality = "municipality"
    columns: tuple[tuple[str, Callable[[Any], Any]], ...] = ()
    title = caption = create_label = ""
    search: tuple[str, ...] = ()  # lookups ``q`` is matched by (any of them); a list with search is paginated
    related: tuple[str, ...] = ()
    order: tuple[str, ...] = ("name",)
    annotate: dict = {}

    def get_queryset(self):
        qs = self.model.objects.filter(**{self.in_municipality: self.municipality}).select_related(*self.related)
        q = self.request.GET.get("q", "").strip()
        if q and self.search:
            condition = Q()
            for lookup in self.search:
                condition |= Q(**{lookup: q})
            qs = qs.filter(condition)
        return qs.annotate(**self.annotate).order_by(*self.order)

    def get_paginate_by(self, queryset):
        return 100 if self.search else None

    def paginate_queryset(self, queryset, page_size):
        page = Paginator(queryset, page_size).get_page(self.request.GET.get("page"))
        return page.paginator, page, page.object_list, page.has_other_pages()

    def key(self, obj) -> Any:
        return obj.pk

    def history_url(self, obj) -> str:
        return ""

    def filters(self) -> dict | None:
        return {"q": self.request.GET.get("q", "").strip()} if self.search else None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = [
            Row(
                [value(obj) for _label, value in self.columns],
                reverse(f"responsibility:{self.name}_edit", args=[self.key(obj)]),
                self.history_url(obj),
            )
            for obj in context["object_list"]
        ]
        context.update(
            title=self.title,
            caption=self.caption,
            columns=[label for label, _value in self.columns],
            rows=rows,
            create_url=reverse(f"responsibility:{self.name}_create"),
            create_label=self.create_label,
            page=context["page_obj"],
            filters=self.filters(),
        )
        return context


# --- one generic form ---------------------------------------------------------------------------


class RegisterEdit(RegisterAdminMixin, UpdateView):
    """Create (no key in the URL) or edit one register object; a refused form answers 400 with the input kept.

    ``save`` is the service that writes; its ValidationError is mapped onto the form.
    """

    template_name = "responsibility/admin/object_form.html"
    http_method_names = ["get", "post"]
    name = ""
    lookup = "pk"
    in_municipality = "municipality"
    related: tuple[str, ...] = ()
    create_title = edit_title = created = changed = ""

    @property
    def editing(self) -> bool:
        return self.kwargs.get(self.lookup) is not None

    def get_object(self, queryset=None):
        if not self.editing:
            return self.model(municipality=self.municipality)
        return get_object_or_404(
            self.model.objects.select_related(*self.related),
            **{self.lookup: self.kwargs[self.lookup], self.in_municipality: self.municipality},
        )

    def save(self, form):
        return services.register_object_save(obj=form.save(commit=False))

    def list_url(self) -> str:
        return reverse(f"responsibility:{self.name}_list")

    def done_url(self, obj) -> str:
        return self.list_url()

    def object_url(self, obj) -> str:
        """Where the saved object is shown: where the form goes when done, else its own edit page."""
        done = self.done_url(obj)
        if done != self.list_url():
            return done
        return reverse(f"responsibility:{self.name}_edit", kwargs={self.lookup: getattr(obj, self.lookup)})

    def cancel_url(self) -> str:
        return self.done_url(self.object) if self.editing else self.list_url()

    def form_valid(self, form):
        try:
            with transaction.atomic():
                obj = self.save(form)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        success_naming(self.request, self.changed if self.editing else self.created, self.object_url(obj), obj)
        return redirect(self.done_url(obj))

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        title = (self.edit_title % {"object": self.object}) if self.editing else self.create_title
        context.update(title=title, cancel_url=self.cancel_url())
        return context
