"""Erase a user (GDPR): their acts are kept and shown as "Borttagen användare"; their login row is deleted."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from core.users import ERASED_USERNAME, user_erase


class Command(BaseCommand):
    help = (
        "Erase a user for GDPR: every record they acted on keeps the act, shown as 'Borttagen användare'; "
        "the user row is deleted. To remove access only, deactivate the user instead."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--yes", action="store_true", help="confirm: the erasure cannot be undone")

    def handle(self, *args, **options):
        username = options["username"]
        if username == ERASED_USERNAME:
            raise CommandError("That is the marker account of erased users.")
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        if not options["yes"]:
            raise CommandError("Erasure cannot be undone: run again with --yes.")
        moved = user_erase(user=user)
        self.stdout.write(f"Erased {username}: {moved} records now point at the erased-user marker.")
