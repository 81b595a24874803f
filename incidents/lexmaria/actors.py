"""Who plays which part on a Lex Maria case, and who is told once a step is done (SPEC §5)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

from django.conf import settings
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.services import notify
from incidents.lexmaria.models import LexMariaCase
from incidents.lexmaria.routing import event_date
from incidents.lexmaria.steps import INFORMED_AFTER, NOT_APPLICABLE, Actor, Step, actors_for, open_steps
from responsibility.choices import OperatingForm, Role
from responsibility.models import Assignment, Board, Person, Unit
from responsibility.permissions import register_admin_users
from responsibility.resolver import responsible_for
from responsibility.scope import covering_unit_q, unit_or_provider_q
from responsibility.tenancy import person_of


def operations_manager(*, case: LexMariaCase) -> Person | None:
    """The unit's verksamhetschef on the event date (appoints the analysis leader)."""
    deviation = case.deviation
    unit = Unit.objects.select_related("board", "board__region").get(pk=deviation.unit_id)
    return responsible_for(unit=unit, role=Role.OPERATIONS_MANAGER, on=event_date(deviation)).holder


def _case_boards(case: LexMariaCase) -> list[int]:
    return [b for b in (case.board_id, case.purchasing_board_id) if b]


def board_official_users(*, case: LexMariaCase, on: date | None = None) -> list:
    """Users who are board officials of the case's boards (or their region) today."""
    on = on or timezone.localdate()
    boards = Board.objects.filter(pk__in=_case_boards(case))
    region_ids = [r for r in boards.values_list("region_id", flat=True) if r]
    people = Person.objects.filter(
        Q(assignments__board_id__in=_case_boards(case)) | Q(assignments__region_id__in=region_ids),
        Assignment.active_q(on, prefix="assignments__"),
        assignments__role=Role.BOARD_OFFICIAL,
        user__isnull=False,
    )
    return [p.user for p in people.select_related("user").distinct()]


# Who may lead a case's event analysis (appointed by the verksamhetschef, SPEC §5 step 3; HSLF-FS 2017:40):
# the managers, the MAS/MAR, the Lex Maria reporter and the quality auditors of the vårdgivare; not the
# board's officials nor staff without such a role.
ANALYSIS_LEADER_ROLES = (
    Role.OPERATIONS_MANAGER,
    Role.UNIT_MANAGER,
    Role.MAS,
    Role.MAR,
    Role.LEX_MARIA_REPORTER,
    Role.QUALITY_AUDITOR,
)


def _vardgivare_people(case: LexMariaCase, *, roles: Iterable[str] | None = None):
    """People with an assignment today in the business that runs the case's unit: the unit's own or its care
    provider's; in egen regi (the municipality is the vårdgivare) also its board's and region's. Never another
    vårdgivare's people (a contractor's or private provider's case is analysed in its own business)."""
    unit = Unit.objects.select_related("board").get(pk=case.deviation.unit_id)
    where = covering_unit_q(unit) if unit.operating_form == OperatingForm.OWN else unit_or_provider_q(unit)
    assignments = Assignment.objects.active_on(timezone.localdate()).filter(where)
    if roles is not None:
        assignments = assignments.filter(role__in=list(roles))
    return Person.objects.filter(
        municipality_id=case.deviation.municipality_id, pk__in=assignments.values("person_id")
    ).order_by("last_name", "first_name", "pk")


def analysis_leaders_for(case: LexMariaCase):
    """The people who may lead ``case``'s event analysis (the analysis form's choices and its picker's)."""
    return _vardgivare_people(case, roles=ANALYSIS_LEADER_ROLES)


def action_owners_for(case: LexMariaCase):
    """The people who may own an action of ``case``'s event analysis: anyone working in the unit's business."""
    return _vardgivare_people(case)


def actor_kinds(*, user, case: LexMariaCase) -> frozenset[str]:
    """Which parts of ``case``'s chain ``user`` plays."""
    if not user.is_authenticated:
        return frozenset()
    person = person_of(user)
    kinds = set()
    if person is not None:
        if case.reporter_person_id == person.pk:
            kinds.add(Actor.REPORTER)
        if case.board_mas_id == person.pk:
            kinds.add(Actor.BOARD_MAS)
        vc = operations_manager(case=case)
        if vc is not None and vc.pk == person.pk:
            kinds.add(Actor.OPERATIONS_MANAGER)
    if any(u.pk == user.pk for u in board_official_users(case=case)):
        kinds.add(Actor.BOARD_OFFICIAL)
    return frozenset(kinds)


