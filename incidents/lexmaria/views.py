"""Lex Maria views: the queue, a case with its steps, the step forms and the investigation PDF.

Thin: check the permission, read through :mod:`incidents.lexmaria.selectors`,
write through :mod:`incidents.lexmaria`. No page here shows patient identity.
"""

from __future__ import annotations

from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.exports import table_response
from core.flash import link, message_html, success_sentences
from core.forms import add_service_errors
from incidents.lexmaria import ivo_pdf
from incidents.lexmaria.actors import action_owners_for, actor_kinds, analysis_leaders_for, may_take
from incidents.lexmaria.forms import STEP_FORMS
from incidents.lexmaria.models import LexMariaCase, LexMariaState, LexMariaTransition
from incidents.lexmaria.selectors import (
    SORTS,
    STATE_FILTERS,
    board_officials,
    lex_maria_cases_visible_to,
    queue_cases,
    queue_row,
)
from incidents.lexmaria.services import STEP_SERVICES, LexMariaTransitionError, StaleCaseError
from incidents.lexmaria.steps import (
    MAY_BE_NOT_APPLICABLE,
    NOT_APPLICABLE,
    REROUTED,
    Actor,
    Step,
    done_on,
    open_steps,
    step_deadline,
    steps_of,
)
from responsibility import pickers

CASES_PER_PAGE = 25
# Parts of the chain that work with the case itself (and may follow it to the deviation and the PDF).
WORKING_ACTORS = {Actor.REPORTER, Actor.BOARD_MAS, Actor.OPERATIONS_MANAGER}


def _visible_case(user, pk: int) -> LexMariaCase:
    case = _case_if_visible(user, pk)
    if case is None:
        raise Http404(_("No such Lex Maria case, or you may not see it."))
    return case


def _case_if_visible(user, pk: int) -> LexMariaCase | None:
    return (
        lex_maria_cases_visible_to(user=user)
        .select_related(
            "deviation__unit__provider",
            "deviation__category",
            "deviation__municipality",
            "deviation__operations_manager",
            "board",
            "purchasing_board",
            "reporter_person__user",
            "board_mas__user",
            "analysis_leader",
            "decided_by",
            "fallback_person__user",
            "reporter_deputy_for",
        )
        .filter(pk=pk)
        .first()
    )


def _queue_cases(request):
    state = request.GET.get("state", "")
    sort = request.GET.get("sort", "")
    if state not in (*STATE_FILTERS, *LexMariaState.values):
        state = ""
    if sort not in SORTS:
        sort = ""
    cases = queue_cases(lex_maria_cases_visible_to(user=request.user), state=state or "open", sort=sort or "deadline")
    return cases, state, sort


