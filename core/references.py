"""The one reference-number generator (AV-, LM-, KL-, SV- … series): ``PREFIX-YYYY-NNNNNN``.

One locking style: the ``UPDATE … SET last = last + 1`` takes the counter row's lock, held to the
end of the caller's transaction, so two writers never get the same number; the row is created on
first use (``get_or_create`` copes with two first users at once through the unique constraint).
The counter model belongs to the app that owns the series and is passed in (core imports no app).
"""

from __future__ import annotations

from django.db import connection, models
from django.db.models import F
from django.db.models.sql import UpdateQuery


def format_reference(prefix: str, year: int, number: int) -> str:
    return f"{prefix}-{year}-{number:06d}"


def next_reference(counter_model: type[models.Model], *, prefix: str, year: int, **scope) -> str:
    """Take the next number of the ``prefix`` series for ``year`` within ``scope`` (e.g. ``municipality_id``).

    Call it inside the transaction that stores the reference: the lock is held until that commits.
    """
    last = _increment(counter_model, prefix=prefix, year=year, **scope)
    if last is None:
        counter_model.objects.get_or_create(prefix=prefix, year=year, **scope)
        last = _increment(counter_model, prefix=prefix, year=year, **scope)
    return format_reference(prefix, year, last)


def _increment(counter_model: type[models.Model], **match) -> int | None:
    """``UPDATE … SET last = last + 1 … RETURNING last`` in one statement (PostgreSQL, SQLite ≥ 3.35): the
    number taken, or None when the counter row does not exist yet. The WHERE clause is the ORM's own."""
    counters = counter_model.objects.filter(**match)
    if not connection.features.can_return_rows_from_bulk_insert:  # a database without RETURNING
        if not counters.update(last=F("last") + 1):
            return None
        return counters.values_list("last", flat=True).get()
    query = counters.query.chain(UpdateQuery)
    query.add_update_values({"last": F("last") + 1})
    sql, params = query.get_compiler(connection=connection).as_sql()
    column = connection.ops.quote_name(counter_model._meta.get_field("last").column)
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} RETURNING {column}", params)
        row = cursor.fetchone()
    return row[0] if row else None
