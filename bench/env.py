"""The bench's environment: a database copied fresh from a pristine seed for each run, a Redis of its own, and the
child processes it starts (every one stopped on exit, Ctrl-C or SIGTERM).

Nothing here imports Django: the database and Redis are ready before ``django.setup()`` reads the environment.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
VAR_DIR = ROOT / "var" / "bench"

SCALES = {
    # municipalities, deviations: ~300 units per municipality, ~30 deviations per unit and year over 3 years.
    "10k": (1, 10_000),
    "100k": (4, 100_000),
    "1m": (34, 1_000_000),
}
PG_DEFAULT = "postgres://postgres@127.0.0.1:5432/masportal_bench_{scale}"
# The comment the bench puts on each copy it makes; it drops no database without it.
COPY_MARK = "masportal bench: copy of "


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- child processes -----------------------------------------------------------------------------------------


@dataclass
class Child:
    name: str
    proc: subprocess.Popen
    log: Path


@dataclass
class Children:
    """The processes the bench started, each in a session of its own (so its workers stop with it).

    ``stop_all`` runs from ``run.main``'s ``finally``; SIGTERM and SIGHUP are turned into SystemExit there, so an
    interrupted bench leaves nothing running.
    """

    log_dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="masportal-bench-")))
    running: list[Child] = field(default_factory=list)
    keep_logs: bool = False  # set when a child logged errors or the run failed

    def start(self, name: str, argv: list[str], *, env: dict | None = None) -> Child:
        log = self.log_dir / f"{name}.log"
        with open(log, "ab") as out:
            proc = subprocess.Popen(  # noqa: S603 - our own argv
                argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        child = Child(name, proc, log)
        self.running.append(child)
        return child

    def stop(self, child: Child, *, timeout: float = 20) -> None:
        if child.proc.poll() is None:
            # The leader first: gunicorn's master and Celery's main process stop their workers gracefully.
            child.proc.send_signal(signal.SIGTERM)
            try:
                child.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                _signal_group(child.proc.pid, signal.SIGKILL)
                child.proc.wait(timeout=5)
        # A worker's pool children may outlive their parent for a moment: the group goes too.
        _signal_group(child.proc.pid, signal.SIGKILL)
        if child in self.running:
            self.running.remove(child)

    def stop_all(self) -> None:
        """Stop every child, newest first; a second Ctrl-C meanwhile does not cut this short."""
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            for child in reversed(list(self.running)):
                self.stop(child)
        finally:
            signal.signal(signal.SIGINT, previous)

    def tail(self, child: Child, chars: int = 1500) -> str:
        try:
            return child.log.read_text(errors="replace").strip()[-chars:]
        except OSError:
            return ""


def _signal_group(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


def descendants(pid: int) -> list[int]:
    """``pid`` and every process below it (read from /proc)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(parents.get(current, []))
    return found


