"""The bench's output: the table of items against their targets, the load and soak lines, the machine, and the
sections of ``bench/RESULTS.md`` (``--write`` replaces its own section, one per database, scale and kind)."""

from __future__ import annotations

import contextlib
import os
import platform
import re
from pathlib import Path

from bench.env import ROOT
from bench.load import LOAD_TARGET
from bench.measure import Result

RESULTS = ROOT / "bench" / "RESULTS.md"


def fmt(value: float | None, spec: str = ".1f") -> str:
    return "–" if value is None else format(value, spec)


def table(results: list[Result]) -> list[str]:
    lines = [
        "| Item | p50 ms | p95 ms | queries | in SQL ms | SQL floor ms | p95/floor | target | verdict |",
        "|---|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.name} | {fmt(r.p50)} | {fmt(r.p95)} | {'–' if r.queries is None else r.queries} | "
            f"{fmt(r.sql_ms)} | {fmt(r.floor, '.2f')} | {fmt(r.ratio)} | {r.target.describe(floor=r.floor is not None)} | {r.verdict()} |"
        )
    return lines


def load_lines(load: dict) -> list[str]:
    if load.get("status") != "ok":
        return [f"Load run: {load.get('status')}"]
    problems = []
    if (load["rps"] or 0) < LOAD_TARGET["rps"]:
        problems.append(f"< {LOAD_TARGET['rps']:.0f} requests/s")
    if load["p99_ms"] is None or load["p99_ms"] > LOAD_TARGET["p99_ms"]:
        problems.append(f"p99 > {LOAD_TARGET['p99_ms']:.0f} ms")
    if load["errors"]:
        problems.append("errors")
    # Requests still in flight when wrk stops complete on the server: at least one row per counted request.
    if load["rows_created"] < load["requests"]:
        problems.append("fewer rows than requests")
    drained = "drained" if load["drained"] else "NOT drained"
    return [
        f"Load run (report POST; gunicorn {load['gunicorn']}; a Celery worker; wrk {load['connections']} connections, "
        f"{load['seconds']} s): **{fmt(load['rps'])} requests/s**, p50 {fmt(load['p50_ms'])} ms, "
        f"p99 {fmt(load['p99_ms'])} ms, {load['requests']} requests, {load['errors']} errors, "
        f"{load['rows_created']} deviations created; queue {load['queue']} and outbox {load['outbox']} after "
        f"{load['waited_s']:.0f} s ({drained}). Target ≥ {LOAD_TARGET['rps']:.0f} requests/s, "
        f"p99 ≤ {LOAD_TARGET['p99_ms']:.0f} ms, 0 errors: {', '.join(problems) or 'met'}",
    ]


def soak_lines(soak: dict) -> list[str]:
    if soak.get("status") != "ok":
        return [f"Soak: {soak.get('status')}"]
    rows = soak["rows"]
    names = list(rows[0]["rss"]) if rows else []
    lines = [
        f"Soak, {soak['seconds']} s: mixed cycle of {len(soak['names'])} requests ({', '.join(soak['names'])}); "
        f"wrk {soak['connections']} connections, "
        + (f"≈{soak['rate']} requests/s" if soak["rate"] else "as fast as the stack answers")
        + f"; gunicorn {soak['gunicorn']}, a Celery worker and beat; /healthz at start: {soak['health']}.",
        "",
        "| minute | requests | req/s | errors | p50 ms | p99 ms | "
        + " | ".join(f"{n} RSS MiB" for n in names)
        + " | queue | outbox |",
        "|---:|---:|---:|---:|---:|---:|" + "---:|" * len(names) + "---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row['minute']} | {row['requests']} | {fmt(row['rps'])} | {row['errors']} | {fmt(row['p50_ms'])} | "
            f"{fmt(row['p99_ms'])} | "
            + " | ".join(fmt(row["rss"].get(n)) for n in names)
            + f" | {row['queue']} | {row['outbox']} |"
        )
    errors = sum(r["errors"] for r in rows)
    requests = sum(r["requests"] for r in rows)
    growth = "; ".join(
        f"{name} {warm:.0f} → {last:.0f} MiB ({(last - warm) / warm * 100:+.0f} %)"
        for name, (warm, last) in soak["growth"].items()
        if warm
    )
    flat = all(last <= warm * 1.10 for warm, last in soak["growth"].values())
    lines += [
        "",
        f"{requests} requests, {errors} errors, {soak['rows_created']} deviations created. "
        f"Resident memory after warm-up → end: {growth or '– (one minute only)'} "
        f"({'flat' if flat else 'GROWING'}: ≤ 10 % after warm-up). "
        f"Queue {soak['queue']} and outbox {soak['outbox']} {soak['waited_s']:.0f} s after the load stopped "
        f"({'drained' if soak['drained'] else 'NOT drained'}).",
    ]
    return lines


def machine() -> dict:
    from django.db import connection

    mem = cpu = ""
    with contextlib.suppress(OSError, AttributeError):
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        mem = f"{kb / 1024 / 1024:.1f} GiB"
    with contextlib.suppress(OSError, AttributeError):
        cpu = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text()).group(1).strip()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            db = f"PostgreSQL {cursor.fetchone()[0]}"
        else:
            cursor.execute("SELECT sqlite_version()")
            db = f"SQLite {cursor.fetchone()[0]}"
    return {
        "nproc": os.cpu_count(),
        "memory": mem,
        "cpu": cpu,
        "database": db,
        "python": platform.python_version(),
        "load": os.getloadavg(),
    }


def header(*, info: dict, counts: dict, board: str, command: str, when: str, title: str) -> list[str]:
    load = " / ".join(f"{x:.1f}" for x in info["load"])
    return [
        f"## {title}",
        "",
        f"Run {when} · {info['nproc']} CPUs ({info['cpu']}) · {info['memory']} RAM · {info['database']} · "
        f"Python {info['python']} · load average at start {load} (1/5/15 min) · `{command}`",
        "",
        "Dataset: "
        + ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in counts.items())
        + f"; largest board `{board}`.",
        "",
    ]


def write_section(marker: str, lines: list[str]) -> None:
    """Replace the section between ``<!-- bench:marker -->`` and ``<!-- /bench -->`` (append it when missing)."""
    start, end = f"<!-- bench:{marker} -->", "<!-- /bench -->"
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    section = "\n".join([start, *lines, end])
    if start in text:
        text = re.sub(re.escape(start) + r".*?" + re.escape(end), lambda _m: section, text, flags=re.S)
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    RESULTS.write_text(text)
    print(f"Wrote {RESULTS.relative_to(ROOT)} ({start})")
