"""What the pages of a complaint and of a collaboration deviation share: one step view, the linked deviation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from complaints.permissions import Actor
from core.forms import add_service_errors, auto_id

PER_PAGE = 25


def linked_deviation(user, deviation_id: int | None):
    """The linked deviation if ``user`` may open it (its reference is not shown otherwise)."""
    if deviation_id is None:
        return None
    from incidents.selectors import deviations_visible_to

    return deviations_visible_to(user=user).filter(pk=deviation_id).first()


@dataclass(frozen=True)
class StepPage:
    """What the step view of one kind of case needs: its forms, how to find, judge, move and show a case."""

    forms: dict
    visible: Callable
    kinds: Callable
    call: Callable
    context: Callable
    template: str
    move_labels: type


def step_view(request, pk: int, step: str, page: StepPage, success: Callable):
    """Make one move or edit; a refusal re-shows the case with the form as typed (status 400)."""
    if step not in page.forms:
        raise Http404(_("No such step."))
    case = page.visible(request.user, pk)
    if not page.kinds(user=request.user, case=case) & {Actor.MANAGER, Actor.DUTY}:
        raise PermissionDenied(_("You may not do this on this case."))
    form = page.forms[step](request.POST, auto_id=auto_id(step))
    if form.is_valid():
        try:
            result = page.call(step, case, request.user, form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return success(step, result)
    case = page.visible(request.user, pk)
    context = page.context(request, case, bound={step: form})
    if step in page.move_labels.values and not any(m["move"] == step for m in context["moves"]):
        context["moves"].append({"move": step, "label": page.move_labels(step).label, "form": form})
    context[f"{step}_form"] = form
    return render(request, page.template, context, status=400)
