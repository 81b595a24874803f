"""The crawl: every URL pattern × every demo role × objects it may see, may not see and ids that do not exist.

The patterns come from ``get_resolver()``, so a new page is crawled without
anyone listing it; only how to fill a URL parameter is declared here
(``PARAMETERS``). A pattern whose parameters cannot be filled is reported as
uncovered and fails the test unless it is in ``expectations.NOT_CRAWLED``
with a reason.

For each case the crawl makes a GET, a POST with no data and a POST with
invalid data in every field of the forms that post to that URL (fields are
collected from the pages the role saw). Each POST runs in a savepoint that is
rolled back, so every case starts from the same data.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie

from django.contrib.admin.sites import site as admin_site
from django.db import transaction
from django.db.models import Max, QuerySet
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

ANONYMOUS = "anonymous"
METHODS = ("GET", "POST_EMPTY", "POST_INVALID")
VISIBLE, FOREIGN, MISSING, NONE = "visible", "foreign", "missing", "none"
# How many objects per kind: visible ones are one per state (plus those touched by
# unusual actors), foreign ones a sample.
MAX_VISIBLE = 6
MAX_FOREIGN = 2
# A value that no form field accepts: Django refuses NUL in text, and it is no number, date or choice.
INVALID = "ogiltig\x00"
REFERENCE_RE = re.compile(r"\b(AV|LM|KL|SV)-\d{4}-\d{6}\b")
PNR_RE = re.compile(r"(?<!\d)(\d{6}|\d{8})[-+]?(\d{4})(?!\d)")


@dataclass(frozen=True)
class Pattern:
    """One URL pattern of the URLconf: its name (namespace:name) and its parameters."""

    name: str
    route: str
    params: tuple[str, ...]


def _route_params(pattern) -> tuple[str, ...]:
    regex = pattern.pattern.regex
    positional = regex.groups - len(regex.groupindex)
    return tuple(regex.groupindex) + tuple(f"_{i}" for i in range(positional))


def url_patterns() -> list[Pattern]:
    """Every URL pattern of the project, walked from the root resolver."""
    found: list[Pattern] = []

    def walk(patterns, prefix: str, namespace: str, params: tuple[str, ...]):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = f"{namespace}:{p.namespace}" if namespace and p.namespace else (p.namespace or namespace)
                walk(p.url_patterns, prefix + str(p.pattern), ns, params + _route_params(p))
            elif isinstance(p, URLPattern):
                name = f"{namespace}:{p.name}" if namespace and p.name else (p.name or "")
                route = prefix + str(p.pattern)
                found.append(Pattern(name=name or route, route=route, params=params + _route_params(p)))

    walk(get_resolver().url_patterns, "/", "", ())
    return found


# --- how to fill parameters --------------------------------------------------------------


@dataclass
class Source:
    """Where the objects of a URL parameter come from: all of them, and those ``user`` may see."""

    all: Callable[[], QuerySet]
    visible: Callable[[object], QuerySet]
    key: str = "pk"
    missing: object = None

    def missing_key(self):
        if self.missing is not None:
            return self.missing
        top = self.all().model._base_manager.aggregate(m=Max("pk"))["m"] or 0
        return top + 100_000


def _sources() -> dict[str, Source]:
    from allauth.mfa.models import Authenticator
    from django.contrib.auth import get_user_model

    from accounts.models import IdentityProvider, PendingLogin
    from accounts.selectors import users_of
    from api.models import ApiClient
    from complaints.models import CollaborationDeviation, Complaint, Counterpart
    from complaints.permissions import may_manage_counterparts
    from complaints.selectors import collaborations_visible_to, complaints_visible_to
    from followup.models import (
        Action,
        ChecklistAnswer,
        Delegation,
        FollowUp,
        FollowUpPlan,
        Routine,
    )
    from followup.selectors import (
        actions_visible_to,
        delegations_visible_to,
        followups_visible_to,
        plans_visible_to,
        routines_visible_to,
    )
    from incidents.lexmaria_selectors import lex_maria_cases_visible_to
    from incidents.models import Deviation, DeviationState, LexMariaCase
    from incidents.selectors import deviations_visible_to
    from masportal.models import Notification
    from masportal.selectors import failed_emails_for
    from reports.models import GeneratedReport
    from reports.scopes import may_report_on
    from reports.selectors import generated_reports_for
    from reports.views import _scope_of
    from responsibility.models import Assignment, Board, CareProvider, Contract, Person, Region, Unit
    from responsibility.permissions import is_register_admin, units_visible_to, user_municipality_id

    def admin_only(model, **kw):
        return Source(
            all=lambda: model.objects.all(),
            visible=lambda u: model.objects.all() if is_register_admin(u) else model.objects.none(),
            **kw,
        )

    def narrative_providers(user):
        ids = [p.pk for p in CareProvider.objects.select_related("board") if may_report_on(user, _scope_of(p))]
        return CareProvider.objects.filter(pk__in=ids)

    return {
        "deviation": Source(
            all=lambda: Deviation.objects.exclude(state=DeviationState.DRAFT),
            visible=lambda u: deviations_visible_to(user=u).exclude(state=DeviationState.DRAFT),
        ),
        "draft": Source(
            all=lambda: Deviation.objects.filter(state=DeviationState.DRAFT),
            visible=lambda u: Deviation.objects.filter(state=DeviationState.DRAFT, reporter_id=u.pk),
        ),
        "attachment": Source(
            all=lambda: _attachments(),
            visible=lambda u: _attachments().filter(deviation__in=deviations_visible_to(user=u)),
        ),
        "lex_maria": Source(
            all=lambda: LexMariaCase.objects.all(), visible=lambda u: lex_maria_cases_visible_to(user=u)
        ),
        "followup": Source(all=lambda: FollowUp.objects.all(), visible=lambda u: followups_visible_to(u)),
        "answer": Source(
            all=lambda: ChecklistAnswer.objects.exclude(attachment=""),
            visible=lambda u: ChecklistAnswer.objects.exclude(attachment="").filter(
                follow_up__in=followups_visible_to(u)
            ),
        ),
        "plan": Source(all=lambda: FollowUpPlan.objects.all(), visible=lambda u: plans_visible_to(u)),
        "action": Source(all=lambda: Action.objects.all(), visible=lambda u: actions_visible_to(u)),
        "delegation": Source(all=lambda: Delegation.objects.all(), visible=lambda u: delegations_visible_to(u)),
        "routine": Source(all=lambda: Routine.objects.all(), visible=lambda u: routines_visible_to(u)),
        "contract": admin_only(Contract),
        "generated": Source(all=lambda: GeneratedReport.objects.all(), visible=lambda u: generated_reports_for(user=u)),
        "unit": Source(
            all=lambda: Unit.objects.all(), visible=lambda u: units_visible_to(u), key="code", missing="finns-inte"
        ),
        "unit_admin": Source(
            all=lambda: Unit.objects.all(),
            visible=lambda u: Unit.objects.all() if is_register_admin(u) else Unit.objects.none(),
            key="code",
            missing="finns-inte",
        ),
        "region": admin_only(Region),
        "board": admin_only(Board),
        "provider": admin_only(CareProvider),
        "person": admin_only(Person),
        "assignment": admin_only(Assignment),
        "narrative_provider": Source(all=lambda: CareProvider.objects.all(), visible=narrative_providers),
        "complaint": Source(all=lambda: Complaint.objects.all(), visible=lambda u: complaints_visible_to(user=u)),
        "collaboration": Source(
            all=lambda: CollaborationDeviation.objects.all(), visible=lambda u: collaborations_visible_to(user=u)
        ),
        "counterpart": Source(
            all=lambda: Counterpart.objects.all(),
            visible=lambda u: Counterpart.objects.filter(municipality_id=user_municipality_id(u))
            if may_manage_counterparts(u)
            else Counterpart.objects.none(),
        ),
        # The API answers bearer tokens only: a logged-in browser session gets 401 whatever the object.
        "deviation_ref": Source(
            all=lambda: Deviation.objects.exclude(state=DeviationState.DRAFT),
            visible=lambda u: deviations_visible_to(user=u).exclude(state=DeviationState.DRAFT),
            key="reference",
            missing="AV-1999-999999",
        ),
        "lex_maria_ref": Source(
            all=lambda: LexMariaCase.objects.all(),
            visible=lambda u: lex_maria_cases_visible_to(user=u),
            key="reference",
            missing="LM-1999-999999",
        ),
        "api_client": admin_only(ApiClient),
        "notification": Source(
            all=lambda: Notification.objects.all(), visible=lambda u: Notification.objects.filter(recipient_id=u.pk)
        ),
        "login_user": Source(
            all=lambda: get_user_model().objects.all(),
            visible=lambda u: (users_of(municipality_id=user_municipality_id(u))
                               if is_register_admin(u) and user_municipality_id(u) else get_user_model().objects.none()),
        ),
        "pending_login": admin_only(PendingLogin),
        "identity_provider": admin_only(IdentityProvider),
        "webauthn": Source(all=lambda: Authenticator.objects.filter(type="webauthn"),
                           visible=lambda u: Authenticator.objects.filter(type="webauthn", user_id=u.pk)),
        "failed_email": Source(
            all=lambda: Notification.objects.filter(email_status=Notification.EmailStatus.FAILED),
            visible=lambda u: failed_emails_for(user=u),
        ),
    }


def _attachments():
    from incidents.models import DeviationAttachment

    return DeviationAttachment.objects.all()


def _step_values(module: str) -> list[str]:
    if module == "incidents":
        from incidents.views import STEP_FORMS
    else:
        from incidents.lexmaria_forms import STEP_FORMS
    return [str(s) for s in STEP_FORMS] + ["finns-inte"]


def _complaint_steps(kind: str) -> list[str]:
    from complaints.views import COLLABORATION_STEP_FORMS, COMPLAINT_STEP_FORMS

    forms = COMPLAINT_STEP_FORMS if kind == "complaint" else COLLABORATION_STEP_FORMS
    return [str(s) for s in forms] + ["finns-inte"]


def _import_kinds() -> list[str]:
    from responsibility.resources import IMPORT_KINDS

    return list(IMPORT_KINDS) + ["finns-inte"]


# URL name → parameter → an object source (a key of _sources()) or a list of plain values.
# The first object parameter decides visible / foreign / missing; plain values are all tried
# on the first visible object and the first value is used on the others.
PARAMETERS: dict[str, dict[str, str | Callable[[], list]]] = {
    "incidents:deviation_detail": {"pk": "deviation"},
    "incidents:deviation_pdf": {"pk": "deviation"},
    "incidents:deviation_edit": {"pk": "draft"},
    "incidents:deviation_step": {"pk": "deviation", "step": lambda: _step_values("incidents")},
    "incidents:attachment_download": {"pk": "attachment"},
    "incidents:lex_maria_detail": {"pk": "lex_maria"},
    "incidents:lex_maria_step": {"pk": "lex_maria", "step": lambda: _step_values("lexmaria")},
    "incidents:lex_maria_pdf": {"pk": "lex_maria"},
    "followup:followup_detail": {"pk": "followup"},
    "followup:followup_start": {"pk": "followup"},
    "followup:finding_create": {"pk": "followup"},
    "followup:action_create": {"pk": "followup"},
    "followup:answer_attachment": {"pk": "answer"},
    "followup:plan_edit": {"pk": "plan"},
    "followup:action_detail": {"pk": "action"},
    "followup:delegation_revoke": {"pk": "delegation"},
    "followup:routine_edit": {"pk": "routine"},
    "followup:contract_detail": {"pk": "contract"},
    "followup:contract_edit": {"pk": "contract"},
    "reports:report_export": {"fmt": lambda: ["csv", "xlsx", "pdf", "finns-inte"]},
    "reports:generated_detail": {"pk": "generated"},
    "reports:generated_status": {"pk": "generated"},
    "reports:generated_download": {"pk": "generated"},
    "reports:generated_retry": {"pk": "generated"},
    "outbox_resend": {"pk": "failed_email"},
    "accounts:user_detail": {"pk": "login_user"},
    "accounts:user_link": {"pk": "login_user"},
    "accounts:user_unlink": {"pk": "login_user"},
    "accounts:user_deactivate": {"pk": "login_user"},
    "accounts:user_activate": {"pk": "login_user"},
    "accounts:pending_link": {"pk": "pending_login"},
    "accounts:provider_edit": {"pk": "identity_provider"},
    "mfa_edit_webauthn": {"pk": "webauthn"},
    "mfa_remove_webauthn": {"pk": "webauthn"},
    "openid_connect_login": {"provider_id": lambda: ["finns-inte"]},
    "openid_connect_callback": {"provider_id": lambda: ["finns-inte"]},
    "saml_acs": {"organization_slug": lambda: ["finns-inte"]},
    "saml_finish_acs": {"organization_slug": lambda: ["finns-inte"]},
    "saml_sls": {"organization_slug": lambda: ["finns-inte"]},
    "saml_metadata": {"organization_slug": lambda: ["finns-inte"]},
    "saml_login": {"organization_slug": lambda: ["finns-inte"]},
    "complaints:complaint_detail": {"pk": "complaint"},
    "complaints:complaint_edit": {"pk": "complaint"},
    "complaints:complaint_step": {"pk": "complaint", "step": lambda: _complaint_steps("complaint")},
    "complaints:collaboration_detail": {"pk": "collaboration"},
    "complaints:collaboration_step": {"pk": "collaboration", "step": lambda: _complaint_steps("collaboration")},
    "complaints:counterpart_edit": {"pk": "counterpart"},
    "notification_open": {"pk": "notification"},
    "api:unit_responsible": {"code": "unit"},
    "api:deviation_detail": {"reference": "deviation_ref"},
    "api:lex_maria_detail": {"reference": "lex_maria_ref"},
    "api_admin:client_revoke": {"pk": "api_client"},
    "reports:narrative_edit": {"provider_id": "narrative_provider", "year": lambda: [timezone.localdate().year, 1]},
    "responsibility:unit_detail": {"code": "unit"},
    "responsibility:region_edit": {"pk": "region"},
    "responsibility:board_edit": {"pk": "board"},
    "responsibility:provider_edit": {"pk": "provider"},
    "responsibility:unit_edit": {"code": "unit_admin"},
    "responsibility:unit_change_operation": {"code": "unit_admin"},
    "responsibility:person_edit": {"pk": "person"},
    "responsibility:assignment_edit": {"pk": "assignment"},
    "responsibility:assignment_history": {"pk": "assignment"},
    "responsibility:unit_history": {"code": "unit"},
    "responsibility:import_upload": {"kind": _import_kinds},
    "responsibility:import_template": {"kind": _import_kinds},
    # A preview token exists only after an upload in the same session: only unknown ones here
    # (the upload → preview → confirm journey is tests/responsibility/test_import.py).
    "responsibility:import_preview": {"kind": _import_kinds, "token": lambda: ["0" * 32]},
}


def _admin_model(pattern: Pattern):
    """The model of a Django admin page of one object (named or the unnamed redirect), else None."""
    parts = pattern.route.split("/")
    if not pattern.route.startswith("/django-admin/") or len(parts) < 5:
        return None
    for model in admin_site._registry:
        if (parts[2], parts[3]) == (model._meta.app_label, model._meta.model_name):
            return model
    return None


def _admin_instances(pattern: Pattern) -> Iterator[tuple[str, str]] | None:
    """Fill Django admin's own patterns: each registered model's objects, its app lists, its catch-all."""
    if pattern.name == "admin:app_list":
        return iter(
            [
                (VISIBLE, reverse(pattern.name, kwargs={"app_label": label}))
                for label in sorted({m._meta.app_label for m in admin_site._registry})
            ]
        )
    if pattern.name == "admin:view_on_site":
        return iter([(MISSING, reverse(pattern.name, kwargs={"content_type_id": 999_999, "object_id": 1}))])
    if pattern.params == ("url",) and pattern.route.startswith("/django-admin/"):
        return iter([(MISSING, "/django-admin/finns-inte/")])
    model = _admin_model(pattern)
    if model is None:
        return None
    obj = model._default_manager.order_by("pk").first()
    top = model._base_manager.aggregate(m=Max("pk"))["m"] or 0
    if pattern.params == ("_0", "_1"):  # simple_history: one historical version of an object
        record = obj.history.order_by("history_id").first() if obj is not None else None
        keys = ([(VISIBLE, [obj.pk, record.history_id])] if record else []) + [(MISSING, [top + 100_000, 1])]
        return iter([(kind, reverse(pattern.name, args=args)) for kind, args in keys])
    param = pattern.params[0]
    keys = ([(VISIBLE, obj.pk)] if obj else []) + [(MISSING, top + 100_000)]
    if pattern.name == pattern.route:
        return iter([(kind, pattern.route.replace(f"<path:{param}>", str(pk))) for kind, pk in keys])
    return iter([(kind, reverse(pattern.name, kwargs={param: pk})) for kind, pk in keys])


# --- running it ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One request the crawl makes."""

    pattern: str
    role: str
    kind: str
    method: str
    url: str


