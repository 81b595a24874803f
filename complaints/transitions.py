"""The state-machine helper of complaints and collaboration deviations.

Same shape as the deviation workflow's: one table of moves (sources, target,
who may make it), one function that locks the row (``select_for_update``),
checks the table, the actor and the version, returns early when the case is
already where the move leads (running it twice is harmless), applies the
move's fields, saves with ``update_fields`` and records actor and reason in
the transition table in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Transition:
    """A move: from which states, to which state, by which actors (and for which direction, if any)."""

    sources: tuple[str, ...]
    target: str
    actors: tuple[str, ...]
    directions: tuple[str, ...] = ()


class TransitionError(ValidationError):
    """A move the table does not allow from the case's state."""


class StaleError(ValidationError):
    """Someone else changed the case since the form was shown."""


def stale_message() -> str:
    return _(
        "Someone else changed this case while you were working on it. "
        "Reload the page to see the change, then try again."
    )


@dataclass(frozen=True)
class Machine:
    """One kind of case: its model, transition model, states, table and the functions that read it."""

    model: type[models.Model]
    transition_model: type[models.Model]
    case_field: str
    state_labels: type[models.TextChoices]
    move_labels: type[models.TextChoices]
    table: dict[str, Transition]
    closed_states: tuple[str, ...]
    kinds: Callable[..., frozenset[str]]
    due_for: Callable[[models.Model], datetime | None]
    select_related: tuple[str, ...] = ()


def allowed(machine: Machine, *, case, move: str, kinds: frozenset[str]) -> bool:
    """Whether ``move`` is possible on ``case`` now for a user playing ``kinds``."""
    t = machine.table[move]
    return (
        case.state in t.sources
        and bool(kinds & set(t.actors))
        and (not t.directions or getattr(case, "direction", None) in t.directions)
    )


def moves_for(machine: Machine, *, case, kinds: frozenset[str]) -> list[str]:
    """The moves a user playing ``kinds`` may make on ``case`` now (for showing buttons)."""
    return [move for move in machine.table if allowed(machine, case=case, move=move, kinds=kinds)]


def make_move(
    machine: Machine,
    *,
    case,
    move: str,
    user,
    version: int | None,
    reason: str = "",
    apply: Callable[[models.Model], list[str]] | None = None,
):
    """Make ``move`` on ``case`` as ``user``: lock, check table, actor and version, apply, record."""
    transition = machine.table[move]
    with transaction.atomic():
        locked = machine.model.objects.select_for_update().select_related(*machine.select_related).get(pk=case.pk)
        kinds = machine.kinds(user=user, case=locked)
        if not kinds & set(transition.actors):
            raise PermissionDenied(_("You may not do this on this case."))
        if version is not None and locked.version != version:
            raise StaleError(stale_message())
        if transition.directions and locked.direction not in transition.directions:
            raise TransitionError(
                _("“%(move)s” is not possible for this direction.") % {"move": machine.move_labels(move).label}
            )
        if locked.state == transition.target and locked.state not in transition.sources:
            return locked  # already there: running it twice is harmless
        if locked.state not in transition.sources:
            raise TransitionError(
                _("“%(move)s” is not possible when the case is “%(state)s”.")
                % {"move": machine.move_labels(move).label, "state": machine.state_labels(locked.state).label}
            )
        from_state = locked.state
        fields = apply(locked) if apply is not None else []
        locked.state = transition.target
        locked.version += 1
        locked.due_at = machine.due_for(locked)
        fields += ["state", "version", "due_at", "updated_at"]
        if transition.target in machine.closed_states:
            locked.closed_at = timezone.now()
            fields.append("closed_at")
        locked.save(update_fields=list(dict.fromkeys(fields)))
        machine.transition_model.objects.create(
            **{machine.case_field: locked},
            from_state=from_state,
            to_state=transition.target,
            actor=user,
            reason=reason or str(machine.move_labels(move).label),
        )
    return locked


def edit_locked(
    machine: Machine,
    *,
    case,
    user,
    version: int | None,
    actors: tuple[str, ...],
    states: tuple[str, ...],
    apply: Callable[[models.Model], list[str]],
):
    """Change fields of ``case`` without moving it (same lock, actor, state and version checks)."""
    with transaction.atomic():
        locked = machine.model.objects.select_for_update().select_related(*machine.select_related).get(pk=case.pk)
        if not machine.kinds(user=user, case=locked) & set(actors):
            raise PermissionDenied(_("You may not do this on this case."))
        if locked.state not in states:
            raise TransitionError(
                _("This cannot be changed when the case is “%(state)s”.")
                % {"state": machine.state_labels(locked.state).label}
            )
        if version is not None and locked.version != version:
            raise StaleError(stale_message())
        fields = apply(locked)
        locked.version += 1
        locked.save(update_fields=list(dict.fromkeys([*fields, "version", "updated_at"])))
    return locked
