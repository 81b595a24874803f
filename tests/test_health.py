"""Health: /healthz follows the worker and beat; the compose stack's commands and healthchecks pass in production mode."""

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
import yaml
from cryptography.fernet import Fernet
from django.conf import settings
from django.db import connection
from django.test import override_settings

from core.models import Heartbeat
from core.services import heartbeat_record
from tests.processes import ROOT, db_url, free_port, start_worker, stop

VENV_BIN = str(Path(sys.executable).parent)


def _wait(predicate, *, timeout: float, procs=(), what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for proc in procs:
            assert proc.poll() is None, f"{proc.args} exited while waiting for {what}"
        if predicate():
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.django_db(transaction=True)
def test_healthz_is_200_with_all_up_and_503_with_the_worker_stopped(client):
    """With a real worker running and beat's heartbeat fresh /healthz is 200; once the worker stops it is 503."""
    from core.tasks import heartbeat

    queue = f"test-{uuid.uuid4().hex[:8]}"
    worker = start_worker(queue, capture=False)
    try:
        with override_settings(HEARTBEAT_MAX_AGE=4):
            heartbeat.apply_async(queue=queue)
            _wait(
                lambda: Heartbeat.objects.filter(source="worker").exists(),
                timeout=60,
                procs=[worker],
                what="the worker's heartbeat",
            )
            heartbeat_record(source="beat")
            response = client.get("/healthz")
            assert response.status_code == 200, response.json()
            assert response.json()["status"] == "ok"
            stop(worker)
            time.sleep(5)
            heartbeat_record(source="beat")  # beat goes on; only the worker is gone
            response = client.get("/healthz")
        assert response.status_code == 503
        body = response.json()
        assert (body["status"], body["worker"]["status"], body["beat"]["status"]) == ("degraded", "down", "up")
    finally:
        stop(worker)


@pytest.mark.django_db
def test_livez_answers_without_the_database(client, django_assert_num_queries):
    """The web container's liveness check costs no query and answers on any host over plain HTTP."""
    with django_assert_num_queries(0):
        response = client.get("/livez", HTTP_HOST="127.0.0.1:8000")
    assert response.status_code == 200
    assert response.content == b"ok\n"


def _healthcheck_argv(test: list[str]) -> list[str]:
    """A compose healthcheck ``test`` as the argv Docker runs."""
    if test[0] == "CMD":
        return test[1:]
    assert test[0] == "CMD-SHELL"
    return ["sh", "-c", test[1].replace("$$", "$")]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server on PATH")
def test_compose_stack_passes_its_healthchecks_in_production(tmp_path):
    """The compose commands of web, worker and beat, in production mode on PostgreSQL and Redis, pass the compose
    healthchecks run exactly as Docker runs them; /healthz then says ok. Published keys stop gunicorn."""
    if connection.vendor != "postgresql":
        pytest.skip("production refuses SQLite: runs in the PostgreSQL phase")
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    web_port, redis_port = free_port(), free_port()
    redis = subprocess.Popen(  # noqa: S603
        ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],  # noqa: S607
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    env = {
        "PATH": f"{VENV_BIN}:{os.environ['PATH']}",
        "HOME": str(tmp_path),
        "HOSTNAME": socket.gethostname(),
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "MASPORTAL_PATIENT_KEYS": Fernet.generate_key().decode(),
        "MASPORTAL_PATIENT_HASH_KEY": secrets.token_urlsafe(40),
        "DATABASE_URL": db_url(),
        "CELERY_BROKER_URL": f"redis://127.0.0.1:{redis_port}/0",
        "DJANGO_ALLOWED_HOSTS": "mas.example.se",
        "DJANGO_CSRF_TRUSTED_ORIGINS": "https://mas.example.se",
        "MASPORTAL_VAR_DIR": str(tmp_path / "var"),
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
    }

    def port(value):
        return [part.replace("8000", str(web_port)) for part in value]

    logs = {name: open(tmp_path / f"{name}.log", "w+") for name in ("web", "worker", "beat", "bad")}  # noqa: SIM115
    procs = {}
    try:
        # The image's build step (Dockerfile): static files with their manifest, no keys needed.
        subprocess.run(
            ["python", "manage.py", "collectstatic", "--no-input", "-v0"],  # noqa: S603, S607
            cwd=ROOT,  # noqa: S607
            env={k: v for k, v in env.items() if "KEY" not in k},
            check=True,
            timeout=300,
        )
        for name in ("web", "worker", "beat"):
            procs[name] = subprocess.Popen(  # noqa: S603, S607
                port(services[name]["command"]),
                cwd=ROOT,
                env=env,  # noqa: S603
                stdout=logs[name],
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

        def healthy(name) -> bool:
            check = _healthcheck_argv(port(services[name]["healthcheck"]["test"]))
            return (
                subprocess.run(  # noqa: S603, S607
                    check,
                    cwd=ROOT,
                    env=env,
                    capture_output=True,
                    timeout=60,  # noqa: S603
                    check=False,
                ).returncode
                == 0
            )

        try:
            _wait(lambda: healthy("web"), timeout=90, procs=procs.values(), what="the web healthcheck")
            _wait(lambda: healthy("worker"), timeout=90, procs=procs.values(), what="the worker healthcheck")
            _wait(lambda: healthy("beat"), timeout=120, procs=procs.values(), what="the beat healthcheck")

            def all_ok() -> bool:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{web_port}/healthz", timeout=10) as r:  # noqa: S310
                        return r.status == 200
                except urllib.error.HTTPError:
                    return False

            _wait(all_ok, timeout=90, procs=procs.values(), what="/healthz 200")
        except AssertionError:
            for name, log in logs.items():
                log.seek(0)
                print(f"----- {name} -----\n{log.read()[-3000:]}")
            raise
        # A request for the site itself on a foreign host is still refused (only the health answers bypass it).
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"http://127.0.0.1:{web_port}/login/", timeout=10)  # noqa: S310
        assert refused.value.code == 400

        # Published development keys: gunicorn (the compose command without migrate) refuses to start.
        gunicorn = port(services["web"]["command"])[-1].split("&&", 1)[1].split()
        gunicorn[gunicorn.index("--bind") + 1] = f"127.0.0.1:{free_port()}"
        bad_env = {
            **env,
            "DJANGO_SECRET_KEY": settings.DEV_SECRET_KEY,
            "MASPORTAL_PATIENT_KEYS": settings.DEV_PATIENT_KEY,
        }
        bad = subprocess.run(  # noqa: S603, S607
            gunicorn,
            cwd=ROOT,
            env=bad_env,
            stdout=logs["bad"],
            stderr=subprocess.STDOUT,  # noqa: S603
            timeout=60,
            check=False,
        )
        logs["bad"].seek(0)
        output = logs["bad"].read()
        assert bad.returncode != 0
        assert "masportal.E002" in output
        assert "masportal.E011" in output
    finally:
        stop(*procs.values())
        stop(redis)