@dataclass
class Outcome:
    """What one case answered, and any foreign reference or personnummer found in the body."""

    case: Case
    status: int
    leaks: tuple[str, ...] = ()


class _FormFields(HTMLParser):
    """Collect, per form action, the names and types of the form's fields."""

    def __init__(self, page_path: str):
        super().__init__()
        self.page_path = page_path
        self.forms: dict[str, dict[str, str]] = {}
        self._action: str | None = None
        self._method = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._method = (a.get("method") or "get").lower()
            self._action = (a.get("action") or self.page_path).split("?")[0]
            if self._method == "post":
                self.forms.setdefault(self._action, {})
        elif tag in ("input", "select", "textarea", "button") and self._action and self._method == "post":
            name = a.get("name")
            if name and name != "csrfmiddlewaretoken":
                self.forms[self._action][name] = a.get("type") or tag

    def handle_endtag(self, tag):
        if tag == "form":
            self._action = None


def _pnr10(value: str) -> str:
    digits = re.sub(r"\D", "", value)
    return digits[-10:]


def forbidden_for(user) -> tuple[set[str], set[str]]:
    """References and personnummer (last 10 digits) that ``user`` must never be shown."""
    from complaints.models import CollaborationDeviation, Complaint
    from complaints.permissions import can_see_patient_data as can_see_complaint_patient
    from complaints.selectors import collaborations_visible_to, complaints_visible_to
    from incidents import patient
    from incidents.lexmaria_selectors import lex_maria_cases_visible_to
    from incidents.models import Deviation, LexMariaCase
    from incidents.permissions import can_see_patient_data
    from incidents.selectors import access_log_for, deviations_visible_to

    all_refs = set(Deviation.objects.exclude(reference="").values_list("reference", flat=True))
    all_refs |= set(LexMariaCase.objects.values_list("reference", flat=True))
    all_refs |= set(Complaint.objects.values_list("reference", flat=True))
    all_refs |= set(CollaborationDeviation.objects.values_list("reference", flat=True))
    complaint_pnr = {
        pk: _pnr10(patient.decrypt_identifier(enc))
        for pk, enc in Complaint.objects.exclude(patient_identifier_encrypted="").values_list(
            "pk", "patient_identifier_encrypted"
        )
    }
    pnr_of = {}
    for pk, enc in Deviation.objects.exclude(patient_identifier_encrypted=b"").values_list(
        "pk", "patient_identifier_encrypted"
    ):
        if enc:
            pnr_of[pk] = _pnr10(patient.decrypt_identifier(enc))
    if user is None:
        return all_refs, set(pnr_of.values()) | set(complaint_pnr.values())
    visible = deviations_visible_to(user=user)
    cases = lex_maria_cases_visible_to(user=user)
    seen = set(visible.values_list("reference", flat=True))
    seen |= set(cases.values_list("reference", flat=True))
    seen |= set(cases.values_list("deviation__reference", flat=True))
    # The access log (loggkontroll) names the records opened in the reviewer's units.
    seen |= set(access_log_for(user=user).values_list("deviation__reference", flat=True))
    seen_pnrs = {
        pnr_of[d.pk] for d in visible.filter(pk__in=list(pnr_of)) if can_see_patient_data(user=user, deviation=d)
    }
    complaints = complaints_visible_to(user=user)
    seen |= set(complaints.values_list("reference", flat=True))
    seen |= set(collaborations_visible_to(user=user).values_list("reference", flat=True))
    # A deviation started from a complaint names the complaint in its text.
    seen |= {ref for ref in all_refs if ref.startswith("KL-") and visible.filter(description__contains=ref).exists()}
    seen |= set(access_log_for(user=user).values_list("reference", flat=True))
    seen_pnrs |= {
        complaint_pnr[c.pk] for c in complaints.filter(pk__in=list(complaint_pnr))
        if can_see_complaint_patient(user=user, case=c)
    }
    return all_refs - seen, (set(pnr_of.values()) | set(complaint_pnr.values())) - seen_pnrs


