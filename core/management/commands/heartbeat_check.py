"""Exit 0 when the worker's or beat's heartbeat is recent, 1 otherwise (the compose healthcheck of beat)."""

from django.core.management.base import BaseCommand, CommandError

from core.services import heartbeat_state


class Command(BaseCommand):
    help = "Check that the worker's or beat's heartbeat is recent (exit status 1 if not)."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("source", choices=["worker", "beat"])

    def handle(self, *args, source, **options):
        state = heartbeat_state(source=source)
        if state["status"] != "up":
            raise CommandError(f"{source} heartbeat missing or older than the limit (last: {state['last_heartbeat']})")
        self.stdout.write(f"{source} up (last heartbeat {state['last_heartbeat']})")
