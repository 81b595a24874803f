"""The register's version row and the database triggers that raise it (issue 17).

What the triggers watch and how, per database: ``responsibility/register_triggers.py`` (also re-installed after
every ``migrate``). A database without triggers here keeps no version row, so nothing is ever cached there.
"""

from django.conf import settings
from django.db import migrations, models

from responsibility import register_triggers


def create_triggers(apps, schema_editor):
    connection = schema_editor.connection
    if register_triggers.install(apps, connection):
        apps.get_model("responsibility", "RegisterVersion").objects.using(connection.alias).get_or_create(pk=1)


def drop_triggers(apps, schema_editor):
    register_triggers.remove(apps, schema_editor.connection)


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