def leaks_in(body: str, refs: set[str], pnrs: set[str]) -> tuple[str, ...]:
    found = {m.group(0) for m in REFERENCE_RE.finditer(body)} & refs
    found |= {(m.group(1) + m.group(2))[-10:] for m in PNR_RE.finditer(body)} & pnrs
    return tuple(sorted(found))


def _samples(source: Source, user, key_of) -> list[tuple[str, object]]:
    """(kind, key) pairs: visible ones spread over states, a few foreign ones, one missing."""
    from django.contrib.auth.models import AnonymousUser

    all_qs = source.all()
    visible_qs = source.visible(user or AnonymousUser()) if user is not None else all_qs.none()
    visible_ids = set(visible_qs.values_list("pk", flat=True))
    model = all_qs.model
    state_field = "state" if any(f.name == "state" for f in model._meta.fields) else None
    picked: list = []
    seen_states = set()
    special = set(_special_ids(model))
    for obj in all_qs.filter(pk__in=visible_ids).order_by("pk"):
        state = getattr(obj, state_field) if state_field else None
        if (obj.pk in special or state not in seen_states) and (len(picked) < MAX_VISIBLE or obj.pk in special):
            picked.append(obj)
            seen_states.add(state)
    out = [(VISIBLE, key_of(o)) for o in picked]
    foreign = list(all_qs.exclude(pk__in=visible_ids).order_by("pk"))
    if foreign:
        chosen = {foreign[0].pk: foreign[0], foreign[-1].pk: foreign[-1]}
        out += [(FOREIGN, key_of(o)) for o in list(chosen.values())[:MAX_FOREIGN]]
    out.append((MISSING, source.missing_key()))
    return out


