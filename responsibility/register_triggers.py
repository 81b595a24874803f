"""The database triggers that raise the register's version (:class:`~responsibility.models.RegisterVersion`).

Every insert, update and delete on a table the resolver reads (assignments, operating periods, contracts,
units, boards, regions, care providers, people, and a login's name, e-mail and active flag) raises
``responsibility_registerversion.version``: written by the database itself, so bulk updates, imports, raw SQL
and the admin are covered as well as the services.

PostgreSQL: a deferred constraint trigger per row raises the number once per transaction at commit (the row
lock is taken last and held briefly, so concurrent register writers do not deadlock on it), and a statement
trigger marks the transaction as one that wrote the register (``masportal.register_written``), so that it
never reads a cached index from before its own writes. SQLite (one writer at a time): a row trigger per
event raises the number at once. The number raised to is at least the clock in microseconds, so it never
repeats after the database is restored to an earlier state (a backup, the test suite's snapshot).

Installed by migration ``responsibility/0007_register_version`` and again after every ``migrate``
(``post_migrate``): SQLite drops a table's triggers when a later migration rebuilds the table.
"""

from __future__ import annotations

from django.conf import settings

REGISTER_MODELS = ("Assignment", "UnitOperatingPeriod", "Contract", "Unit", "Board", "Region", "CareProvider", "Person")
# A login's columns the routing reads (its notices go to active logins); last_login and the password do not count.
LOGIN_COLUMNS = ("is_active", "email", "username", "first_name", "last_name")
VERSION_TABLE = "responsibility_registerversion"

_PG_FUNCTIONS = """
CREATE OR REPLACE FUNCTION responsibility_register_written() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('masportal.register_written', 'on', true);
    RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION responsibility_register_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('masportal.register_bumped', true) IS DISTINCT FROM 'on' THEN
        UPDATE responsibility_registerversion
           SET version = GREATEST(version + 1, (EXTRACT(EPOCH FROM clock_timestamp()) * 1000000)::bigint);
        PERFORM set_config('masportal.register_bumped', 'on', true);
    END IF;
    RETURN NULL;
END $$;
"""
# The next version is at least the clock in microseconds: a database restored to an earlier version (a backup,
# the test suite's demo snapshot) never hands out again a number an index was cached under before the restore.
_SQLITE_BODY = (
    "BEGIN UPDATE responsibility_registerversion"
    " SET version = max(version + 1, CAST((julianday('now') - 2440587.5) * 86400000000.0 AS INTEGER)); END"
)
_PG_SUFFIXES = ("register_written", "register_bump", "register_truncate")
_SQLITE_EVENTS = ("insert", "update", "delete")


def tables(apps) -> list[tuple[str, tuple[str, ...] | None]]:
    """Each table the triggers watch, with the columns an update must touch (None: any)."""
    watched = [(apps.get_model("responsibility", name)._meta.db_table, None) for name in REGISTER_MODELS]
    app_label, model_name = settings.AUTH_USER_MODEL.split(".")
    watched.append((apps.get_model(app_label, model_name)._meta.db_table, LOGIN_COLUMNS))
    return watched


def _postgresql(table: str, columns, quote) -> list[str]:
    update = f"UPDATE OF {', '.join(quote(c) for c in columns)}" if columns else "UPDATE"
    name = {suffix: quote(f"{table}_{suffix}") for suffix in _PG_SUFFIXES}
    return [
        *(f"DROP TRIGGER IF EXISTS {n} ON {quote(table)}" for n in name.values()),
        f"CREATE TRIGGER {name['register_written']} AFTER INSERT OR {update} OR DELETE OR TRUNCATE "
        f"ON {quote(table)} FOR EACH STATEMENT EXECUTE FUNCTION responsibility_register_written()",
        f"CREATE CONSTRAINT TRIGGER {name['register_bump']} AFTER INSERT OR {update} OR DELETE "
        f"ON {quote(table)} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
        "EXECUTE FUNCTION responsibility_register_bump()",
        f"CREATE TRIGGER {name['register_truncate']} AFTER TRUNCATE ON {quote(table)} "
        "FOR EACH STATEMENT EXECUTE FUNCTION responsibility_register_bump()",
    ]


def _sqlite(table: str, columns, quote) -> list[str]:
    body = _SQLITE_BODY
    statements = []
    for event in _SQLITE_EVENTS:
        on = f"UPDATE OF {', '.join(quote(c) for c in columns)}" if event == "update" and columns else event.upper()
        trigger = quote(f"{table}_register_{event}")
        statements.append(f"DROP TRIGGER IF EXISTS {trigger}")
        statements.append(f"CREATE TRIGGER {trigger} AFTER {on} ON {quote(table)} {body}")
    return statements


def install(apps, connection) -> bool:
    """Create (or re-create) the triggers on ``connection``; False on a database without trigger support here."""
    quote = connection.ops.quote_name
    if connection.vendor == "postgresql":
        statements = [_PG_FUNCTIONS] + [s for t, c in tables(apps) for s in _postgresql(t, c, quote)]
    elif connection.vendor == "sqlite":
        statements = [s for t, c in tables(apps) for s in _sqlite(t, c, quote)]
    else:
        return False
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    return True


def remove(apps, connection) -> None:
    """Drop the triggers and their functions."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table, _columns in tables(apps):
            if connection.vendor == "postgresql":
                for suffix in _PG_SUFFIXES:
                    cursor.execute(f"DROP TRIGGER IF EXISTS {quote(f'{table}_{suffix}')} ON {quote(table)}")
            elif connection.vendor == "sqlite":
                for event in _SQLITE_EVENTS:
                    cursor.execute(f"DROP TRIGGER IF EXISTS {quote(f'{table}_register_{event}')}")
        if connection.vendor == "postgresql":
            cursor.execute("DROP FUNCTION IF EXISTS responsibility_register_written()")
            cursor.execute("DROP FUNCTION IF EXISTS responsibility_register_bump()")


def reinstall_after_migrate(sender, app_config=None, using="default", apps=None, plan=None, **kwargs) -> None:
    """``post_migrate``: put the triggers back (SQLite loses a table's triggers when a migration rebuilds it)."""
    from django.db import connections

    if apps is None or plan is None:
        return
    connection = connections[using]
    if VERSION_TABLE not in connection.introspection.table_names():
        return  # migrated back before 0007
    install(apps, connection)
