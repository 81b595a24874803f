"""The base layer's models moved to the core app (issue 18): removed from masportal's state only.

The tables stay where they are; ``core.0001_initial`` takes the models over with the same tables.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("masportal", "0004_notification_preference_and_digest"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="Heartbeat"),
                migrations.DeleteModel(name="JobRun"),
                migrations.DeleteModel(name="NotificationPreference"),
                migrations.DeleteModel(name="Notification"),
            ],
            database_operations=[],
        ),
    ]
