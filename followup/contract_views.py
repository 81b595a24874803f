"""Contract registration (SPEC §6): register admins only. The model lives in the register."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.forms import add_service_errors
from followup import contracts, selectors
from followup.contracts import contract_ends_without_successor
from followup.forms import ContractForm
from responsibility.models import Contract
from responsibility.permissions import is_register_admin
from responsibility.tenancy import municipality_of, scoped


def _require_admin(user) -> None:
    if not is_register_admin(user):
        raise PermissionDenied


@login_required
@require_GET
def contract_list(request):
    _require_admin(request.user)
    today = timezone.localdate()
    within = municipality_of(request).contract_warning_days
    contracts = list(selectors.contract_list(user=request.user))
    for c in contracts:
        c.flag_no_successor = contract_ends_without_successor(c, on=today, within_days=within)
        c.has_ended = c.valid_to is not None and c.valid_to < today
    return render(
        request,
        "followup/contract_list.html",
        {
            "contracts": contracts,
            "today": today,
            "within": within,
            "flagged": sum(1 for c in contracts if c.flag_no_successor and not c.has_ended),
        },
    )


@login_required
@require_GET
def contract_detail(request, pk: int):
    _require_admin(request.user)
    contract = get_object_or_404(
        scoped(Contract.objects.all(), request).select_related(
            "provider", "managing_board", "purchasing_board", "successor"
        ),
        pk=pk,
    )
    municipality = contract.municipality
    within = municipality.contract_warning_days
    return render(
        request,
        "followup/contract_detail.html",
        {
            "contract": contract,
            "units": list(contract.units.select_related("board").order_by("name")),
            "plans": list(contract.followup_plans.all()),
            "flag_no_successor": contract_ends_without_successor(contract, on=timezone.localdate(), within_days=within),
        },
    )


@login_required
def contract_edit(request, pk: int | None = None):
    _require_admin(request.user)
    if pk is None:
        instance = Contract(municipality=municipality_of(request))
    else:
        instance = get_object_or_404(scoped(Contract.objects.all(), request), pk=pk)
    form = ContractForm(request.POST if request.method == "POST" else None, instance=instance)
    if request.method == "POST" and form.is_valid():
        units = form.cleaned_data.pop("units")
        try:
            contract = contracts.contract_save(contract=form.instance, actor=request.user, units=units)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The contract was saved."))
            return redirect("followup:contract_detail", pk=contract.pk)
    return render(
        request,
        "followup/contract_form.html",
        {"form": form, "contract": instance if pk else None},
        status=400 if form.errors else 200,
    )