# Objects the crawl must always include when visible (set by the scenario: unusual actors).
SPECIAL: dict[type, set[int]] = defaultdict(set)


def _special_ids(model) -> set[int]:
    return SPECIAL.get(model, set())


def instances(pattern: Pattern, user) -> Iterator[tuple[str, str]]:
    """(kind, url) for a pattern and a user; raise LookupError when the pattern cannot be filled."""
    if not pattern.params:
        yield NONE, pattern.route if pattern.name == pattern.route else reverse(pattern.name)
        return
    admin = _admin_instances(pattern)
    if admin is not None:
        yield from admin
        return
    spec = PARAMETERS.get(pattern.name)
    if spec is None or set(spec) != set(pattern.params):
        raise LookupError(pattern.name)
    sources = _sources()
    object_param = next((p for p, s in spec.items() if isinstance(s, str)), None)
    values = {p: list(s()) for p, s in spec.items() if not isinstance(s, str)}
    if object_param is None:
        for combo in _combos(values):
            yield NONE, reverse(pattern.name, kwargs=combo)
        return
    source = sources[spec[object_param]]
    samples = _samples(source, user, lambda o: getattr(o, source.key))
    first_visible = True
    for kind, key in samples:
        combos = _combos(values)
        if not (kind == VISIBLE and first_visible):
            combos = combos[:1]
        if kind == VISIBLE:
            first_visible = False
        for combo in combos:
            yield kind, reverse(pattern.name, kwargs={object_param: key, **combo})


