"""Writing the volume data: progress on the terminal and rows in bulk (COPY on PostgreSQL), timestamps as given."""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from django.db import connection, models


class Progress:
    """A progress bar on stderr: one line, redrawn at most a few times a second."""

    def __init__(self, *, total: int, stream=None, enabled: bool = True):
        self.total = max(total, 1)
        self.done = 0
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.started = time.monotonic()
        self._last = 0.0
        self.label = ""

    def advance(self, n: int, label: str | None = None) -> None:
        self.done += n
        if label is not None:
            self.label = label
        now = time.monotonic()
        if self.enabled and (now - self._last > 0.3 or self.done >= self.total):
            self._last = now
            share = min(self.done / self.total, 1.0)
            bar = "#" * int(share * 30)
            self.stream.write(
                f"\r[{bar:<30}] {share:6.1%} {self.done:>10,}/{self.total:,} deviations "
                f"{now - self.started:7.1f}s {self.label[:40]:<40}"
            )
            self.stream.flush()

    def note(self, text: str) -> None:
        if self.enabled:
            self.stream.write(f"\n{text}\n")
            self.stream.flush()

    def finish(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()


# --- writing rows ------------------------------------------------------------------------


@contextmanager
def explicit_timestamps(model: type[models.Model]) -> Iterator[None]:
    """Let bulk_create keep the given values of ``auto_now``/``auto_now_add`` fields (deterministic rows)."""
    saved = []
    for f in model._meta.concrete_fields:
        if isinstance(f, models.DateField) and (f.auto_now or f.auto_now_add):
            saved.append((f, f.auto_now, f.auto_now_add))
            f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


class RowWriter:
    """Insert rows (dicts keyed by attname) in batches; return their primary keys in order.

    PostgreSQL: ids from the table's sequence, then ``COPY … FROM STDIN``.
    Other databases: ``bulk_create`` (which returns the ids).
    """

    def __init__(self, *, batch_size: int, stamp: datetime):
        self.batch_size = batch_size
        self.stamp = stamp
        self.copy = connection.vendor == "postgresql"
        self.counts: Counter[str] = Counter()
        self.seconds: Counter[str] = Counter()
        self._layout: dict[type, tuple[list[str], list[str], dict[str, object]]] = {}

    def _fields(self, model: type[models.Model]):
        if model not in self._layout:
            fields = [f for f in model._meta.concrete_fields if not f.primary_key]
            defaults: dict[str, object] = {}
            for f in fields:
                if isinstance(f, models.DateField) and (f.auto_now or f.auto_now_add):
                    defaults[f.attname] = self.stamp
                elif f.has_default():
                    defaults[f.attname] = f.get_default()
                elif f.null:
                    defaults[f.attname] = None
                elif f.empty_strings_allowed:
                    defaults[f.attname] = ""
            self._layout[model] = ([f.attname for f in fields], [f.column for f in fields], defaults)
        return self._layout[model]

    def insert(self, model: type[models.Model], rows: list[dict]) -> list[int]:
        if not rows:
            return []
        self.counts[model._meta.label] += len(rows)
        started = time.monotonic()
        ids: list[int] = []
        for start in range(0, len(rows), self.batch_size):
            chunk = rows[start : start + self.batch_size]
            ids.extend(self._copy(model, chunk) if self.copy else self._bulk(model, chunk))
        self.seconds[model._meta.label] += time.monotonic() - started
        return ids

    def _bulk(self, model, rows: list[dict]) -> list[int]:
        attnames, _columns, defaults = self._fields(model)
        objs = [model(**{a: row[a] if a in row else defaults[a] for a in attnames}) for row in rows]
        with explicit_timestamps(model):
            model.objects.bulk_create(objs, batch_size=min(self.batch_size, 2000))
        return [o.pk for o in objs]

    def _copy(self, model, rows: list[dict]) -> list[int]:
        attnames, columns, defaults = self._fields(model)
        meta = model._meta
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, len(rows)],
            )
            ids = sorted(r[0] for r in cursor.fetchall())
            column_list = ", ".join(connection.ops.quote_name(c) for c in [meta.pk.column, *columns])
            sql = f"COPY {connection.ops.quote_name(meta.db_table)} ({column_list}) FROM STDIN"
            with cursor.cursor.copy(sql) as copy:
                write = copy.write_row
                for pk, row in zip(ids, rows, strict=True):
                    write([pk, *[row[a] if a in row else defaults[a] for a in attnames]])
        return ids
