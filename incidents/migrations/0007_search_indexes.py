"""GIN indexes for the global search's Swedish full-text match (PostgreSQL only).

The expressions are exactly what ``masportal.search`` asks for (Django's SearchVector over the
same fields), so the planner combines them with the visibility indexes instead of computing
to_tsvector for every deviation the user may see: a word search at 1M deviations took 314 ms
(Bitmap Heap Scan over 13,000 visible rows, to_tsvector on each) before this index.
SQLite has no full-text index here; its search is a plain contains match.
"""

from django.db import migrations

INDEXES = {
    "deviation_search_sv_idx": (
        "incidents_deviation",
        "to_tsvector('swedish'::regconfig, COALESCE(description, '') || ' ' || COALESCE(immediate_actions, ''))",
    ),
    "lexmariacase_search_sv_idx": (
        "incidents_lexmariacase",
        "to_tsvector('swedish'::regconfig, COALESCE(motivation, ''))",
    ),
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, (table, expression) in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (({expression}))")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("incidents", "0006_access_log_other_records")]

    operations = [migrations.RunPython(create, drop)]
