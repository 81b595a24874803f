"""The web server as production runs it: gunicorn.conf.py (gthread, a process per CPU) and persistent
PostgreSQL connections checked before reuse (SQLite: one per request)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
PRINT = (
    "import json, masportal.settings as s; d = s.DATABASES['default'];"
    "print(json.dumps([d['ENGINE'], d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS']]))"
)


def _database_settings(**env) -> list:
    keep = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "PYTHONPATH", "MASPORTAL_VAR_DIR"}}
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", PRINT], cwd=ROOT, env={**keep, **env}, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"DATABASE_URL": "postgres://masportal:pw@db:5432/masportal"}, ["django.db.backends.postgresql", 60, True]),
        (
            {"DATABASE_URL": "postgres://masportal:pw@db:5432/masportal", "DJANGO_CONN_MAX_AGE": "0"},
            ["django.db.backends.postgresql", 0, True],
        ),
        ({}, ["django.db.backends.sqlite3", 0, False]),
    ],
)
def test_postgresql_connections_persist_with_health_checks_and_sqlite_ones_do_not(env, expected):
    """A web thread or worker reuses its PostgreSQL connection for 60 s (checked before reuse); the operator can
    turn it off; the embedded SQLite opens one per request."""
    assert _database_settings(**env) == expected


def _gunicorn_config(command: list[str], **env) -> dict[str, str]:
    """The settings gunicorn runs with when started as ``command`` from the repository (as from /app)."""
    assert command[0] == "gunicorn"
    keep = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    result = subprocess.run(  # noqa: S603
        [gunicorn, "--print-config", *command[1:]], cwd=ROOT, env={**keep, **env}, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    pairs = (line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)
    return {key.strip(): value.strip() for key, value in pairs}


def test_the_image_and_compose_start_gunicorn_with_gunicorn_conf():
    """The Dockerfile's and compose's web commands leave workers and threads to gunicorn.conf.py: gthread, a
    process per CPU (at least 2) with two threads, access log on stdout; the operator's variables win."""
    import yaml

    dockerfile = (ROOT / "Dockerfile").read_text()
    image = json.loads(dockerfile.split("\nCMD ", 1)[1].splitlines()[0])
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["web"]["command"]
    assert image == compose[-1].split("&&", 1)[1].split()
    config = _gunicorn_config(image)
    assert (config["worker_class"], config["threads"], config["accesslog"]) == ("gthread", "2", "-")
    assert int(config["workers"]) >= 2
    assert config["bind"] == "['0.0.0.0:8000']"
    config = _gunicorn_config(image, MASPORTAL_WEB_WORKERS="5", MASPORTAL_WEB_THREADS="3")
    assert (config["workers"], config["threads"]) == ("5", "3")


FREEZE = (
    "import django, gc, json, runpy, sys; django.setup();"
    "hooks = runpy.run_path('gunicorn.conf.py'); hooks['post_worker_init'](None);"
    "print(json.dumps([gc.get_freeze_count(), 'incidents.views' in sys.modules]))"
)


def test_a_web_worker_freezes_its_start_up_objects_after_loading_the_application():
    """gunicorn's post_worker_init imports the URLconf (every view) and freezes what start-up made, so the
    collector's full passes no longer walk it (on the 1M bench: 65 ms every dozen requests, now under 1 ms)."""
    keep = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "PYTHONPATH", "MASPORTAL_VAR_DIR"}}
    env = {**keep, "DJANGO_SETTINGS_MODULE": "masportal.settings"}
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", FREEZE], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    frozen, views_loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert views_loaded
    assert frozen > 50_000