def rss_mib(pids: list[int]) -> float:
    """Resident memory of ``pids`` together (VmRSS from /proc), in MiB."""
    total = 0
    for pid in pids:
        try:
            match = re.search(r"VmRSS:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text())
        except OSError:
            continue
        total += int(match.group(1)) if match else 0
    return total / 1024


# --- Redis ---------------------------------------------------------------------------------------------------


class BenchRedis:
    """The broker of a run: a ``redis-server`` the bench starts on a free loopback port (no persistence) and stops
    at the end, or the Redis at ``url`` when given, which the bench only reads and publishes to (never flushes)."""

    def __init__(self, url: str | None = None):
        self.url = url
        self.owned = url is None
        self.child: Child | None = None

    def start(self, children: Children) -> str:
        if not self.owned:
            self.client().ping()
            return self.url
        server = shutil.which("redis-server")
        if server is None:
            raise SystemExit("redis-server is missing: install it (apt-get install redis-server) or pass --redis-url.")
        port = free_port()
        workdir = children.log_dir / "redis"
        workdir.mkdir(exist_ok=True)
        self.child = children.start(
            "redis",
            [
                server,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(workdir),
                "--loglevel",
                "warning",
            ],
        )
        self.url = f"redis://127.0.0.1:{port}/0"
        deadline = time.monotonic() + 10
        while True:
            try:
                self.client().ping()
                return self.url
            except Exception:  # noqa: BLE001 - not listening yet
                if time.monotonic() > deadline or self.child.proc.poll() is not None:
                    raise SystemExit(f"redis-server did not start:\n{children.tail(self.child)}") from None
                time.sleep(0.05)

    def stop(self, children: Children) -> None:
        """Stop the server the bench started; a Redis given by URL is left exactly as it is."""
        if self.owned and self.child is not None:
            children.stop(self.child)
            self.child = None

    def client(self):
        import redis

        return redis.Redis.from_url(self.url, socket_timeout=5)

    def queue_length(self) -> int:
        """Messages waiting in Celery's queues plus those taken by a worker and not yet acknowledged."""
        client = self.client()
        waiting = sum(
            client.llen(key) for key in client.scan_iter(match="celery*", count=1000) if client.type(key) == b"list"
        )
        return waiting + client.hlen("unacked")


# --- the database ---------------------------------------------------------------------------------------------


@dataclass
class Database:
    """Where a run measures (``url``) and the pristine data it is copied from (``seed``, None with --no-copy)."""

    url: str
    vendor: str  # "postgresql" or "sqlite"
    name: str  # the database name, or the SQLite file
    seed: str | None

    def with_name(self, name: str) -> str:
        if self.vendor == "sqlite":
            return f"sqlite:///{name}"
        parts = urllib.parse.urlsplit(self.url)
        return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


def database_from_args(args) -> Database:
    """The run's database: --database-url, else the per-scale bench database; its seed beside it."""
    url = args.database_url or (
        PG_DEFAULT.format(scale=args.scale)
        if args.db == "postgres"
        else f"sqlite:///{VAR_DIR / f'bench-{args.scale}.sqlite3'}"
    )
    parts = urllib.parse.urlsplit(url)
    if parts.scheme.startswith("postgres"):
        name = parts.path.lstrip("/")
        seed = args.seed_database or f"masportal_bench_{args.scale}_seed"
        vendor = "postgresql"
    elif parts.scheme == "sqlite":
        name = url.removeprefix("sqlite:///")
        seed = args.seed_database or str(VAR_DIR / f"bench-{args.scale}-seed.sqlite3")
        vendor = "sqlite"
    else:
        raise SystemExit(f"--database-url: PostgreSQL or SQLite, not {parts.scheme!r}")
    if name == seed:
        raise SystemExit("The run's database cannot be its own seed: pass another --database-url or --seed-database.")
    return Database(url=url, vendor=vendor, name=name, seed=None if args.no_copy else seed)


def prepare_database(db: Database, *, scale: str, default_name: bool, skip_generate: bool) -> None:
    """Make ``db`` a fresh copy of its seed (generating or adopting the seed first when there is none).

    The seed is created once: the existing per-scale bench database becomes it when it holds generated data
    (``default_name``: only the bench's own database is ever renamed), otherwise it is generated. A copy is
    dropped only when the bench made it (PostgreSQL: the database comment; SQLite: a marker file beside it).
    """
    ops = _Postgres(db) if db.vendor == "postgresql" else _Sqlite(db)
    if db.seed is None:  # --no-copy: measure the database as it is
        ops.ensure(db.name)
        if not skip_generate:
            generate(db.url, scale=scale)
        return
    if not ops.exists(db.seed):
        if default_name and ops.exists(db.name) and not ops.is_copy(db.name) and ops.has_volume(db.name):
            print(f"Keeping {db.name} as the pristine seed {db.seed} (renamed, nothing dropped)", flush=True)
            ops.rename(db.name, db.seed)
        elif skip_generate:
            raise SystemExit(f"No seed database {db.seed}: run without --skip-generate to generate it.")
        else:
            ops.ensure(db.seed)
            generate(db.with_name(db.seed), scale=scale)
    if ops.exists(db.name):
        if not ops.is_copy(db.name):
            raise SystemExit(
                f"{db.name} exists and was not made by the bench from a seed: it is left alone. Pass another "
                "--database-url, or --no-copy to measure it as it is (each run then changes its data)."
            )
        ops.drop(db.name)
    started = time.monotonic()
    ops.copy(db.seed, db.name)
    print(f"Fresh copy {db.name} of {db.seed} ({time.monotonic() - started:.1f} s)", flush=True)


def generate(url: str, *, scale: str) -> None:
    """Migrate the database at ``url`` and fill it with ``generate_volume`` at ``scale`` (in a child process)."""
    municipalities, deviations = SCALES[scale]
    env = {**os.environ, **django_env(database_url=url, broker_url="memory://")}
    print(f"Generating {municipalities} municipalities, {deviations:,} deviations into {url} …", flush=True)
    started = time.monotonic()
    for argv in (
        ["migrate", "--no-input", "-v0"],
        [
            "generate_volume",
            f"--municipalities={municipalities}",
            f"--deviations={deviations}",
            "--years=3",
            "--seed=1",
            f"--today={date.today().isoformat()}",  # noqa: DTZ011 - the date the data is dated against
        ],
    ):
        subprocess.run([PYTHON, "manage.py", *argv], cwd=ROOT, env=env, check=True)  # noqa: S603
    print(f"generate_volume: {time.monotonic() - started:.0f} s", flush=True)


def django_env(*, database_url: str, broker_url: str) -> dict[str, str]:
    """The environment of the bench's Django: its own database, broker and var dir; DEBUG off."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    return {
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": broker_url,
        "MASPORTAL_VAR_DIR": str(VAR_DIR),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "DJANGO_DEBUG": "false",
        "DJANGO_LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "masportal.settings",
        # E-mail is delivered by the worker and thrown away (no files, no memory kept): the outbox is what is measured.
        "DJANGO_EMAIL_BACKEND": os.environ.get("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.dummy.EmailBackend"),
    }


class _Postgres:
    def __init__(self, db: Database):
        self.admin_url = db.with_name("postgres").replace("postgres://", "postgresql://", 1)

    def _run(self, sql: str, params=()):
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            try:
                cursor = conn.execute(sql, params)
            except psycopg.errors.ObjectInUse as exc:
                # "database … is being accessed by other users": the bench disconnects nobody.
                raise SystemExit(f"{exc}".strip() + "; close that session and rerun.") from None
            return cursor.fetchall() if cursor.description is not None else None

    def exists(self, name: str) -> bool:
        return bool(self._run("SELECT 1 FROM pg_database WHERE datname = %s", [name]))

    def ensure(self, name: str) -> None:
        if not self.exists(name):
            self._run(f'CREATE DATABASE "{name}"')

    def is_copy(self, name: str) -> bool:
        rows = self._run("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [name])
        return bool(rows) and (rows[0][0] or "").startswith(COPY_MARK)

    def has_volume(self, name: str) -> bool:
        import psycopg

        url = self.admin_url.rsplit("/", 1)[0] + f"/{name}"
        with psycopg.connect(url, autocommit=True) as conn:
            try:
                row = conn.execute(
                    "SELECT count(*) FROM responsibility_municipality WHERE code LIKE 'vol-%%'"
                ).fetchone()
            except psycopg.errors.UndefinedTable:
                return False
        return row[0] > 0

    def rename(self, old: str, new: str) -> None:
        self._run(f'ALTER DATABASE "{old}" RENAME TO "{new}"')

    def drop(self, name: str) -> None:
        self._run(f'DROP DATABASE "{name}"')

    def copy(self, seed: str, name: str) -> None:
        # Fails with "being accessed by other users" while anyone is connected to the seed: nobody is cut off.
        self._run(f'CREATE DATABASE "{name}" TEMPLATE "{seed}"')
        self._run(f"COMMENT ON DATABASE \"{name}\" IS '{COPY_MARK}{seed}'")


class _Sqlite:
    def __init__(self, db: Database):
        pass

    @staticmethod
    def _marker(name: str) -> Path:
        return Path(f"{name}.bench-copy")

    def exists(self, name: str) -> bool:
        return Path(name).exists()

    def ensure(self, name: str) -> None:
        Path(name).parent.mkdir(parents=True, exist_ok=True)

    def is_copy(self, name: str) -> bool:
        return self._marker(name).exists()

    def has_volume(self, name: str) -> bool:
        with sqlite3.connect(name) as conn:
            try:
                return (
                    conn.execute("SELECT count(*) FROM responsibility_municipality WHERE code LIKE 'vol-%'").fetchone()[
                        0
                    ]
                    > 0
                )
            except sqlite3.OperationalError:
                return False

    def rename(self, old: str, new: str) -> None:
        with sqlite3.connect(old) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        os.replace(old, new)

    def drop(self, name: str) -> None:
        for path in (Path(name), Path(f"{name}-wal"), Path(f"{name}-shm"), self._marker(name)):
            path.unlink(missing_ok=True)

    def copy(self, seed: str, name: str) -> None:
        with sqlite3.connect(seed) as source, sqlite3.connect(name) as target:
            source.backup(target)
        self._marker(name).write_text(f"{COPY_MARK}{seed}\n")


def install_signal_handlers() -> None:
    """SIGTERM, SIGHUP and Ctrl-C end the bench through ``finally``, which stops every child."""

    def leave(signum, _frame):
        raise SystemExit(128 + signum)

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, leave)
    # Ctrl-C raises KeyboardInterrupt even when the bench was started with SIGINT ignored (in the background).
    signal.signal(signal.SIGINT, signal.default_int_handler)


def python_argv(*args: str) -> list[str]:
    return [PYTHON, *args] if Path(PYTHON).exists() else [sys.executable, *args]
