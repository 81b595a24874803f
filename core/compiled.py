"""Querysets compiled to SQL once per process and run again with other values.

Building a statement costs the ORM about a millisecond of CPU (query, joins, compiler), its execution
on an indexed lookup a tenth of that. The few statements every request runs (the navigation's facts,
the register's version) are written as querysets once, compiled on first use, and then executed with the
request's values: the rule stays in the ORM, the per-request cost is the database's.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.db import connections
from django.db.models import QuerySet


class CompiledQuery:
    """``build(**values)`` compiled once per database connection alias and vendor, run with new values.

    ``sentinels`` names each value of ``build`` with a stand-in of the same type that occurs nowhere else
    in the statement (a negative id, a date in 1901): compiling with the stand-ins tells which parameters are
    which value. A stand-in that is no parameter of the compiled statement is refused at compile time.
    ``build`` must give a ``values_list()`` queryset (rows come back as tuples).
    """

    def __init__(self, build: Callable[..., QuerySet], **sentinels):
        self.build = build
        self.sentinels = sentinels
        self._compiled: dict[tuple[str, str], tuple[str, list]] = {}

    def _compile(self, connection) -> tuple[str, list]:
        queryset = self.build(**self.sentinels)
        sql, params = queryset.query.get_compiler(connection=connection).as_sql()
        stand_ins = {_prepared(connection, value): name for name, value in self.sentinels.items()}
        slots = [(stand_ins[p], None) if _hashable(p) and p in stand_ins else (None, p) for p in params]
        for name in self.sentinels:
            if not any(slot == name for slot, _value in slots):
                raise ValueError(f"the stand-in of {name!r} is not a parameter of the compiled statement")
        return sql, slots

    def rows(self, *, using: str = "default", **values) -> list[tuple]:
        """The statement's rows for ``values`` (every name of ``sentinels``)."""
        connection = connections[using]
        key = (connection.alias, connection.vendor)
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compiled[key] = self._compile(connection)
        sql, slots = compiled
        params = [_prepared(connection, values[name]) if name else value for name, value in slots]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()


def _hashable(value) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _prepared(connection, value):
    """``value`` as the compiler passes it to the driver (a date as the backend adapts a DateField's value)."""
    if isinstance(value, date):
        return connection.ops.adapt_datefield_value(value)
    return value
