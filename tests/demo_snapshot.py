"""The demo as loaded once per test database, put back in a few statements instead of running ``load_demo`` again.

A transactional test flushes every table when it ends (and the flush's ``post_migrate`` creates the content
types, permissions and guardian's anonymous user again). ``live_demo`` then needs the demo municipality back:
``load_demo`` costs seconds of ORM work per test; restoring a copy of the rows costs one statement per table.
``take`` copies every non-empty table right after ``migrate`` + ``load_demo`` (PostgreSQL: into a schema of its
own in the test database, outside the search path, so Django never sees it; SQLite: into a database file next to
the test database, attached while copying). ``restore`` empties every table and copies the rows back in one
transaction, ids included, so a test starts from exactly the rows ``load_demo`` wrote. Sequences are left as
they are (as the flush leaves them): rows a test creates get ids that no earlier test used.

The demo depends on the date (``load_demo`` builds it around today): a snapshot taken on another day is not
restored; the demo is loaded again and a new snapshot taken.
"""

from __future__ import annotations

import contextlib
import os

from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

SCHEMA = "demo_snapshot"


class DemoSnapshot:
    """A copy of the demo's rows in this process's test database (one per pytest-xdist worker)."""

    def __init__(self) -> None:
        self.day = None
        self.columns: dict[str, str] = {}  # table → its quoted columns, for the tables that had rows

    def take(self) -> None:
        """Copy every table that has rows now (call right after ``load_demo``)."""
        qn = connection.ops.quote_name
        self.columns = {}
        if connection.vendor == "sqlite":
            _remove_sqlite_file()
        with _attached(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
                cursor.execute(f"CREATE SCHEMA {SCHEMA}")
            for table in sorted(_tables()):
                cursor.execute(f"SELECT * FROM {qn(table)} LIMIT 1")  # noqa: S608 (a table name from introspection)
                if cursor.fetchone() is None:
                    continue
                self.columns[table] = ", ".join(qn(col[0]) for col in cursor.description)
                cursor.execute(f"CREATE TABLE {SCHEMA}.{qn(table)} AS SELECT * FROM {qn(table)}")  # noqa: S608
        self.day = timezone.localdate()

    def restore(self) -> None:
        """Empty every table and copy the demo's rows back, in one transaction."""
        if self.day != timezone.localdate():
            call_command("load_demo", verbosity=0)
            self.take()
            return
        qn = connection.ops.quote_name
        with _attached(), transaction.atomic(), connection.cursor() as cursor:
            for sql in connection.ops.sql_flush(no_style(), _tables()):
                cursor.execute(sql)
            for table, cols in self.columns.items():
                cursor.execute(f"INSERT INTO {qn(table)} ({cols}) SELECT {cols} FROM {SCHEMA}.{qn(table)}")  # noqa: S608
        # The flush's post_migrate cached the content types it created; the restored ones have the demo's ids.
        from django.contrib.contenttypes.models import ContentType

        ContentType.objects.clear_cache()

    def drop(self) -> None:
        """Remove the SQLite file (PostgreSQL's schema goes with the test database)."""
        if connection.vendor == "sqlite":
            _remove_sqlite_file()


def _tables() -> list[str]:
    return connection.introspection.django_table_names(only_existing=True, include_views=False)


def _sqlite_path() -> str:
    return f"{connection.settings_dict['NAME']}.{SCHEMA}"


@contextlib.contextmanager
def _attached():
    """On SQLite, the snapshot's file attached to the connection as ``SCHEMA`` meanwhile."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(f"ATTACH DATABASE %s AS {SCHEMA}", [_sqlite_path()])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DETACH DATABASE {SCHEMA}")


def _remove_sqlite_file() -> None:
    for suffix in ("", "-journal", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.remove(_sqlite_path() + suffix)