@require_GET
@login_required
def queue(request):
    """Lex Maria cases the user may see (open by default, closed or all): route, the board's part, state, age,
    next deadline, whose move with names; sort; export. No patient identity."""
    cases, state, sort = _queue_cases(request)
    page = Paginator(cases, CASES_PER_PAGE).get_page(request.GET.get("page"))
    officials = board_officials(page.object_list)
    rows = [queue_row(case, officials=officials) for case in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    return render(
        request,
        "incidents/lex_maria/queue.html",
        {
            "page": page,
            "rows": rows,
            "state": state,
            "sort": sort,
            "query": query.urlencode(),
            "states": [(v, label) for v, label in LexMariaState.choices if v != LexMariaState.CLOSED],
            "sorts": [(key, label) for key, (label, _order) in SORTS.items()],
        },
    )


# The export's columns: what the queue shows, never patient identity or free text.
EXPORT_COLUMNS = (
    "Referens",
    "Enhet",
    "Nämnd",
    "Väg",
    "Nämndens roll",
    "Status",
    "Ålder (dagar)",
    "Nästa tidsgräns",
    "Försenad",
    "Nästa steg",
    "Vems tur",
)


@require_GET
@login_required
def queue_export(request):
    """The filtered queue as CSV or XLSX (all pages): the queue's columns, no patient data."""
    cases, _state, _sort = _queue_cases(request)
    cases = list(cases)
    officials = board_officials(cases)
    with translation.override("sv"):
        rows = [
            [
                row.reference,
                row.unit,
                row.board,
                row.route_label,
                "informeras" if row.informed_only else "ansvarig",
                row.state_label,
                row.age_days,
                row.next_deadline.isoformat() if row.next_deadline else "",
                "ja" if row.overdue else "nej",
                str(Step(row.next_step).label) if row.next_step else "",
                row.whose_move,
            ]
            for row in (queue_row(case, officials=officials) for case in cases)
        ]
    return table_response(
        headers=EXPORT_COLUMNS,
        rows=rows,
        filename=f"lex-maria-{timezone.localdate().isoformat()}",
        sheet="Lex Maria",
        xlsx=request.GET.get("format") == "xlsx",
    )


def _label(step: str) -> str:
    if step == NOT_APPLICABLE:
        return _("Mark a step not applicable")
    if step == REROUTED:
        return _("Re-routed by the register")
    return str(Step(step).label) if step in Step.values else ""


def _history(case: LexMariaCase) -> list[LexMariaTransition]:
    rows = list(LexMariaTransition.objects.filter(case=case).select_related("actor"))
    for row in rows:
        row.step_label = _label(row.step) if row.step else ""
    return rows


def _not_applicable_steps(case: LexMariaCase, kinds: frozenset[str], steps: list[str]) -> list[str]:
    """Open steps the user may mark not applicable: the reporter any of them, the board's MAS her forwarding."""
    return [
        s
        for s in steps
        if s in MAY_BE_NOT_APPLICABLE and (Actor.REPORTER in kinds or (s == Step.FORWARD and Actor.BOARD_MAS in kinds))
    ]


def _detail_context(request, case: LexMariaCase, *, bound_form=None) -> dict:
    kinds = actor_kinds(user=request.user, case=case)
    steps = open_steps(case)
    forms = []
    for step in steps:
        if may_take(user=request.user, case=case, step=step, kinds=kinds):
            form = bound_form if bound_form is not None and bound_form.step == step else STEP_FORMS[step](case=case)
            forms.append({"step": step, "label": _label(step), "form": form})
    not_applicable = _not_applicable_steps(case, kinds, steps)
    if not_applicable:
        form = (
            bound_form
            if bound_form is not None and bound_form.step == NOT_APPLICABLE
            else STEP_FORMS[NOT_APPLICABLE](case=case, steps=not_applicable)
        )
        forms.append({"step": NOT_APPLICABLE, "label": _label(NOT_APPLICABLE), "form": form})
    working = bool(kinds & WORKING_ACTORS)
    deviation_url = ""
    if working:
        try:
            deviation_url = reverse("incidents:deviation_detail", args=[case.deviation_id])
        except NoReverseMatch:
            deviation_url = ""
    na = {row.step: row for row in case.not_applicable.all()}
    step_rows = [
        {
            "step": s,
            "label": Step(s).label,
            "done_on": done_on(case, s),
            "not_applicable": na.get(s),
            "deadline": step_deadline(case, s) if s in steps else None,
            "open": s in steps,
        }
        for s in steps_of(case)
    ]
    return {
        "case": case,
        "row": queue_row(case, officials=board_officials([case])),
        "forms": forms,
        "step_rows": step_rows,
        "kinds": [Actor(k).label for k in sorted(kinds)],
        "working": working,
        "deviation_url": deviation_url,
        "pdf_available": working and case.analysed_at is not None,
        "transitions": _history(case),
        "actions": case.deviation.actions.select_related("owner") if working else [],
    }


@require_GET
@login_required
def detail(request, pk: int):
    """A case's steps, dates and history, and the form of the next step for whoever may take it."""
    case = _visible_case(request.user, pk)
    return render(request, "incidents/lex_maria/detail.html", _detail_context(request, case))


@require_POST
@login_required
def step(request, pk: int, step: str):
    """Take one step; a refused or invalid step re-shows the form with what was typed."""
    case = _visible_case(request.user, pk)
    if step not in STEP_FORMS:
        raise Http404(_("No such step."))
    if step == NOT_APPLICABLE:
        kinds = actor_kinds(user=request.user, case=case)
        allowed = _not_applicable_steps(case, kinds, list(MAY_BE_NOT_APPLICABLE))
        if not allowed:
            raise PermissionDenied(_("You may not take this step on this Lex Maria case."))
        form = STEP_FORMS[step](request.POST, case=case, steps=allowed)
    elif not may_take(user=request.user, case=case, step=step):
        raise PermissionDenied(_("You may not take this step on this Lex Maria case."))
    else:
        form = STEP_FORMS[step](request.POST, case=case)
    if form.is_valid():
        try:
            STEP_SERVICES[step](
                case=case, user=request.user, version=form.cleaned_data["version"], **form.service_kwargs()
            )
        except (LexMariaTransitionError, StaleCaseError) as exc:
            form.add_error(None, exc)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            moved = _case_if_visible(request.user, pk)
            _flash_step_done(
                request, step=step, which=form.cleaned_data.get("which", ""), case=moved, reference=case.reference
            )
            if moved is not None:
                return redirect("incidents:lex_maria_detail", pk=pk)
            return redirect("incidents:lex_maria_queue")
    case = _visible_case(request.user, pk)
    context = _detail_context(request, case, bound_form=form)
    if not any(item["step"] == step for item in context["forms"]):
        # The case moved on meanwhile: show the refusal with the typed form anyway.
        context["forms"].append({"step": step, "label": _label(step), "form": form})
    return render(request, "incidents/lex_maria/detail.html", context, status=400)


def _flash_step_done(request, *, step: str, which: str, case: LexMariaCase | None, reference: str) -> None:
    """Say what was recorded on which case and link what to do next: the user's next step on the case (its form),
    the investigation PDF for IVO's e-service when the report or the investigation is next, else whose move it is.
    ``which`` is the step marked not applicable."""
    if step == NOT_APPLICABLE:
        done, label = _("The step “%(step)s” is marked not applicable on %(case)s."), _label(which)
    elif step == Step.CLOSE:
        done, label = _("Case %(case)s is closed."), ""
    else:
        done, label = _("The step “%(step)s” is recorded on %(case)s."), _label(step)
    if case is None:  # the step handed the case on: the user no longer sees it
        success_sentences(request, message_html(done, step=label, case=reference))
        return
    url = case.get_absolute_url()
    sentences = [message_html(done, step=label, case=link(url, case.reference))]
    kinds = actor_kinds(user=request.user, case=case)
    steps = open_steps(case)
    mine = [s for s in steps if may_take(user=request.user, case=case, step=s, kinds=kinds)]
    deadlines = {s: step_deadline(case, s) for s in mine}
    upcoming = min(mine, key=lambda s: (deadlines[s] or date.max, steps.index(s))) if mine else None
    if not steps:
        if step != Step.CLOSE:
            sentences.append(_("The case is closed."))
    elif upcoming is not None:
        template = (
            _("Next for you: %(step)s, by %(deadline)s.") if deadlines[upcoming] else _("Next for you: %(step)s.")
        )
        target = link(f"{url}#step-title-{upcoming}", Step(upcoming).label)
        deadline = deadlines[upcoming].isoformat() if deadlines[upcoming] else ""
        sentences.append(message_html(template, step=target, deadline=deadline))
    else:
        whose = queue_row(case, officials=board_officials([case])).whose_move
        sentences.append(message_html(_("Next: %(move)s."), move=whose))
    ivo_next = upcoming in (Step.REPORT_TO_IVO, Step.SEND_INVESTIGATION)
    if kinds & WORKING_ACTORS and case.analysed_at is not None and (step == Step.ANALYSE or ivo_next):
        pdf = link(reverse("incidents:lex_maria_pdf", args=[case.pk]), _("download the investigation (PDF)"))
        sentences.append(message_html(_("To attach in IVO's e-service: %(pdf)s."), pdf=pdf))
    success_sentences(request, *sentences)


@require_GET
@login_required
def investigation_pdf(request, pk: int):
    """The investigation PDF to attach in IVO's e-service; only for those working the case."""
    case = _visible_case(request.user, pk)
    kinds = actor_kinds(user=request.user, case=case)
    if not kinds & WORKING_ACTORS:
        raise PermissionDenied(_("You may not download the investigation of this case."))
    if case.analysed_at is None:
        raise Http404(_("The investigation is available once the event analysis is recorded."))
    pdf = ivo_pdf.investigation_pdf(case=case, produced_by=request.user)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="utredning-{case.reference}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


# The analysis form's type-ahead pickers: kind → the eligible people (the same as the form's select).
PEOPLE_SEARCHES = {"leader": analysis_leaders_for, "owner": action_owners_for}


@require_GET
@login_required
def people_search(request, pk: int):
    """At most ``pickers.LIMIT`` people eligible as the case's analysis leader (``kind=leader``) or action owner
    (``kind=owner``) matching ``q``; only for who may record the analysis (403 otherwise, 404 for an unseen case)."""
    case = _visible_case(request.user, pk)
    search = PEOPLE_SEARCHES.get(request.GET.get("kind", "leader"))
    if search is None:
        raise Http404
    if Step.ANALYSE not in open_steps(case) or not may_take(user=request.user, case=case, step=Step.ANALYSE):
        raise PermissionDenied(_("You may not record the event analysis of this Lex Maria case."))
    return JsonResponse(
        {"results": pickers.person_results(pickers.with_current(search(case)), request.GET.get("q", ""))}
    )
