"""Load the demo organisation and its events. Running it twice changes nothing."""

from importlib import import_module

from django.core.management.base import BaseCommand
from django.utils import timezone

# Each app's demo module has ``load(today=…)``; order matters (the register first).
DEMO_MODULES = ("responsibility.demo", "incidents.demo", "followup.demo", "complaints.demo", "reports.demo")


class Command(BaseCommand):
    help = "Load the demo municipality (SPEC §9): regions, boards, units, providers, people, events."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dev-idp",
            metavar="ISSUER",
            default="",
            help="Configure the demo's OpenID Connect provider at this issuer (the development IdP that "
            "scripts/start runs); without it the demo's provider is deactivated.",
        )

    def handle(self, *args, **options):
        today = timezone.localdate()
        for path in DEMO_MODULES:
            try:
                module = import_module(path)
            except ModuleNotFoundError as exc:
                if exc.name == path:
                    continue
                raise
            module.load(today=today)
            self.stdout.write(f"{path}: ok")
        from accounts.demo import configure_dev_idp

        provider = configure_dev_idp(issuer=options["dev_idp"])
        if provider is not None and provider.is_active:
            self.stdout.write(f"accounts.demo: {provider.name} at {provider.issuer}")
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
