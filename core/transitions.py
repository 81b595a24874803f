"""The one state-transition helper of the portal (STYLE "Where logic lives").

Every state machine (deviations, Lex Maria cases, complaints, collaboration
deviations, follow-ups and their actions, generated reports, narratives) is a
:class:`Machine`: its model, one table of moves (:class:`Transition`: from which
states, to which state, by which actors) and the hooks that differ (how an
actor's parts are found, what entering a state sets, how the history row is
written). :meth:`Machine.move` is the one place that makes a move:

1. lock the row (:func:`lock`: ``select_for_update`` of the row itself);
2. check the actor may make the move (else ``PermissionDenied``);
3. check the version the form was shown with (else :class:`StaleError`);
4. return early when the move is already done (running it twice is harmless);
5. check the move is in the table from the current state (else :class:`TransitionError`);
6. apply the move's fields, set the state, bump the version, save with ``update_fields``;
7. write the transition row with actor and reason (same transaction);
8. queue side effects that must not run for a rolled-back move with ``transaction.on_commit``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Transition:
    """A move: from which states, to which state (None: computed by the move), by which actors (and directions)."""

    sources: tuple[str, ...]
    target: str | None
    actors: tuple[str, ...] = ()
    directions: tuple[str, ...] = ()


class TransitionError(ValidationError):
    """A move the table does not allow from the object's state (message in the user's language)."""


class StaleError(ValidationError):
    """Someone else changed the object since the form was shown."""


def stale_message() -> str:
    return _(
        "Someone else changed this case while you were working on it. "
        "Reload the page to see the change, then try again."
    )


def lock(queryset: models.QuerySet, pk: int):
    """The row ``pk`` of ``queryset``, locked to the end of the transaction (the one locking style).

    ``of=("self",)`` locks only the row itself, so nullable ``select_related`` joins are allowed on
    PostgreSQL; databases without row locks (SQLite) serialise writers anyway.
    """
    return queryset.select_for_update(of=("self",)).get(pk=pk)


def _label(choices: type[models.TextChoices] | None, value: str) -> str:
    if choices is None:
        return str(value)
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


@dataclass(frozen=True)
class Machine:
    """One kind of stateful object: its model, its table of moves and the hooks where kinds differ.

    - ``kinds(user=, obj=)``: the parts the actor plays on ``obj`` (checked against ``Transition.actors``);
      None means the table names no actors and the service authorises before moving.
    - ``record(obj, move=, from_state=, to_state=, actor=, reason=)``: write the transition row (None: no row).
    - ``enter(obj, now)``: fields to set once the new state is in place (deadline, closed_at); their names.
    - ``refused(move_label, state_label)``/``denied()``/``stale()``: the messages of the three refusals.
    - ``replay_ok``: a move already done returns quietly even when sent with an older version (an old form
      sent again); otherwise the version is checked first, so of two users sending the same move from the
      same version one gets the stale error and sees that the other's move won.
    """

    model: type[models.Model]
    table: Mapping[str, Transition]
    state_labels: type[models.TextChoices] | None = None
    move_labels: type[models.TextChoices] | None = None
    kinds: Callable[..., frozenset[str]] | None = None
    record: Callable[..., Any] | None = None
    enter: Callable[[Any, datetime], list[str]] | None = None
    select_related: tuple[str, ...] = ()
    versioned: bool = True
    touch: tuple[str, ...] = ("updated_at",)
    refused: Callable[[str, str], str] | None = None
    denied: Callable[[], str] | None = None
    stale: Callable[[], str] = field(default=stale_message)
    replay_ok: bool = False

    # --- reading the table ---------------------------------------------------------------------

    def allowed(self, *, obj, move: str, kinds: Collection[str]) -> bool:
        """Whether ``move`` is possible on ``obj`` now for an actor playing ``kinds``."""
        t = self.table[move]
        return (
            obj.state in t.sources
            and (not t.actors or bool(set(kinds) & set(t.actors)))
            and (not t.directions or getattr(obj, "direction", None) in t.directions)
        )

    def moves_for(self, *, obj, kinds: Collection[str]) -> list[str]:
        """The moves an actor playing ``kinds`` may make on ``obj`` now (for showing buttons)."""
        return [move for move in self.table if self.allowed(obj=obj, move=move, kinds=kinds)]

    def lock(self, pk: int):
        return lock(self.model.objects.select_related(*self.select_related), pk)

    # --- refusals ------------------------------------------------------------------------------

    def _deny(self) -> PermissionDenied:
        return PermissionDenied(self.denied() if self.denied else _("You may not do this on this case."))

    def _refuse(self, move: str, state: str) -> TransitionError:
        move_label, state_label = _label(self.move_labels, move), _label(self.state_labels, state)
        if self.refused is not None:
            return TransitionError(self.refused(move_label, state_label))
        return TransitionError(
            _("“%(move)s” is not possible when the case is “%(state)s”.") % {"move": move_label, "state": state_label}
        )

    def authorise(self, obj, *, actor, actors: Collection[str]) -> None:
        """Raise ``PermissionDenied`` unless ``actor`` plays one of ``actors`` on ``obj``."""
        if self.kinds is not None and actors and not (self.kinds(user=actor, obj=obj) & set(actors)):
            raise self._deny()

    def check_version(self, obj, version: int | None) -> None:
        if self.versioned and version is not None and obj.version != version:
            raise StaleError(self.stale())

    # --- moving --------------------------------------------------------------------------------

    def move(
        self,
        obj,
        *,
        move: str,
        actor,
        version: int | None = None,
        reason: str | Callable[[], str] = "",
        apply: Callable[[Any], list[str]] | None = None,
        actors: Collection[str] | None = None,
        done: Callable[[Any], bool] | None = None,
        check: Callable[[Any], None] | None = None,
        on_commit: Callable[[Any], None] | None = None,
        authorise: Callable[[Any], None] | None = None,
        target: str | Callable[[Any], str] | None = None,
        robust: bool = False,
    ):
        """Make ``move`` on ``obj`` as ``actor`` (steps 1–8 of the module docstring); return the locked object.

        Per call: ``actors`` overrides the table's (a step whose actors depend on the case), ``done`` replaces
        "already in the target state", ``check`` refuses more (raise :class:`TransitionError`),
        ``authorise`` replaces the table's actor check (raise ``PermissionDenied``), ``apply`` sets the move's
        own fields and returns their names, ``on_commit`` runs after the transaction commits (``robust``: its
        failure is logged, not raised), ``target`` computes the new state where the table's is None.
        """
        transition = self.table[move]
        with transaction.atomic():
            locked = self.lock(obj.pk)
            if authorise is not None:
                authorise(locked)
            else:
                self.authorise(locked, actor=actor, actors=transition.actors if actors is None else actors)
            if not self.replay_ok:
                self.check_version(locked, version)
            if done is not None:
                if done(locked):
                    return locked
            elif locked.state == transition.target and locked.state not in transition.sources:
                return locked  # already there: running it twice is harmless
            if self.replay_ok:
                self.check_version(locked, version)
            if transition.directions and getattr(locked, "direction", None) not in transition.directions:
                raise TransitionError(
                    _("“%(move)s” is not possible for this direction.") % {"move": _label(self.move_labels, move)}
                )
            if locked.state not in transition.sources:
                raise self._refuse(move, locked.state)
            if check is not None:
                check(locked)
            self.advance(locked, move=move, actor=actor, reason=reason, apply=apply, target=target)
            if on_commit is not None:
                transaction.on_commit(lambda: on_commit(locked), robust=robust)
        return locked

    def advance(
        self,
        locked,
        *,
        move: str,
        actor,
        reason: str | Callable[[], str] = "",
        apply: Callable[[Any], list[str]] | None = None,
        target: str | Callable[[Any], str] | None = None,
    ):
        """Steps 6–7 on a row the caller has locked and checked: apply, set state, save, record."""
        transition = self.table[move]
        from_state = locked.state
        fields = list(apply(locked)) if apply is not None else []
        to_state = target if target is not None else transition.target
        locked.state = to_state(locked) if callable(to_state) else to_state
        fields.append("state")
        if self.versioned:
            locked.version += 1
            fields.append("version")
        if self.enter is not None:
            fields += self.enter(locked, timezone.now())
        fields += [f for f in self.touch if f not in fields]
        locked.save(update_fields=list(dict.fromkeys(fields)))
        if self.record is not None:
            text = reason() if callable(reason) else reason
            self.record(
                locked,
                move=move,
                from_state=from_state,
                to_state=locked.state,
                actor=actor,
                reason=text or (_label(self.move_labels, move) if self.move_labels else ""),
            )
        return locked

    def edit(
        self,
        obj,
        *,
        actor,
        version: int | None,
        actors: Collection[str],
        states: Collection[str],
        apply: Callable[[Any], list[str]],
        refused: Callable[[str], str] | None = None,
    ):
        """Change fields of ``obj`` without moving it (same lock, actor, state and version checks)."""
        with transaction.atomic():
            locked = self.lock(obj.pk)
            self.authorise(locked, actor=actor, actors=actors)
            if locked.state not in states:
                state_label = _label(self.state_labels, locked.state)
                raise TransitionError(
                    refused(state_label)
                    if refused is not None
                    else _("This cannot be changed when the case is “%(state)s”.") % {"state": state_label}
                )
            self.check_version(locked, version)
            fields = list(apply(locked))
            if self.versioned:
                locked.version += 1
                fields.append("version")
            locked.save(update_fields=list(dict.fromkeys([*fields, *self.touch])))
        return locked


def transition_row(
    model: type[models.Model], case_field: str, *, step_field: str | None = None, at_field: str | None = None
) -> Callable[..., models.Model]:
    """A ``record`` hook writing one row of ``model`` (from_state, to_state, actor, reason) for the object."""

    def record(obj, *, move: str, from_state: str, to_state: str, actor, reason: str):
        values = {case_field: obj, "from_state": from_state, "to_state": to_state, "actor": actor, "reason": reason}
        if step_field:
            values[step_field] = move
        if at_field:
            values[at_field] = timezone.now()
        return model.objects.create(**values)

    return record


def deadline_and_closing(
    due_for: Callable[[Any, datetime], datetime | None], closed_states: Collection[str]
) -> Callable[[Any, datetime], list[str]]:
    """An ``enter`` hook: the new state's deadline (``due_at``), and ``closed_at`` on entering a closed state."""

    def enter(obj, now: datetime) -> list[str]:
        obj.due_at = due_for(obj, now)
        fields = ["due_at"]
        if obj.state in closed_states:
            obj.closed_at = now
            fields.append("closed_at")
        return fields

    return enter