def may_take(*, user, case: LexMariaCase, step: str, kinds: frozenset[str] | None = None) -> bool:
    kinds = actor_kinds(user=user, case=case) if kinds is None else kinds
    return bool(kinds & set(actors_for(case=case, step=step)))


def owner_users(case: LexMariaCase) -> list:
    """Who holds a case nobody could be resolved to report: the fallback, else the register admins."""
    if case.fallback_person_id:
        return [case.fallback_person.user] if case.fallback_person.user_id else []
    return register_admin_users(municipality_id=case.deviation.municipality_id)


def users_of(
    case: LexMariaCase,
    actors: Iterable[str],
    *,
    stored_routing: bool = False,
    officials: Callable[[LexMariaCase], list] | None = None,
) -> list:
    """The users who play ``actors`` on ``case``.

    ``stored_routing`` reads the verksamhetschef stored with the deviation's routing (reminder jobs: no
    register look-up per case) where it is stored; ``officials`` gives the board officials of a case
    (a job passes one that remembers them per board).
    """
    users = []
    for actor in actors:
        if actor == Actor.REPORTER and case.reporter_person_id:
            users.append(case.reporter_person.user)
        elif actor == Actor.REPORTER and case.owner_unclear_reason:
            users.extend(owner_users(case))
        elif actor == Actor.BOARD_MAS and case.board_mas_id:
            users.append(case.board_mas.user)
        elif actor == Actor.OPERATIONS_MANAGER:
            if stored_routing and case.deviation.routed_at is not None:
                vc = case.deviation.operations_manager
            else:
                vc = operations_manager(case=case)
            users.append(vc.user if vc else None)
        elif actor == Actor.BOARD_OFFICIAL:
            users.extend(officials(case) if officials is not None else board_official_users(case=case))
    return [u for u in users if u is not None]


def recipients_after(*, case: LexMariaCase, done: str, actor_user=None) -> list:
    """Who is told once ``done`` happened: whoever takes an open step, and those to be informed."""
    actors = []
    for step in open_steps(case):
        actors += [a for a in actors_for(case=case, step=step) if a not in actors]
    actors += [a for a in INFORMED_AFTER.get(done, ()) if a not in actors]
    users = {u.pk: u for u in users_of(case, actors)}
    if actor_user is not None:
        users.pop(actor_user.pk, None)
    return list(users.values())


NOTIFY_SUBJECTS = {
    "open": gettext_lazy("Lex Maria %(reference)s: a case has been opened"),
    Step.INFORM_PATIENT: gettext_lazy("Lex Maria %(reference)s: the patient has been informed"),
    Step.ANALYSE: gettext_lazy("Lex Maria %(reference)s: the event analysis is done"),
    Step.FORWARD: gettext_lazy("Lex Maria %(reference)s: forwarded by the board's MAS"),
    Step.INFORM_BOARD: gettext_lazy("Lex Maria %(reference)s: the board has been informed"),
    Step.REPORT_TO_IVO: gettext_lazy("Lex Maria %(reference)s: reported to IVO"),
    Step.SEND_INVESTIGATION: gettext_lazy("Lex Maria %(reference)s: the investigation has been sent to IVO"),
    Step.IVO_DECISION: gettext_lazy("Lex Maria %(reference)s: IVO's decision received"),
    Step.CLOSE: gettext_lazy("Lex Maria %(reference)s: closed"),
    NOT_APPLICABLE: gettext_lazy("Lex Maria %(reference)s: a step was marked not applicable"),
    "rerouted": gettext_lazy("Lex Maria %(reference)s: the case has been routed to its reporter"),
}


def next_move_text(case: LexMariaCase) -> str:
    """'Open steps: <step> (<who>); …' without patient data."""
    steps = open_steps(case)
    if not steps:
        return _("The case is closed.")
    parts = [
        _("%(step)s, by %(who)s")
        % {"step": Step(step).label, "who": ", ".join(str(Actor(a).label) for a in actors_for(case=case, step=step))}
        for step in steps
    ]
    return _("Open steps: %(steps)s.") % {"steps": "; ".join(parts)}


def notify_chain(case: LexMariaCase, *, done: str, actor_user=None, key: str | None = None) -> int:
    """Tell the chain that ``done`` happened on ``case`` (once per case and ``key``)."""
    with translation.override(settings.LANGUAGE_CODE):
        subject = str(NOTIFY_SUBJECTS[done]) % {"reference": case.reference}
        body = next_move_text(case)
    return notify(
        recipients=recipients_after(case=case, done=done, actor_user=actor_user),
        kind="lex_maria",
        subject=subject,
        body=body,
        link=case.get_absolute_url(),
        dedupe_key=f"lexmaria:{case.pk}:{key or done}",
    )
