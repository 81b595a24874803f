"""The register's version row and the database triggers that raise it (issue 17).

Every insert, update and delete on a table the resolver reads (assignments, operating periods, contracts,
units, boards, regions, care providers, people, and a login's name, e-mail and active flag) raises
``responsibility_registerversion.version``: written by the database itself, so bulk updates, imports, raw SQL
and the admin are covered as well as the services. A resolver index cached across requests is keyed by it
(``responsibility.register_cache``).

PostgreSQL: a deferred constraint trigger per row raises the number once per transaction at commit (the row
lock is taken last and held briefly, so concurrent register writers cannot deadlock on it), and a statement
trigger marks the transaction as one that wrote the register (``masportal.register_written``), so that it
never reads a cached index from before its own writes. SQLite (one writer at a time): a row trigger per
event raises the number at once.
"""

from django.conf import settings
from django.db import migrations, models

REGISTER_MODELS = (
    "Assignment",
    "UnitOperatingPeriod",
    "Contract",
    "Unit",
    "Board",
    "Region",
    "CareProvider",
    "Person",
)
# A login's columns the routing reads (its notices go to active logins); last_login and the password do not count.
LOGIN_COLUMNS = ("is_active", "email", "username", "first_name", "last_name")

PG_FUNCTIONS = """
CREATE OR REPLACE FUNCTION responsibility_register_written() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('masportal.register_written', 'on', true);
    RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION responsibility_register_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('masportal.register_bumped', true) IS DISTINCT FROM 'on' THEN
        UPDATE responsibility_registerversion SET version = version + 1;
        PERFORM set_config('masportal.register_bumped', 'on', true);
    END IF;
    RETURN NULL;
END $$;
"""


def _tables(apps):
    tables = [(apps.get_model("responsibility", name)._meta.db_table, None) for name in REGISTER_MODELS]
    app_label, model_name = settings.AUTH_USER_MODEL.split(".")
    tables.append((apps.get_model(app_label, model_name)._meta.db_table, LOGIN_COLUMNS))
    return tables


def _postgresql(table, columns, quote):
    update = f"UPDATE OF {', '.join(quote(c) for c in columns)}" if columns else "UPDATE"
    return [
        f"CREATE TRIGGER {quote(f'{table}_register_written')} AFTER INSERT OR {update} OR DELETE OR TRUNCATE "
        f"ON {quote(table)} FOR EACH STATEMENT EXECUTE FUNCTION responsibility_register_written()",
        f"CREATE CONSTRAINT TRIGGER {quote(f'{table}_register_bump')} AFTER INSERT OR {update} OR DELETE "
        f"ON {quote(table)} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
        "EXECUTE FUNCTION responsibility_register_bump()",
        f"CREATE TRIGGER {quote(f'{table}_register_truncate')} AFTER TRUNCATE ON {quote(table)} "
        "FOR EACH STATEMENT EXECUTE FUNCTION responsibility_register_bump()",
    ]


def _sqlite(table, columns, quote):
    statements = []
    for event in ("INSERT", "UPDATE", "DELETE"):
        on = f"UPDATE OF {', '.join(quote(c) for c in columns)}" if event == "UPDATE" and columns else event
        statements.append(
            f"CREATE TRIGGER {quote(f'{table}_register_{event.lower()}')} AFTER {on} ON {quote(table)} "
            "BEGIN UPDATE responsibility_registerversion SET version = version + 1; END"
        )
    return statements


def create_triggers(apps, schema_editor):
    connection = schema_editor.connection
    apps.get_model("responsibility", "RegisterVersion").objects.using(connection.alias).get_or_create(pk=1)
    quote = connection.ops.quote_name
    if connection.vendor == "postgresql":
        statements = [PG_FUNCTIONS] + [s for t, c in _tables(apps) for s in _postgresql(t, c, quote)]
    elif connection.vendor == "sqlite":
        statements = [s for t, c in _tables(apps) for s in _sqlite(t, c, quote)]
    else:  # another database: no triggers, so the cache never trusts a version (no row is read as none)
        apps.get_model("responsibility", "RegisterVersion").objects.using(connection.alias).all().delete()
        return
    for statement in statements:
        schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    connection = schema_editor.connection
    quote = connection.ops.quote_name
    for table, _columns in _tables(apps):
        if connection.vendor == "postgresql":
            for suffix in ("register_written", "register_bump", "register_truncate"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {quote(f'{table}_{suffix}')} ON {quote(table)}")
        elif connection.vendor == "sqlite":
            for event in ("insert", "update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {quote(f'{table}_register_{event}')}")
    if connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS responsibility_register_written()")
        schema_editor.execute("DROP FUNCTION IF EXISTS responsibility_register_bump()")


class Migration(migrations.Migration):
    dependencies = [
        ("responsibility", "0006_municipality_followup_complaint_deadlines"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="RegisterVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("version", models.BigIntegerField(default=0, verbose_name="version")),
            ],
            options={
                "verbose_name": "register version",
                "verbose_name_plural": "register versions",
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
