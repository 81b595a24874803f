"""gunicorn settings of the web process.

gunicorn reads ``./gunicorn.conf.py`` from the directory it starts in: ``/app`` in the Dockerfile and
docker-compose.yml, the repository root in scripts/runtime_smoke.py. Arguments on the command line win
(the commands give ``--bind`` only). Why these numbers: README, "Web server (gunicorn)".
"""

import os


def _cpus() -> int:
    """The CPUs this process may run on (a CPU quota of a container is not seen: set the variables then)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


# A process per CPU, each with two threads: one runs Python while the other waits for PostgreSQL.
worker_class = "gthread"
workers = int(os.environ.get("MASPORTAL_WEB_WORKERS", str(max(2, _cpus()))))
threads = int(os.environ.get("MASPORTAL_WEB_THREADS", "2"))
# A request that takes longer is a fault (reports are made by the worker); the worker is then replaced.
timeout = 30
graceful_timeout = 30
# Connections from the reverse proxy are reused between requests.
keepalive = 5
# The access log on stdout: kept five years by the log archive (README, production checklist).
accesslog = "-"
# The workers' heartbeat files in memory, not on a container's overlay file system (gunicorn creates them with
# mkstemp, private to the process).
_SHM = "/dev/shm"  # noqa: S108
worker_tmp_dir = _SHM if os.path.isdir(_SHM) else None


def post_worker_init(worker):
    """The worker has loaded the application: freeze its start-up objects (masportal.memory)."""
    from masportal.memory import freeze_startup_objects

    freeze_startup_objects()
