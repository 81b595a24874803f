"""Real processes for tests: a Celery worker on its own queue, free ports, the test database's URL.

One home for what the worker, health, fault-drill and report tests start (issue 18): a worker is
``python -m celery -A masportal worker`` on one queue, solo pool, no gossip, mingle or heartbeat,
talking to the test database and the configured broker.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def db_url() -> str:
    """The test database as a ``DATABASE_URL`` for a child process (SQLite file or PostgreSQL)."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def worker_env(**extra: str) -> dict[str, str]:
    """This process's environment pointed at the test database and broker, plus ``extra``."""
    return {**os.environ, "DATABASE_URL": db_url(), "CELERY_BROKER_URL": settings.CELERY_BROKER_URL, **extra}


def start_worker(
    queue: str, *, env: dict[str, str] | None = None, capture: bool = True, new_session: bool = False
) -> subprocess.Popen:
    """Start a real Celery worker consuming only ``queue``.

    ``capture`` keeps its output on ``stdout`` (for an assertion message) rather than discarding it;
    ``new_session`` puts it in its own process group (to kill it with ``os.killpg``).
    """
    output = subprocess.PIPE if capture else subprocess.DEVNULL
    return subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "masportal",
            "worker",
            "--pool",
            "solo",
            "-Q",
            queue,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "warning",
        ],
        cwd=ROOT,
        env=env if env is not None else worker_env(),
        stdout=output,
        stderr=subprocess.STDOUT if capture else subprocess.DEVNULL,
        start_new_session=new_session,
    )


def stop(*procs: subprocess.Popen, timeout: float = 20) -> None:
    """Terminate the processes still running and wait for them; kill one that does not stop in time.

    A process started in a session of its own (``start_new_session``, e.g. the compose commands' ``sh -c "… &&
    gunicorn …"``) is stopped with its whole process group: stopping only the shell would leave gunicorn running,
    holding its database connections open so that the test database could not be dropped.
    """
    for proc in procs:
        if proc.poll() is None:
            _signal(proc, signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            _signal(proc, signal.SIGKILL)
            proc.wait(timeout=timeout)
    for proc in procs:  # the group's other members (gunicorn's workers) may outlive the shell
        _signal(proc, signal.SIGKILL, group_only=True)


def _signal(proc: subprocess.Popen, signum: int, *, group_only: bool = False) -> None:
    try:
        leads_group = os.getpgid(proc.pid) == proc.pid
    except ProcessLookupError:
        leads_group = _group_alive(proc.pid)
    if leads_group:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signum)
    elif not group_only:
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(signum)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True