def _combos(values: dict[str, list]) -> list[dict]:
    combos: list[dict] = [{}]
    for name, options in values.items():
        combos = [{**c, name: v} for c in combos for v in options]
    return combos


@dataclass
class Crawl:
    """The outcomes of one role's crawl, and the patterns it could not fill."""

    role: str
    outcomes: list[Outcome] = field(default_factory=list)
    unfilled: list[str] = field(default_factory=list)


def crawl_role(role: str, user, patterns: list[Pattern], *, skip: set[str]) -> Crawl:
    """GET every page, then POST empty and invalid data to every URL, as ``user`` (None: anonymous)."""
    result = Crawl(role=role)
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    refs, pnrs = forbidden_for(user)
    # Django admin is the operator's full view of the database (superusers only): references may
    # show there, a personnummer never.
    admin_refs = set() if user is not None and user.is_superuser else refs
    fields_by_action: dict[str, dict[str, str]] = {}
    fields_by_name: dict[str, dict[str, str]] = {}
    todo: list[tuple[Pattern, str, str]] = []
    for pattern in patterns:
        if pattern.name in skip:
            continue
        try:
            todo += [(pattern, kind, url) for kind, url in instances(pattern, user)]
        except LookupError:
            result.unfilled.append(pattern.name)
    for pattern, kind, url in todo:
        response = client.get(url)
        url_refs = admin_refs if url.startswith("/django-admin/") else refs
        result.outcomes.append(_outcome(Case(pattern.name, role, kind, "GET", url), response, url_refs, pnrs))
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            parser = _FormFields(url)
            parser.feed(response.content.decode("utf-8", "replace"))
            for action, names in parser.forms.items():
                fields_by_action.setdefault(action, {}).update(names)
    for action, names in fields_by_action.items():
        try:
            from django.urls import resolve

            match = resolve(action)
        except Exception:  # noqa: BLE001, S112 - a form posting outside the site
            continue
        fields_by_name.setdefault(_match_name(match), {}).update(names)
    for pattern, kind, url in todo:
        names = fields_by_action.get(url) or fields_by_name.get(pattern.name) or {"version": "hidden"}
        invalid = {name: INVALID for name in names}
        for method, data in (("POST_EMPTY", {}), ("POST_INVALID", invalid)):
            # Logging out, logging in or switching language must not change the next case:
            # the savepoint undoes the session writes, the cookies are put back.
            cookies = client.cookies
            client.cookies = SimpleCookie(cookies)
            with transaction.atomic():
                response = client.post(url, data)
                transaction.set_rollback(True)
            client.cookies = cookies
            url_refs = admin_refs if url.startswith("/django-admin/") else refs
            result.outcomes.append(_outcome(Case(pattern.name, role, kind, method, url), response, url_refs, pnrs))
    return result


def _match_name(match) -> str:
    return f"{match.namespace}:{match.url_name}" if match.namespace else (match.url_name or match.route)


def _outcome(case: Case, response, refs: set[str], pnrs: set[str]) -> Outcome:
    content_type = response.get("Content-Type", "")
    leaks: tuple[str, ...] = ()
    if not response.streaming and any(t in content_type for t in ("html", "csv", "json", "text")):
        leaks = leaks_in(response.content.decode("utf-8", "replace"), refs, pnrs)
    elif response.streaming:
        response.close()
    return Outcome(case=case, status=response.status_code, leaks=leaks)
