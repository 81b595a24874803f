"""The resolver index kept across requests (responsibility/register_cache.py, issue 17).

It is keyed by the register's version, which database triggers raise on every write to what the index reads:
a ``QuerySet.update()`` or ``delete()`` (no signals) is seen by the very next report, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from incidents.models import Deviation
from responsibility import register_cache
from responsibility.choices import Role
from responsibility.models import Assignment, Person, RegisterVersion
from responsibility.register_cache import register_version
from responsibility.resolver import responsible_for
from tests.factories import category, unit, user


@pytest.fixture
def committed_register(live_demo):
    """The demo committed, the version row present (a flush of an earlier test removes it), no index cached."""
    RegisterVersion.objects.get_or_create(pk=1)
    register_cache.clear()
    yield
    register_cache.clear()


def _report(client) -> Deviation:
    """Submit a high-risk report (it goes to MAS/MAR) for hage-01 as the demo reporter; return it."""
    occurred = timezone.localtime() - timedelta(hours=3)
    data = {
        "unit": unit("hage-01").pk,
        "occurred_at": occurred.strftime("%Y-%m-%dT%H:%M"),
        "discovered_at": (occurred + timedelta(minutes=15)).strftime("%Y-%m-%dT%H:%M"),
        "category": category().pk,
        "event_kind": "occurred",
        "description": "Boende föll vid toaletten.",
        "consequence": "4",
        "probability": "4",
        "submit": "1",
    }
    assert client.post(reverse("incidents:deviation_create"), data).status_code == 302
    return Deviation.objects.filter(reporter__username="rapportor").order_by("-pk").first()


def _mas_assignment() -> Assignment:
    return responsible_for(unit=unit("hage-01"), role=Role.MAS, on=timezone.localdate()).assignment


def _another_nurse(than: Person) -> Person:
    return Person.objects.filter(municipality=than.municipality).exclude(pk=than.pk).order_by("pk").first()


@pytest.mark.django_db(transaction=True)
def test_a_second_report_is_routed_from_the_cached_index(client, committed_register):
    """The unit's register is read once; the next report on the same day reads only the version."""
    client.force_login(user("rapportor"))
    first = _report(client)
    with CaptureQueriesContext(connection) as ctx:
        second = _report(client)
    assert second.mas_person_id == first.mas_person_id == _mas_assignment().person_id
    assert not [q for q in ctx.captured_queries if "responsibility_unitoperatingperiod" in q["sql"]]


@pytest.mark.django_db(transaction=True)
def test_a_bulk_update_of_an_assignment_routes_the_next_report_to_the_new_holder(client, committed_register):
    """QuerySet.update() sends no signal; the trigger raises the version and the next report goes to the new MAS."""
    client.force_login(user("rapportor"))
    held = _mas_assignment()
    assert _report(client).mas_person_id == held.person_id
    successor = _another_nurse(held.person)
    before = register_version()
    Assignment.objects.filter(pk=held.pk).update(person=successor)
    assert register_version() > before
    assert _report(client).mas_person_id == successor.pk


@pytest.mark.django_db(transaction=True)
def test_a_deleted_assignment_is_not_answered_from_the_cache(client, committed_register):
    """After the MAS assignment is deleted the next report goes where the register now says (no cached answer)."""
    client.force_login(user("rapportor"))
    held = _mas_assignment()
    assert _report(client).mas_person_id == held.person_id
    Assignment.objects.filter(deputy_for=held).delete()  # her deputies go with her
    Assignment.objects.filter(pk=held.pk).delete()
    after = _report(client)
    now = responsible_for(unit=unit("hage-01"), role=Role.MAS, on=timezone.localdate())  # read afresh
    assert now.assignment != held
    if now.holder is not None:
        assert after.mas_person_id == now.holder.pk
    else:
        assert after.mas_unclear_reason


@pytest.mark.django_db(transaction=True)
def test_a_raw_update_of_a_login_and_a_rolled_back_change_are_handled(committed_register):
    """Raw SQL on a login's active flag raises the version; a rolled-back register change leaves it as it was;
    a login's last_login does not count."""
    version = register_version()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE auth_user SET last_login = %s", [timezone.now()])
    assert register_version() == version
    with connection.cursor() as cursor:
        cursor.execute("UPDATE auth_user SET is_active = is_active WHERE username = %s", ["mas"])
    assert register_version() > version
    version = register_version()
    with pytest.raises(RuntimeError):
        _rename_everyone_then_fail()
    assert register_version() == version


def _rename_everyone_then_fail() -> None:
    with transaction.atomic():
        Person.objects.update(first_name="X")
        raise RuntimeError


@pytest.mark.django_db
def test_a_transaction_that_wrote_the_register_reads_no_cached_index():
    """Inside a transaction that changed the register, the version it reads is its own (SQLite) or none
    (PostgreSQL), never one whose cached index predates the change."""
    before = register_version()
    Assignment.objects.filter(pk=_mas_assignment().pk).update(valid_from=timezone.localdate() - timedelta(days=1))
    after = register_version()
    assert after is None or after > before


@pytest.mark.django_db
def test_a_trigger_lost_to_a_table_rebuild_is_put_back_after_migrate():
    """SQLite drops a table's triggers when a migration rebuilds it; post_migrate installs them again."""
    from django.apps import apps

    from responsibility.register_triggers import reinstall_after_migrate

    quote = connection.ops.quote_name
    table = Assignment._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for suffix in ("register_written", "register_bump", "register_truncate"):
                cursor.execute(f"DROP TRIGGER {quote(f'{table}_{suffix}')} ON {quote(table)}")
        else:
            for event in ("insert", "update", "delete"):
                cursor.execute(f"DROP TRIGGER {quote(f'{table}_register_{event}')}")
    before = register_version()
    Assignment.objects.filter(pk=_mas_assignment().pk).update(basis="x")
    assert register_version() == before  # unwatched now
    reinstall_after_migrate(sender=None, apps=apps, plan=[], using=connection.alias)
    Assignment.objects.filter(pk=_mas_assignment().pk).update(basis="y")
    after = register_version()
    assert after is None or after > before


@pytest.mark.django_db(transaction=True)
def test_a_register_restored_to_an_earlier_version_never_reuses_a_later_number(committed_register):
    """A database put back to an earlier state (a backup, the suite's demo snapshot) carries an older version;
    its next register write must not get a number an index may have been cached under before the restore."""
    Assignment.objects.filter(pk=_mas_assignment().pk).update(basis="före återställning")
    issued = RegisterVersion.objects.get().version
    RegisterVersion.objects.update(version=1)  # the restored, older number
    Assignment.objects.filter(pk=_mas_assignment().pk).update(basis="efter återställning")
    assert RegisterVersion.objects.get().version > issued
