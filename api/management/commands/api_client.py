"""Create, list and revoke API clients (the token is printed once, at creation)."""

import json
from datetime import date, datetime, time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from api.models import ApiClient
from api.services import api_client_create, api_client_revoke
from responsibility.models import Board, CareProvider, Municipality


def _client_dict(client: ApiClient) -> dict:
    return {
        "id": client.key_id,
        "name": client.name,
        "municipality": client.municipality.code,
        "scopes": client.scopes,
        "boards": sorted(b.code for b in client.boards.all()),
        "provider": client.provider.name if client.provider_id else None,
        "created_at": client.created_at.isoformat(),
        "expires_at": client.expires_at.isoformat() if client.expires_at else None,
        "revoked_at": client.revoked_at.isoformat() if client.revoked_at else None,
        "last_used_at": client.last_used_at.isoformat() if client.last_used_at else None,
    }


class Command(BaseCommand):
    help = "Manage API clients: create (prints the token once), list, revoke."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create")
        create.add_argument("--municipality", required=True, help="Municipality code.")
        create.add_argument("--name", required=True)
        create.add_argument("--scopes", required=True, help="Comma-separated, e.g. read:register,write:deviations")
        create.add_argument("--board", action="append", default=[], help="Board code (repeat for several).")
        create.add_argument("--provider", type=int, help="Care provider id: only its units.")
        create.add_argument("--expires", help="YYYY-MM-DD (default: no expiry).")
        create.add_argument("--format", choices=["text", "json"], default="text")
        listing = sub.add_parser("list")
        listing.add_argument("--municipality", help="Only this municipality's clients.")
        listing.add_argument("--format", choices=["text", "json"], default="text")
        revoke = sub.add_parser("revoke")
        revoke.add_argument("--name", required=True)
        revoke.add_argument("--municipality", help="Municipality code (needed when the name is not unique).")

    def handle(self, *args, **options):
        getattr(self, f"_{options['action']}")(options)

    def _create(self, options):
        municipality = Municipality.objects.filter(code=options["municipality"]).first()
        if municipality is None:
            raise CommandError(f"Unknown municipality code {options['municipality']!r}.")
        boards = []
        for code in options["board"]:
            board = Board.objects.filter(municipality=municipality, code=code).first()
            if board is None:
                raise CommandError(f"Unknown board code {code!r} in {municipality.code}.")
            boards.append(board)
        provider = None
        if options["provider"]:
            provider = CareProvider.objects.filter(municipality=municipality, pk=options["provider"]).first()
            if provider is None:
                raise CommandError(f"Unknown care provider {options['provider']} in {municipality.code}.")
        expires_at = None
        if options["expires"]:
            try:
                day = date.fromisoformat(options["expires"])
            except ValueError as exc:
                raise CommandError("Invalid --expires: use YYYY-MM-DD.") from exc
            expires_at = timezone.make_aware(datetime.combine(day, time.max.replace(microsecond=0)))
        scopes = [s.strip() for s in options["scopes"].split(",") if s.strip()]
        try:
            result = api_client_create(
                municipality=municipality,
                name=options["name"],
                scopes=scopes,
                boards=boards,
                provider=provider,
                expires_at=expires_at,
            )
        except ValidationError as exc:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from exc
        if options["format"] == "json":
            self.stdout.write(
                json.dumps({**_client_dict(result.client), "token": result.token}, ensure_ascii=False, indent=2)
            )
            return
        self.stdout.write(f"Client {result.client.name} ({result.client.key_id}) created.")
        self.stdout.write(f"Token (shown once): {result.token}")

    def _list(self, options):
        clients = ApiClient.objects.select_related("municipality", "provider").prefetch_related("boards")
        if options["municipality"]:
            clients = clients.filter(municipality__code=options["municipality"])
        rows = [_client_dict(c) for c in clients]
        if options["format"] == "json":
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        for row in rows:
            state = "revoked" if row["revoked_at"] else "active"
            self.stdout.write(f"{row['municipality']}\t{row['name']}\t{','.join(row['scopes'])}\t{state}")

    def _revoke(self, options):
        clients = ApiClient.objects.filter(name=options["name"])
        if options["municipality"]:
            clients = clients.filter(municipality__code=options["municipality"])
        found = list(clients[:2])
        if not found:
            raise CommandError(f"No API client named {options['name']!r}.")
        if len(found) > 1:
            raise CommandError("Several clients have this name: give --municipality.")
        api_client_revoke(client=found[0])
        self.stdout.write(f"Client {found[0].name} revoked.")
