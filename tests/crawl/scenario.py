"""Real-shaped data for the crawl: the demo after people left, one was erased, and the jobs ran.

- a nurse who acted on cases (transitions, assessments, a Lex Maria decision,
  follow-up actions) has been deactivated: their name must stay on all of it;
- another one has been erased (GDPR): the same rows must say "Borttagen användare";
- some actors are simply NULL (what a plain delete used to leave): "Systemet";
- the scheduled jobs have run for today (job-made transitions, reminders, follow-ups);
- a second municipality exists with its own admin, units, contracts, deviations, Lex Maria cases,
  a complaint and follow-ups (tests/crawl/other_municipality.py): every role meets its objects
  among the foreign ones.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model

from core.users import user_deactivate, user_erase
from tests.crawl import other_municipality


@dataclass
class Scenario:
    """What the scenario did, for the assertions that name it."""

    former_name: str
    deviation_ids: set[int]
    lex_maria_ids: set[int]
    action_ids: set[int]


def _take(qs, n: int) -> list[int]:
    return list(qs.order_by("pk").values_list("pk", flat=True)[:n])


def prepare() -> Scenario:
    """Change the loaded demo into the shape above (inside the caller's transaction)."""
    from core.scheduling import run_scheduled_jobs
    from followup.models import Action, ActionTransition
    from incidents.lexmaria.models import LexMariaCase, LexMariaTransition
    from incidents.models import Deviation, DeviationTransition, PatientDataAccess
    from reports.models import GeneratedReport

    other_municipality.build()
    run_scheduled_jobs()
    # An integration's API client (the register admin's list and its revoke button).
    from api.choices import ApiScope
    from api.services import api_client_create
    from responsibility.models import Municipality

    api_client_create(
        municipality=Municipality.objects.get(code="stockholm"), name="Crawl-klient", scopes=[ApiScope.values[0]]
    )
    # An e-mail that could not be delivered after every attempt (the register admin's list).
    from core.models import Notification

    Notification.objects.filter(pk__in=_take(Notification.objects.all(), 1)).update(
        email_status=Notification.EmailStatus.FAILED, email_attempts=5
    )
    users = get_user_model().objects
    former = users.create_user("tidigare-sjukskoterska", first_name="Tove", last_name="Tidigare")
    erased = users.create_user("raderad-sjukskoterska", first_name="Rut", last_name="Raderad")
    deviations: set[int] = set()
    cases: set[int] = set()
    actions: set[int] = set()
    for who, offset in ((former, 0), (erased, 4)):
        ids = _take(DeviationTransition.objects.exclude(actor=None), 8)[offset : offset + 4]
        DeviationTransition.objects.filter(pk__in=ids).update(actor=who)
        deviations |= set(DeviationTransition.objects.filter(pk__in=ids).values_list("deviation_id", flat=True))
        ids = _take(Deviation.objects.exclude(assessor=None), 4)[offset // 2 : offset // 2 + 2]
        Deviation.objects.filter(pk__in=ids).update(assessor=who, investigator=who)
        deviations |= set(ids)
        ids = _take(LexMariaTransition.objects.exclude(actor=None), 4)[offset // 2 : offset // 2 + 2]
        LexMariaTransition.objects.filter(pk__in=ids).update(actor=who)
        cases |= set(LexMariaTransition.objects.filter(pk__in=ids).values_list("case_id", flat=True))
        ids = _take(LexMariaCase.objects.exclude(decided_by=None), 2)[offset // 4 : offset // 4 + 1]
        LexMariaCase.objects.filter(pk__in=ids).update(decided_by=who)
        cases |= set(ids)
        ids = _take(ActionTransition.objects.exclude(actor=None), 4)[offset // 2 : offset // 2 + 2]
        ActionTransition.objects.filter(pk__in=ids).update(actor=who)
        actions |= set(ActionTransition.objects.filter(pk__in=ids).values_list("action_id", flat=True))
        ids = _take(Action.objects.exclude(verified_by=None), 2)[offset // 4 : offset // 4 + 1]
        Action.objects.filter(pk__in=ids).update(verified_by=who)
        actions |= set(ids)
    PatientDataAccess.objects.filter(pk__in=_take(PatientDataAccess.objects.all(), 2)).update(user=erased)
    GeneratedReport.objects.filter(pk__in=_take(GeneratedReport.objects.all(), 1)).update(requested_by=erased)
    # What a plain delete used to leave: NULL where a person acted.
    nulled = _take(Deviation.objects.exclude(assessor=None).exclude(pk__in=deviations), 1)
    Deviation.objects.filter(pk__in=nulled).update(assessor=None)
    deviations |= set(nulled)
    # Deviations whose history a job wrote (NULL actor), one per state.
    for state in Deviation.objects.values_list("state", flat=True).distinct():
        deviations |= set(_take(Deviation.objects.filter(state=state, transitions__actor=None).distinct(), 1))
    user_deactivate(user=former)
    user_erase(user=erased)
    return Scenario(former_name="Tove Tidigare", deviation_ids=deviations, lex_maria_ids=cases, action_ids=actions)
