"""The base layer's models, moved from the masportal app (issue 18): state only, the tables stay.

The tables keep their names (``db_table = "masportal_…"``); on a database made with the old layout
nothing is created or copied. The content types of the moved models are relabelled from ``masportal``
to ``core``, so permissions, admin log entries and guardian grants that point at them stay valid.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MODELS = ("heartbeat", "jobrun", "notification", "notificationpreference")


def _relabel(apps, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if not ContentType.objects.filter(app_label=new, model=model).exists():
            ContentType.objects.filter(app_label=old, model=model).update(app_label=new)


def relabel_content_types(apps, schema_editor) -> None:
    _relabel(apps, "masportal", "core")


def unrelabel_content_types(apps, schema_editor) -> None:
    _relabel(apps, "core", "masportal")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("contenttypes", "0002_remove_content_type_name"),
        # The tables were created (and are kept) by the masportal app's migrations.
        ("masportal", "0004_notification_preference_and_digest"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Heartbeat',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('source', models.CharField(max_length=20, unique=True, verbose_name='source')),
                        ('at', models.DateTimeField(verbose_name='at')),
                    ],
                    options={
                        'verbose_name': 'heartbeat',
                        'verbose_name_plural': 'heartbeats',
                        'db_table': 'masportal_heartbeat',
                    },
                ),
                migrations.CreateModel(
                    name='JobRun',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=60, verbose_name='job')),
                        ('run_for', models.DateField(verbose_name='run for date')),
                        ('started_at', models.DateTimeField(verbose_name='started')),
                        ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished')),
                        ('status', models.CharField(choices=[('running', 'Running'), ('ok', 'Finished'), ('failed', 'Failed')], default='running', max_length=10, verbose_name='status')),
                        ('counts', models.JSONField(blank=True, default=dict, verbose_name='counts')),
                        ('errors', models.TextField(blank=True, verbose_name='errors')),
                    ],
                    options={
                        'verbose_name': 'job run',
                        'verbose_name_plural': 'job runs',
                        'db_table': 'masportal_jobrun',
                        'ordering': ['-started_at', '-id'],
                        'indexes': [models.Index(fields=['name', '-started_at'], name='jobrun_name_started_idx')],
                    },
                ),
                migrations.CreateModel(
                    name='NotificationPreference',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('email_delivery', models.CharField(choices=[('immediate', 'An e-mail for each notification'), ('digest', 'One e-mail a day with all notifications (digest)')], default='immediate', max_length=10, verbose_name='e-mail delivery')),
                        ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='notification_preference', to=settings.AUTH_USER_MODEL, verbose_name='user')),
                    ],
                    options={
                        'verbose_name': 'notification preference',
                        'verbose_name_plural': 'notification preferences',
                        'db_table': 'masportal_notificationpreference',
                    },
                ),
                migrations.CreateModel(
                    name='Notification',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(max_length=60, verbose_name='kind')),
                        ('subject', models.CharField(max_length=200, verbose_name='subject')),
                        ('body', models.TextField(blank=True, verbose_name='text')),
                        ('link', models.CharField(blank=True, max_length=300, verbose_name='link')),
                        ('dedupe_key', models.CharField(max_length=200, verbose_name='de-duplication key')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                        ('read_at', models.DateTimeField(blank=True, null=True, verbose_name='read')),
                        ('email_status', models.CharField(choices=[('pending', 'Pending'), ('sending', 'Being sent'), ('sent', 'Sent'), ('failed', 'Failed'), ('skipped', 'No e-mail address'), ('in_digest', 'Sent in the daily digest')], default='pending', max_length=10, verbose_name='e-mail status')),
                        ('email_attempts', models.PositiveSmallIntegerField(default=0, verbose_name='e-mail attempts')),
                        ('email_sent_at', models.DateTimeField(blank=True, null=True, verbose_name='e-mail sent')),
                        ('email_claimed_at', models.DateTimeField(blank=True, null=True, verbose_name='e-mail attempt started')),
                        ('email_next_attempt_at', models.DateTimeField(blank=True, null=True, verbose_name='next e-mail attempt')),
                        ('email_error', models.CharField(blank=True, max_length=300, verbose_name='e-mail error')),
                        ('recipient', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to=settings.AUTH_USER_MODEL, verbose_name='recipient')),
                    ],
                    options={
                        'verbose_name': 'notification',
                        'verbose_name_plural': 'notifications',
                        'db_table': 'masportal_notification',
                        'ordering': ['-created_at', '-id'],
                        'indexes': [models.Index(fields=['email_status', 'id'], name='notification_outbox_idx'), models.Index(fields=['recipient', 'read_at'], name='notification_unread_idx')],
                        'constraints': [models.UniqueConstraint(fields=('recipient', 'dedupe_key'), name='notification_once_per_recipient')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(relabel_content_types, unrelabel_content_types, elidable=False),
    ]
