"""One migrated test database per ``scripts/test`` run and backend, copied for every pytest-xdist worker and phase.

``migrate`` from nothing costs some 20 s of CPU (Django renders the migration state thousands of times); without
this, each worker of each phase pays it again (2 workers × 2 phases × 2 backends). With
``MASPORTAL_TEST_DB_TEMPLATE=<tag>`` set (``scripts/test`` sets it), the first worker to need a test database
creates a template the ordinary way (``create_test_db``: ``migrate``, with its ``post_migrate``) and every worker
gets a copy of it (PostgreSQL: ``CREATE DATABASE … TEMPLATE``; SQLite: the sqlite3 backup API). A copy holds
exactly the rows and schema a fresh ``migrate`` leaves. Without the variable, test databases are created as usual.
``python -m tests.dbtemplate drop`` removes the run's template (``scripts/test`` does when a backend is done).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
import sys

from django.conf import settings
from django.core.management import call_command

ENV = "MASPORTAL_TEST_DB_TEMPLATE"


def tag() -> str:
    return os.environ.get(ENV, "").strip()


def install() -> None:
    """Make the default connection's ``create_test_db`` copy the run's template (when ``ENV`` names one)."""
    from django.db import connection

    if not tag() or getattr(connection.creation, "_masportal_template", False):
        return
    creation = connection.creation
    original = creation.create_test_db

    def create_test_db(verbosity=1, autoclobber=False, serialize=True, keepdb=False):
        if keepdb:
            return original(verbosity=verbosity, autoclobber=autoclobber, serialize=serialize, keepdb=keepdb)
        return _create_from_template(creation, original, verbosity=verbosity, serialize=serialize)

    creation.create_test_db = create_test_db
    creation._masportal_template = True


def _names(connection) -> tuple[str, str]:
    """The template's database name (PostgreSQL) or file (SQLite), and the lock file that guards it."""
    var = settings.VAR_DIR
    var.mkdir(parents=True, exist_ok=True)
    base = f"test-template-{tag()}-{connection.vendor}"
    lock = str(var / f"{base}.lock")
    if connection.vendor == "sqlite":
        return str(var / f"{base}.sqlite3"), lock
    return f"test_masportal_template_{tag()}"[:63], lock


@contextlib.contextmanager
def _locked(path: str):
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _create_from_template(creation, original, *, verbosity: int, serialize: bool) -> str:
    connection = creation.connection
    alias = connection.alias
    test_name = creation._get_test_db_name()
    template, lock = _names(connection)
    with _locked(lock):
        if not os.path.exists(f"{lock}.ready"):
            _build(creation, original, template)
            with open(f"{lock}.ready", "w") as ready:
                ready.write(template)
        _copy(connection, template, test_name)
    # What create_test_db does after its migrate.
    connection.close()
    settings.DATABASES[alias]["NAME"] = test_name
    connection.settings_dict["NAME"] = test_name
    if serialize:
        connection._test_serialized_contents = creation.serialize_db_to_string()
    call_command("createcachetable", database=alias)
    connection.ensure_connection()
    if verbosity >= 1:
        creation.log(f"Copied test database for alias {alias!r} from the template {template!r}.")
    return test_name


def _build(creation, original, template: str) -> None:
    """Create the template with Django's own ``create_test_db`` under the template's name, then close it."""
    connection = creation.connection
    alias = connection.alias
    test_settings = connection.settings_dict["TEST"]
    saved = (test_settings.get("NAME"), connection.settings_dict["NAME"], settings.DATABASES[alias]["NAME"])
    test_settings["NAME"] = template
    try:
        original(verbosity=0, autoclobber=True, serialize=False, keepdb=False)
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.close()
    finally:
        test_settings["NAME"], connection.settings_dict["NAME"], settings.DATABASES[alias]["NAME"] = saved


def _copy(connection, template: str, test_name: str) -> None:
    if connection.vendor == "sqlite":
        for suffix in ("", "-wal", "-shm", "-journal"):
            with contextlib.suppress(FileNotFoundError):
                os.remove(test_name + suffix)
        source, target = sqlite3.connect(template), sqlite3.connect(test_name)
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
        return
    connection.close()
    qn = connection.ops.quote_name
    with connection.creation._nodb_cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {qn(test_name)}")
        cursor.execute(f"CREATE DATABASE {qn(test_name)} TEMPLATE {qn(template)}")


def drop() -> None:
    """Remove the run's template for the configured backend (``DATABASE_URL``)."""
    from django.db import connection

    if not tag():
        return
    template, lock = _names(connection)
    with _locked(lock):
        if connection.vendor == "sqlite":
            for suffix in ("", "-wal", "-shm", "-journal"):
                with contextlib.suppress(FileNotFoundError):
                    os.remove(template + suffix)
        else:
            with connection.creation._nodb_cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(template)}")
        with contextlib.suppress(FileNotFoundError):
            os.remove(f"{lock}.ready")
    with contextlib.suppress(FileNotFoundError):
        os.remove(lock)


if __name__ == "__main__" and sys.argv[1:] == ["drop"]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masportal.settings")
    django.setup()
    drop()
