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

This module holds the tables (the sources of objects and ``PARAMETERS``); the
machinery is tests/crawl/cases.py (patterns, cases), tests/crawl/runner.py
(filling and requesting) and tests/crawl/leaks.py (the foreign-data check).
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils import timezone

from tests.crawl import runner
from tests.crawl.cases import ANONYMOUS, METHODS, Case, Crawl, Outcome, Pattern, Source, url_patterns
from tests.crawl.leaks import forbidden_for, leaks_in

__all__ = [
    "ANONYMOUS",
    "METHODS",
    "PARAMETERS",
    "SPECIAL",
    "Case",
    "Outcome",
    "Pattern",
    "Source",
    "crawl_role",
    "forbidden_for",
    "instances",
    "leaks_in",
    "url_patterns",
]

# Objects the crawl must always include when visible (set by the scenario: unusual actors).
SPECIAL = runner.SPECIAL


def _sources() -> dict[str, Source]:
    from allauth.mfa.models import Authenticator
    from django.contrib.auth import get_user_model

    from accounts.models import IdentityProvider, PendingLogin
    from accounts.selectors import users_of
    from api.models import ApiClient
    from complaints.models import CollaborationDeviation, Complaint, Counterpart
    from complaints.permissions import may_manage_counterparts
    from complaints.selectors import collaborations_visible_to, complaints_visible_to
    from core.models import Notification
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
    from incidents.lexmaria.models import LexMariaCase
    from incidents.lexmaria.selectors import lex_maria_cases_visible_to
    from incidents.models import Deviation, DeviationState
    from incidents.selectors import deviations_visible_to
    from masportal.selectors import failed_emails_for
    from reports.models import GeneratedReport
    from reports.scopes import may_report_on
    from reports.selectors import generated_reports_for
    from reports.views import _scope_of
    from responsibility.models import Assignment, Board, CareProvider, Contract, Person, Region, Unit
    from responsibility.permissions import is_register_admin, units_visible_to
    from responsibility.tenancy import municipality_id_of, municipality_path, scoped

    def admin_only(model, **kw):
        """The register admin's objects: those of the admin's own municipality."""
        path = municipality_path(model)
        return Source(
            all=lambda: model.objects.all(),
            visible=lambda u: scoped(model.objects.all(), u, path) if is_register_admin(u) else model.objects.none(),
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
            visible=lambda u: scoped(Unit.objects.all(), u) if is_register_admin(u) else Unit.objects.none(),
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
            visible=lambda u: (
                Counterpart.objects.filter(municipality_id=municipality_id_of(u))
                if may_manage_counterparts(u)
                else Counterpart.objects.none()
            ),
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
        "complaint_ref": Source(
            all=lambda: Complaint.objects.all(),
            visible=lambda u: complaints_visible_to(user=u),
            key="reference",
            missing="KL-1999-999999",
        ),
        "api_client": admin_only(ApiClient),
        "notification": Source(
            all=lambda: Notification.objects.all(), visible=lambda u: Notification.objects.filter(recipient_id=u.pk)
        ),
        "login_user": Source(
            all=lambda: get_user_model().objects.all(),
            visible=lambda u: (
                users_of(municipality_id=municipality_id_of(u))
                if is_register_admin(u) and municipality_id_of(u)
                else get_user_model().objects.none()
            ),
        ),
        "pending_login": admin_only(PendingLogin),
        "identity_provider": admin_only(IdentityProvider),
        "webauthn": Source(
            all=lambda: Authenticator.objects.filter(type="webauthn"),
            visible=lambda u: Authenticator.objects.filter(type="webauthn", user_id=u.pk),
        ),
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
        from incidents.lexmaria.forms import STEP_FORMS
    return [str(s) for s in STEP_FORMS] + ["finns-inte"]


def _complaint_steps(kind: str) -> list[str]:
    from complaints.collaboration_views import COLLABORATION_STEP_FORMS
    from complaints.views import COMPLAINT_STEP_FORMS

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
    "incidents:lex_maria_people": {"pk": "lex_maria"},
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
    "api:complaint_detail": {"reference": "complaint_ref"},
    "api:followup_detail": {"pk": "followup"},
    "api_admin:client_revoke": {"pk": "api_client"},
    "reports:narrative_edit": {"provider_id": "narrative_provider", "year": lambda: [timezone.localdate().year, 1]},
    "responsibility:unit_detail": {"code": "unit"},
    "responsibility:region_edit": {"pk": "region"},
    "responsibility:board_edit": {"pk": "board"},
    "responsibility:provider_edit": {"pk": "provider"},
    "accounts:unit_access": {"code": "unit_admin"},
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


def _tables() -> runner.Tables:
    return runner.Tables(parameters=PARAMETERS, sources=_sources)


def instances(pattern: Pattern, user):
    """(kind, url) for a pattern and a user; raise LookupError when the pattern cannot be filled."""
    return runner.instances(pattern, user, _tables())


def crawl_role(role: str, user, patterns: list[Pattern], *, skip: set[str]) -> Crawl:
    """GET every page, then POST empty and invalid data to every URL, as ``user`` (None: anonymous)."""
    return runner.crawl_role(role, user, patterns, skip=skip, tables=_tables())
