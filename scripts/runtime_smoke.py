"""Run the portal from the runtime-only venv in production mode and deliver one notification.

Started by scripts/runtime-check with var/runtime-venv's Python. Uses only the
standard library and what the runtime install brings. Exit status 0 when:
collectstatic and migrate succeed, gunicorn answers /livez, a Celery worker on
Redis delivers a notification e-mail (file back end), and beat records its
heartbeat. Prints each process's output on failure.
"""

import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PG_URL = os.environ.get("MASPORTAL_RUNTIME_PG_URL", "postgres://postgres@127.0.0.1:5432/masportal_runtime")
REDIS_URL = os.environ.get("MASPORTAL_RUNTIME_REDIS_URL", "redis://127.0.0.1:6379/0")


def ensure_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin.replace("postgres://", "postgresql://", 1), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> int:
    from cryptography.fernet import Fernet

    ensure_database(PG_URL)
    work = Path(tempfile.mkdtemp(prefix="masportal-runtime-"))
    env = {
        "PATH": f"{BIN}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOME": str(work),
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "MASPORTAL_PATIENT_KEYS": Fernet.generate_key().decode(),
        "MASPORTAL_PATIENT_HASH_KEY": secrets.token_urlsafe(40),
        "DATABASE_URL": PG_URL,
        "CELERY_BROKER_URL": REDIS_URL,
        "DJANGO_ALLOWED_HOSTS": "mas.example.se",
        "MASPORTAL_VAR_DIR": str(work / "var"),
        "DJANGO_STATIC_ROOT": str(work / "static"),
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "MASPORTAL_HEARTBEAT_MAX_AGE": "120",
    }
    python = str(BIN / "python")

    def run(*args: str) -> None:
        result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, check=False)  # noqa: S603
        if result.returncode:
            print(result.stdout, result.stderr, sep="\n", file=sys.stderr)
            raise SystemExit(f"runtime check: {' '.join(args[1:3])} failed")

    run(python, "manage.py", "collectstatic", "--no-input", "-v0")
    run(python, "manage.py", "migrate", "--no-input", "-v0")
    # Heartbeats of an earlier run must not count.
    run(python, "manage.py", "shell", "-c", "from core.models import Heartbeat; Heartbeat.objects.all().delete()")
    port = free_port()
    logs = {name: open(work / f"{name}.log", "w+") for name in ("web", "worker", "beat")}  # noqa: SIM115
    procs = {
        "web": [str(BIN / "gunicorn"), "masportal.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        "worker": [
            str(BIN / "celery"),
            "-A",
            "masportal",
            "worker",
            "-l",
            "info",
            "--concurrency",
            "1",
            "--without-gossip",
            "--without-mingle",
            "-n",
            f"runtime-{uuid.uuid4().hex[:6]}@%h",
        ],
        "beat": [
            str(BIN / "celery"),
            "-A",
            "masportal",
            "beat",
            "-l",
            "info",
            "--schedule",
            str(work / "celerybeat-schedule"),
        ],
    }
    running = {
        name: subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=logs[name], stderr=subprocess.STDOUT)  # noqa: S603
        for name, cmd in procs.items()
    }
    ok = False
    try:
        deadline = time.monotonic() + 90
        # The web server answers its liveness endpoint.
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/livez", timeout=5) as response:  # noqa: S310
                    assert response.status == 200
                break
            except OSError:
                if time.monotonic() > deadline or running["web"].poll() is not None:
                    raise SystemExit("runtime check: gunicorn did not answer /livez") from None
                time.sleep(0.5)
        print(f"  web: gunicorn answers /livez on port {port}")
        # A notification written now is delivered by the worker (e-mail to the file back end).
        key = f"runtime-check-{uuid.uuid4().hex}"
        script = (
            "from django.contrib.auth import get_user_model; from django.db import transaction;"
            "from core.services import notify;"
            "u, _ = get_user_model().objects.get_or_create(username='runtime-check', "
            "defaults={'email': 'runtime-check@example.se', 'is_active': False});"
            "transaction.atomic()(lambda: notify(recipients=[u], kind='runtime', subject='Runtime check', "
            f"dedupe_key='{key}'))()"
        )
        run(python, "manage.py", "shell", "-c", script)
        check = (
            "from core.models import Notification, Heartbeat;"
            f"n = Notification.objects.get(dedupe_key='{key}');"
            "print(n.email_status, ','.join(Heartbeat.objects.values_list('source', flat=True)))"
        )
        state = beats = ""
        while time.monotonic() < deadline:
            for name, proc in running.items():
                if proc.poll() is not None:
                    raise SystemExit(f"runtime check: {name} exited with {proc.returncode}")
            out = (
                subprocess.run(  # noqa: S603, S607
                    [python, "manage.py", "shell", "-c", check],
                    cwd=ROOT,
                    env=env,  # noqa: S603
                    capture_output=True,
                    text=True,
                    check=True,
                )
                .stdout.strip()
                .splitlines()[-1]
                .split()
            )
            state, beats = out[0], (out[1] if len(out) > 1 else "")
            if state == "sent" and "beat" in beats.split(","):
                break
            time.sleep(1)
        mails = list((work / "var" / "mail").glob("*.log"))
        if state != "sent" or not mails:
            raise SystemExit(f"runtime check: the worker did not deliver the notification (state {state!r})")
        print("  worker: delivered the notification e-mail through Redis")
        if "beat" not in beats.split(","):
            raise SystemExit("runtime check: beat recorded no heartbeat")
        print("  beat: heartbeat recorded")
        ok = True
    finally:
        for proc in running.values():
            proc.terminate()
        for proc in running.values():
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        if not ok:
            for name, log in logs.items():
                log.seek(0)
                print(f"----- {name} -----\n{log.read()[-4000:]}", file=sys.stderr)
    print("==> Runtime check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
