"""Timing one item in process: p50/p95 after warm-up, its queries and time in SQL, and its SQL floor."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

ONLY = {"text": ""}  # --only: measure just the items whose name contains this (lower case)


@dataclass(frozen=True)
class Target:
    """What an item must meet (issue 17); None means no such target.

    ``floor_factor``/``allowance_ms``: p95 ≤ factor × SQL floor + allowance (the data work within 2× its floor,
    plus Django's fixed cost of a request). ``python_ms``: p50 minus the time spent inside SQL calls.
    """

    p95_ms: float | None = None
    floor_factor: float | None = None
    allowance_ms: float = 0.0
    python_ms: float | None = None

    def describe(self, *, floor: bool = True) -> str:
        """The target as text; ``floor=False`` for an item without an SQL floor."""
        parts = []
        if self.p95_ms is not None:
            parts.append(f"p95 ≤ {_duration(self.p95_ms)}")
        if self.floor_factor is not None and floor:
            parts.append(f"≤ {self.floor_factor:g}× floor + {self.allowance_ms:g} ms")
        if self.python_ms is not None:
            parts.append(f"≤ {self.python_ms:g} ms outside SQL")
        return ", ".join(parts) or "–"

    def problems(self, r: Result) -> list[str]:
        found = []
        if self.p95_ms is not None and r.p95 is not None and r.p95 > self.p95_ms:
            found.append(f"p95 > {_duration(self.p95_ms)}")
        if (
            self.floor_factor is not None
            and r.p95 is not None
            and r.floor
            and r.p95 > self.floor_factor * r.floor + self.allowance_ms
        ):
            found.append(f"> {self.floor_factor:g}× floor + {self.allowance_ms:g} ms")
        if self.python_ms is not None and r.outside_sql is not None and r.outside_sql > self.python_ms:
            found.append(f"{r.outside_sql:.0f} ms outside SQL")
        return found


def _duration(ms: float) -> str:
    return f"{ms / 1000:g} s" if ms >= 1000 else f"{ms:g} ms"


@dataclass
class Result:
    name: str
    target: Target = field(default_factory=Target)
    p50: float | None = None
    p95: float | None = None
    queries: int | None = None
    sql_ms: float | None = None  # time inside cursor.execute during the counted call
    floor: float | None = None
    status: str = "ok"
    note: str = ""
    samples: list[float] = field(default_factory=list)

    @property
    def ratio(self) -> float | None:
        if self.p95 is None or not self.floor:
            return None
        return self.p95 / self.floor

    @property
    def outside_sql(self) -> float | None:
        if self.p50 is None or self.sql_ms is None:
            return None
        return max(self.p50 - self.sql_ms, 0.0)

    def verdict(self) -> str:
        if self.status != "ok":
            return self.status
        if self.target == Target():
            return "–"
        return ", ".join(self.target.problems(self)) or "met"


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    if len(ordered) == 1:
        return ordered[0]
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


class QueryCounter:
    """Counts the statements a call runs and the time spent in them (no cap, unlike CaptureQueriesContext)."""

    def __init__(self):
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started


def skipped(name: str) -> bool:
    return bool(ONLY["text"]) and ONLY["text"] not in name.lower()


def measure(
    name: str,
    call,
    *,
    iterations: int,
    warmup: int,
    floor_sql: tuple[str, dict] | None,
    target: Target | None = None,
    note: str = "",
    check=None,
) -> Result:
    """Time ``call`` (ms) ``iterations`` times after ``warmup`` calls; count its queries once; time the floor."""

    result = Result(name, target=target or Target(), note=note)
    if skipped(name):
        result.status = "skipped"
        return result
    _measure(result, call, iterations=iterations, warmup=warmup, check=check)
    if result.status == "ok" and floor_sql is not None:
        result.floor = time_sql(*floor_sql)
    print(f"  · {name}: {_summary(result)}", flush=True)
    return result


def _summary(r: Result) -> str:
    if r.status != "ok":
        return r.status
    return f"p50 {r.p50:.1f} ms, p95 {r.p95:.1f} ms, {r.queries} queries"


def _measure(result: Result, call, *, iterations: int, warmup: int, check) -> None:
    from django.db import connection

    try:
        for _ in range(warmup):
            call()
        counter = QueryCounter()
        with connection.execute_wrapper(counter):
            outcome = call()
        result.queries, result.sql_ms = counter.count, counter.seconds * 1000
        if check is not None and (problem := check(outcome)):
            result.status = problem
            return
        for _ in range(iterations):
            started = time.perf_counter()
            call()
            result.samples.append((time.perf_counter() - started) * 1000)
    except Exception as exc:  # noqa: BLE001 - one failing item must not stop the bench
        result.status = f"error: {type(exc).__name__}: {str(exc)[:120]}"
        return
    result.p50 = percentile(result.samples, 0.5)
    result.p95 = percentile(result.samples, 0.95)


def time_sql(sql: str, params: dict) -> float | None:
    """Best of three runs of one SQL statement, in ms, each rolled back (None if the database cannot run it)."""
    from django.db import connection, transaction

    best = None
    try:
        for _ in range(3):
            with transaction.atomic():
                with connection.cursor() as cursor:
                    started = time.perf_counter()
                    cursor.execute(sql, params)
                    if cursor.description is not None:
                        cursor.fetchall()
                    elapsed = (time.perf_counter() - started) * 1000
                transaction.set_rollback(True)
            best = elapsed if best is None else min(best, elapsed)
    except Exception:  # noqa: BLE001 - a floor in PostgreSQL dialect on SQLite
        return None
    return best


def not_available(name: str, why: str = "not available", target: Target | None = None) -> Result:
    return Result(name, target=target or Target(), status=why)
