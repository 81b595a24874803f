#!/usr/bin/env python
"""Benchmark MAS-portalen at volume (issues 7 and 17).

    .venv/bin/python bench/run.py --scale 100k [--iterations 20] [--load-seconds 60] [--write]
    .venv/bin/python bench/run.py --scale 100k --soak 3600 [--write]

1. The data: a pristine seed database per scale (``masportal_bench_<scale>_seed``, generated once with
   ``generate_volume``; an existing ``masportal_bench_<scale>`` with generated data becomes the seed, renamed),
   and for every run a fresh copy of it (``CREATE DATABASE … TEMPLATE``, seconds), migrated, at
   ``--database-url`` (default ``masportal_bench_<scale>`` on 127.0.0.1:5432). Every run starts from the same
   data; a database the bench did not make from the seed is never dropped (``--no-copy`` measures one as it is).
2. The broker: a ``redis-server`` of the bench's own on a free loopback port, without persistence, stopped at
   the end; ``--redis-url`` uses another one, which the bench never flushes.
3. Each item (``bench.items``): p50/p95 server time in process (Django's test client, after warm-up), its query
   count and time inside SQL, and the time of one hand-written SQL statement computing the same result (the
   floor), against the issue 17 targets.
4. The load run (``bench.load``): gunicorn on ``--port`` (default a free one) and a real Celery worker; ``wrk``
   posts the report form for ``--load-seconds``; throughput, p50/p99, errors, and the queue and outbox drained.
5. ``--soak SECONDS`` (``bench.soak``) instead of 3–4: pages and POSTs mixed, with beat too; a row per minute.
6. ``--write`` replaces this run's section of ``bench/RESULTS.md``.

Reports are posted into a unit of another municipality than the measured pages (``bench.subjects``).
Every child process (Redis, gunicorn, worker, beat, wrk) stops on exit, Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if sys.path[0] == str(Path(__file__).resolve().parent):
    sys.path[0] = str(ROOT)  # bench/ itself is no import root (its modules would shadow the standard library's)
else:
    sys.path.insert(0, str(ROOT))

from bench import measure  # noqa: E402
from bench.env import (  # noqa: E402
    SCALES,
    BenchRedis,
    Children,
    database_from_args,
    django_env,
    install_signal_handlers,
    prepare_database,
)


def parse(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres", help="without --database-url")
    parser.add_argument("--scale", choices=list(SCALES), default="100k")
    parser.add_argument("--database-url", help="the database a run measures (default: masportal_bench_<scale>)")
    parser.add_argument("--seed-database", help="the pristine data (default: masportal_bench_<scale>_seed)")
    parser.add_argument("--no-copy", action="store_true", help="measure --database-url as it is (runs change it)")
    parser.add_argument("--redis-url", help="a Redis to use (never flushed); default: the bench starts its own")
    parser.add_argument("--port", type=int, default=0, help="gunicorn's port (default: a free one)")
    parser.add_argument("--skip-generate", action="store_true", help="never generate; fail when there is no seed")
    parser.add_argument("--iterations", type=int, default=20, help="timed requests per page (after warm-up)")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--pdf-iterations", type=int, default=3)
    parser.add_argument("--command-iterations", type=int, default=2)
    parser.add_argument("--load-seconds", type=int, default=60)
    parser.add_argument("--connections", type=int, default=8, help="wrk connections of the load run")
    parser.add_argument(
        "--workers", type=int, default=0, help="gunicorn workers (default: gunicorn.conf.py, else 2×nproc)"
    )
    parser.add_argument("--worker-concurrency", type=int, default=2, help="Celery worker processes")
    parser.add_argument("--drain-seconds", type=int, default=180, help="longest wait for queue and outbox to drain")
    parser.add_argument("--no-load", action="store_true", help="skip the gunicorn + wrk load run")
    parser.add_argument("--only", help="run only items whose name contains this text ('load': only the load run)")
    parser.add_argument(
        "--soak", type=int, default=0, metavar="SECONDS", help="run the soak (instead of items and load)"
    )
    parser.add_argument("--soak-rate", type=float, default=20, help="soak requests per second (0: as fast as possible)")
    parser.add_argument("--soak-connections", type=int, default=4)
    parser.add_argument("--write", action="store_true", help="write the results to bench/RESULTS.md")
    args = parser.parse_args(argv)
    if args.write and args.only:
        parser.error("--write replaces the whole section: run without --only")
    return args


def main(argv=None) -> int:
    args = parse(argv)
    measure.ONLY["text"] = (args.only or "").lower()
    install_signal_handlers()
    children = Children()
    redis = BenchRedis(args.redis_url)
    started = time.monotonic()
    try:
        db = database_from_args(args)
        prepare_database(db, scale=args.scale, default_name=args.database_url is None, skip_generate=args.skip_generate)
        env = django_env(database_url=db.url, broker_url=redis.start(children))
        os.environ.update(env)
        print(
            f"Database {db.name}{f' (copy of {db.seed})' if db.seed else ''}; Redis {redis.url}"
            f"{' (the bench’s own)' if redis.owned else ' (given; never flushed)'}",
            flush=True,
        )
        return run(args, db, env, children, redis)
    except BaseException:
        children.keep_logs = any(children.log_dir.iterdir())  # something was started: its logs may say why
        raise
    finally:
        children.stop_all()
        if children.keep_logs:
            print(f"Logs of the bench's processes kept in {children.log_dir}")
        else:
            shutil.rmtree(children.log_dir, ignore_errors=True)
        print(f"Bench finished in {time.monotonic() - started:.0f} s")


def run(args, db, env: dict, children: Children, redis: BenchRedis) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from bench.results import header, load_lines, machine, soak_lines, table, write_section
    from bench.subjects import find_subjects

    t = time.monotonic()
    call_command("migrate", verbosity=0)
    print(f"migrate: {time.monotonic() - t:.1f} s", flush=True)
    s = find_subjects()
    info = machine()
    print(f"Dataset: {json.dumps(s.counts)}")
    print(
        f"Largest board {s.board.code} ({s.counts['board_units']} units), unit {s.unit.code}, MAS list filtered by "
        f"{s.category.name if s.category else '–'}; reports posted into "
        f"{s.post_unit.code} by {s.poster.username}; {info['database']}, {info['nproc']} CPUs, {info['memory']}, "
        f"load average {' / '.join(f'{x:.1f}' for x in info['load'])}",
        flush=True,
    )
    vendor = "postgres" if db.vendor == "postgresql" else "sqlite"
    command = shlex.join(["bench/run.py", *(sys.argv[1:] or ["--scale", args.scale])])
    head = {
        "info": info,
        "counts": s.counts,
        "board": s.board.code,
        "command": command,
        "when": f"{timezone.localtime():%Y-%m-%d %H:%M}",
    }
    if args.soak:
        from bench.soak import soak

        lines = soak_lines(soak(args, env, s, children, redis))
        print("\n".join(lines))
        if args.write:
            write_section(
                f"{vendor}:{args.scale}:soak",
                header(**head, title=f"Soak, {info['database']}, scale {args.scale}") + lines,
            )
        return 0
    from bench.items import run_items
    from bench.load import load_run
    from masportal.memory import freeze_startup_objects

    freeze_startup_objects()  # as a gunicorn worker does after loading the application (gunicorn.conf.py)

    results = [r for r in run_items(args, s) if r.status != "skipped"]
    lines = table(results)
    print("\n".join(lines), flush=True)
    only = measure.ONLY["text"]
    skip_load = args.no_load or (only and only != "load")
    load = {"status": "skipped"} if skip_load else load_run(args, env, s, children, redis)
    llines = load_lines(load)
    print("\n".join(llines))
    if load.get("raw"):
        print(load["raw"])
    if args.write:
        write_section(
            f"{vendor}:{args.scale}",
            header(**head, title=f"{info['database']}, scale {args.scale}") + lines + [""] + llines,
        )
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("Interrupted: every process the bench started is stopped.", file=sys.stderr)
        sys.exit(130)
