"""The Celery application of MAS-portalen."""

import os
import sys

from celery import Celery
from celery.signals import beat_init, before_task_publish, import_modules, worker_init, worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masportal.settings")

app = Celery("masportal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@before_task_publish.connect
def record_beat_heartbeat(sender=None, headers=None, **kwargs):
    """Record that beat is alive when it publishes the heartbeat task."""
    if sender != "masportal.heartbeat":
        return
    from core.services import heartbeat_record

    heartbeat_record(source="beat")


@import_modules.connect
def refuse_unsafe_configuration(sender=None, **kwargs):
    """Stop a production worker or beat before it touches the database or the broker, if the checks fail."""
    from django.core.exceptions import ImproperlyConfigured

    from masportal.checks import refuse_unsafe_start

    try:
        refuse_unsafe_start("worker/beat")
    except ImproperlyConfigured as exc:
        print(exc, file=sys.stderr, flush=True)
        raise SystemExit(1) from None


@worker_init.connect
@beat_init.connect
def say_infrastructure(sender=None, **kwargs):
    """State at start-up which database and broker this process uses."""
    from core.services import infrastructure_summary

    print(f"MAS-portalen {type(sender).__name__.lower()}: {infrastructure_summary()}", flush=True)


@worker_process_init.connect
def freeze_startup_objects(sender=None, **kwargs):
    """A worker process is ready: freeze its start-up objects (masportal.memory)."""
    from masportal.memory import freeze_startup_objects as freeze

    freeze()
