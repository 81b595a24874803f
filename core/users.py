"""Who did it: the one display rule for an acting user, deactivation and GDPR erasure.

Users are never deleted in normal operation: deactivating a user removes their
access and keeps their name on everything they did. A GDPR erasure removes the
user's row; everything that pointed at it is moved to one marker account (the
"erased user"), so pages can tell an erased person ("Borttagen användare") from
work done by a scheduled job or an import (NULL actor: "Systemet").
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.utils.translation import gettext as _

# The marker account that stands in for every erased user (never active, no password).
ERASED_USERNAME = "borttagen-anvandare"


def active_users(users: Iterable) -> list:
    """The active users among ``users``, each once, in their order (None left out): whom a notice may reach."""
    return [u for u in {u.pk: u for u in users if u is not None}.values() if u.is_active]


def logins_of(people: Iterable) -> list:
    """The active logins of ``people`` (None, and people without a login, left out), read in one query."""
    people = [p for p in people if p is not None and p.user_id is not None]
    load_logins(people)
    return [p.user for p in people if p.user.is_active]


def load_logins(people: Iterable) -> None:
    """Read the logins of ``people`` not loaded yet in one query (none when all are)."""
    missing = [p for p in people if p is not None and p.user_id is not None and not type(p).user.is_cached(p)]
    if missing:
        models.prefetch_related_objects(missing, "user")


def actor_display(user) -> str:
    """Return how an acting user is shown: full name, else username; "Systemet" or "Borttagen användare"."""
    if user is None or user == "":
        return _("System")
    if getattr(user, "username", None) == ERASED_USERNAME:
        return _("Removed user")
    full_name = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return full_name or user.get_username()


def erased_user():
    """Return the marker account standing in for erased users (created on first use)."""
    user, created = get_user_model().objects.get_or_create(
        username=ERASED_USERNAME, defaults={"is_active": False, "first_name": "", "last_name": ""}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def user_deactivate(*, user) -> None:
    """Remove a user's access; their name stays on everything they did."""
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])


@transaction.atomic
def user_erase(*, user) -> int:
    """Erase a user (GDPR): point every reference at the marker account, then delete the row.

    Return the number of rows moved. Rows that exist only for the user
    (cascading ones, e.g. their notifications) are deleted with them.
    """
    marker = erased_user()
    if user.pk == marker.pk:
        return 0
    moved = 0
    for relation in get_user_model()._meta.get_fields(include_hidden=True):
        if not relation.auto_created or relation.concrete or relation.many_to_many:
            continue
        field = relation.field
        if not isinstance(field, models.ForeignKey):
            continue
        if field.remote_field.on_delete is models.CASCADE:
            continue
        # A one-to-one link (a register person's login) is cut, not moved: the marker is nobody.
        target = None if field.unique else marker
        moved += relation.related_model._base_manager.filter(**{field.name: user}).update(**{field.name: target})
    user.delete()
    return moved
