"""API clients in the browser: the register admin creates (token shown once) and revokes them."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from api import selectors, services
from api.forms import ApiClientForm
from core.forms import add_service_errors
from responsibility.admin_views import register_admin_required
from responsibility.models import Municipality
from responsibility.tenancy import municipality_id_of


def _municipality_id(request) -> int | None:
    return municipality_id_of(request.user)


@register_admin_required
@never_cache
@require_http_methods(["GET", "POST"])
def client_list(request):
    """The municipality's clients, and the form for a new one (its token is shown once, on this page)."""
    municipality_id = _municipality_id(request)
    form = token = created = None
    status = 200
    if municipality_id is not None:
        form = ApiClientForm(request.POST or None, municipality_id=municipality_id)
        if request.method == "POST" and form.is_valid():
            try:
                result = services.api_client_create(
                    municipality=Municipality.objects.get(pk=municipality_id),
                    name=form.cleaned_data["name"],
                    scopes=form.cleaned_data["scopes"],
                    boards=form.cleaned_data["boards"],
                    provider=form.cleaned_data["provider"],
                    expires_at=form.expires_at(),
                    actor=request.user,
                )
            except ValidationError as exc:
                add_service_errors(form, exc, field_map={"expires_at": "expires_on"})
                status = 400
            else:
                token, created = result.token, result.client
                form = ApiClientForm(municipality_id=municipality_id)
        elif request.method == "POST":
            status = 400
    return render(
        request,
        "api/client_list.html",
        {
            "clients": selectors.clients_of(municipality_id=municipality_id),
            "form": form,
            "token": token,
            "created": created,
            "no_municipality": municipality_id is None,
        },
        status=status,
    )


@register_admin_required
@require_POST
def client_revoke(request, pk: int):
    client = get_object_or_404(selectors.clients_of(municipality_id=_municipality_id(request)), pk=pk)
    services.api_client_revoke(client=client, actor=request.user)
    messages.success(request, _("The client %(name)s is revoked; its token no longer works.") % {"name": client.name})
    return redirect("api_admin:client_list")
