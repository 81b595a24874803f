"""The base models moved from masportal to core (issue 18) without touching their tables.

A database made with the old layout (the models in ``masportal``) migrates to the new one: rows stay
readable through ``core.models``, the content types are relabelled, so a permission granted on the old
``masportal.view_notification`` is the same row as ``core.view_notification``. The backward migration
relabels them again. (A fresh ``migrate`` is what every other test runs on.)
"""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

OLD_LAYOUT = [("masportal", "0004_notification_preference_and_digest"), ("core", None)]


def _migrate(targets=None):
    executor = MigrationExecutor(connection)
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    executor.loader.build_graph()
    return executor


@pytest.mark.django_db(transaction=True)
def test_database_of_the_old_layout_migrates_with_its_rows_and_permissions():
    from django.contrib.auth.models import Permission, User

    from core.models import Heartbeat, JobRun, Notification, NotificationPreference

    old = _migrate(OLD_LAYOUT).loader.project_state(OLD_LAYOUT[:1]).apps
    OldUser, ContentType = old.get_model("auth", "User"), old.get_model("contenttypes", "ContentType")
    assert ContentType.objects.filter(app_label="masportal", model="notification").exists()
    assert not ContentType.objects.filter(app_label="core").exists()
    user = OldUser.objects.create(username="before-the-move", email="b@example.org")
    old.get_model("auth", "User").user_permissions.through.objects.create(
        user_id=user.pk,
        permission_id=old.get_model("auth", "Permission")
        .objects.get(codename="view_notification", content_type__app_label="masportal")
        .pk,
    )
    old.get_model("masportal", "Notification").objects.create(
        recipient_id=user.pk, kind="k", subject="written before", dedupe_key="d"
    )
    old.get_model("masportal", "NotificationPreference").objects.create(user_id=user.pk, email_delivery="digest")
    old.get_model("masportal", "JobRun").objects.create(
        name="j", run_for=timezone.localdate(), started_at=timezone.now()
    )
    old.get_model("masportal", "Heartbeat").objects.create(source="worker", at=timezone.now())

    _migrate()

    moved = User.objects.get(username="before-the-move")
    assert Notification.objects.get(recipient=moved).subject == "written before"
    assert NotificationPreference.objects.get(user=moved).email_delivery == "digest"
    assert JobRun.objects.filter(name="j").count() == 1
    assert Heartbeat.objects.filter(source="worker").count() == 1
    assert moved.has_perm("core.view_notification")
    assert not Permission.objects.filter(content_type__app_label="masportal").exists()
    Notification.objects.create(recipient=moved, kind="k", subject="written after", dedupe_key="d2")
    assert Notification.objects.filter(recipient=moved).count() == 2
