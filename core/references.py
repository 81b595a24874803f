"""The one reference-number generator (AV-, LM-, KL-, SV- … series): ``PREFIX-YYYY-NNNNNN``.

One locking style: the ``UPDATE … SET last = last + 1`` takes the counter row's lock, held to the
end of the caller's transaction, so two writers never get the same number; the row is created on
first use (``get_or_create`` copes with two first users at once through the unique constraint).
The counter model belongs to the app that owns the series and is passed in (core imports no app).
"""

from __future__ import annotations

from django.db import models
from django.db.models import F


def format_reference(prefix: str, year: int, number: int) -> str:
    return f"{prefix}-{year}-{number:06d}"


def next_reference(counter_model: type[models.Model], *, prefix: str, year: int, **scope) -> str:
    """Take the next number of the ``prefix`` series for ``year`` within ``scope`` (e.g. ``municipality_id``).

    Call it inside the transaction that stores the reference: the lock is held until that commits.
    """
    counters = counter_model.objects.filter(prefix=prefix, year=year, **scope)
    if not counters.update(last=F("last") + 1):
        counter_model.objects.get_or_create(prefix=prefix, year=year, **scope)
        counters.update(last=F("last") + 1)
    last = counters.values_list("last", flat=True).get()
    return format_reference(prefix, year, last)
