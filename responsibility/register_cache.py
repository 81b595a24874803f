"""A resolver index per unit and date, kept across requests and keyed by the register's version.

The version is raised by database triggers on every write to what the index reads
(:class:`~responsibility.models.RegisterVersion`, migration ``0007_register_version``): services, imports,
``QuerySet.update()``, raw SQL and the admin alike. A request reads the version in one statement and uses the
index built for that version, or builds it; so an answer is never older than the register it is asked of.

An index enters the cache only once what it was built from is committed (``on_commit``, outside any
transaction): never from a transaction that may still roll back (its version number would be given again to
another change). A transaction that has written the register itself reads no cached index (PostgreSQL: the
triggers mark it; SQLite raises the version at once). Without the version row (a database without the
triggers, or emptied by a flush) nothing is cached.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import date

from django.conf import settings
from django.db import connections, transaction

from responsibility.models import RegisterVersion, Unit

_PG_VERSION = "SELECT version, current_setting('masportal.register_written', true) FROM {table}"
_VERSION = "SELECT version, NULL FROM {table}"


def register_version(*, using: str = "default") -> int | None:
    """The register's version for this request (one statement), or None when no cached index may be used."""
    connection = connections[using]
    table = connection.ops.quote_name(RegisterVersion._meta.db_table)
    sql = _PG_VERSION if connection.vendor == "postgresql" else _VERSION
    with connection.cursor() as cursor:
        cursor.execute(sql.format(table=table))
        rows = cursor.fetchall()
    if len(rows) != 1 or rows[0][1] == "on":
        return None
    return rows[0][0]


class _Cache:
    """A bounded LRU of built indexes, shared by the threads of a process."""

    def __init__(self):
        self._items: OrderedDict[tuple, object] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple):
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: tuple, value) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > settings.REGISTER_CACHE_SIZE:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


_INDEXES = _Cache()


def unit_index(*, unit: Unit, on: date, kind: str, build: Callable[[], object], using: str = "default"):
    """The index ``build()`` makes for ``unit`` on ``on`` (``kind`` names how it is built), from the cache when
    one was built for the register's current version."""
    version = register_version(using=using)
    if version is None:
        return build()
    key = (using, kind, unit.municipality_id, unit.pk, on, version)
    index = _INDEXES.get(key)
    if index is not None:
        return index
    index = build()
    connection = connections[using]

    def keep() -> None:
        if not connection.in_atomic_block:  # committed (not a test's transaction that will roll back)
            _INDEXES.put(key, index)

    transaction.on_commit(keep, using=using)
    return index


def clear() -> None:
    """Forget every cached index of this process."""
    _INDEXES.clear()
