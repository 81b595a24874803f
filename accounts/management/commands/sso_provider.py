"""Configure a municipality's identity providers: add, list (JSON), remove. Secrets are never printed."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from django.utils.text import slugify

from accounts import services
from accounts.models import IdentityProvider, ProviderKind
from responsibility.models import Municipality

# The SAML attribute mapping's flags and the provider fields they set.
SAML_FLAGS = {
    "--id-attribute": "saml_id_attribute",
    "--email-attribute": "saml_email_attribute",
    "--given-name-attribute": "saml_given_name_attribute",
    "--surname-attribute": "saml_surname_attribute",
    "--groups-attribute": "saml_groups_attribute",
}


class Command(BaseCommand):
    help = "Add, list or remove the identity providers (OIDC, SAML) of a municipality."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add")
        add.add_argument("--municipality", required=True)
        add.add_argument("--kind", required=True, choices=[k.value for k in ProviderKind])
        add.add_argument("--name", required=True)
        add.add_argument("--issuer", default="")
        add.add_argument("--client-id", default="")
        add.add_argument("--client-secret", default="", help="Stored encrypted; or use --client-secret-env.")
        add.add_argument("--client-secret-env", default="", help="Name of an environment variable with the secret.")
        add.add_argument("--metadata", default="", help="SAML metadata: a URL or a file.")
        add.add_argument("--entity-id", default="")
        add.add_argument("--link-claim", default="email")
        add.add_argument("--admin-group", default="", help="IdP group that grants register admin (optional).")
        add.add_argument("--groups-claim", help="OIDC: the claim with the user's groups (default groups).")
        add.add_argument(
            "--require-signed-logout",
            action=argparse.BooleanOptionalAction,
            help="SAML: refuse unsigned LogoutRequests/LogoutResponses from the IdP (default on for a new provider).",
        )
        mapping = add.add_argument_group("SAML attribute mapping (defaults: the Sambi/SITHS names)")
        for flag, field in SAML_FLAGS.items():
            default = IdentityProvider._meta.get_field(field).default
            mapping.add_argument(flag, help=f"default {default}; an empty value leaves it unmapped")
        lst = sub.add_parser("list")
        lst.add_argument("--municipality")
        lst.add_argument("--format", choices=["json", "text"], default="text")
        rm = sub.add_parser("remove")
        rm.add_argument("--municipality", required=True)
        rm.add_argument("--name", required=True)

    def handle(self, *args, **opts):
        getattr(self, f"_{opts['action']}")(opts)

    @staticmethod
    def _municipality(code: str) -> Municipality:
        municipality = Municipality.objects.filter(code=code).first()
        if municipality is None:
            raise CommandError(f"No municipality with code {code!r}.")
        return municipality

    def _add(self, opts):
        municipality = self._municipality(opts["municipality"])
        fields = {
            "kind": opts["kind"],
            "name": opts["name"],
            "slug": slugify(opts["name"])[:40] or "idp",
            "issuer": opts["issuer"],
            "client_id": opts["client_id"],
            "secret_env": opts["client_secret_env"],
            "entity_id": opts["entity_id"],
            "link_claim": opts["link_claim"],
            "admin_group": opts["admin_group"],
            "is_active": True,  # adding a removed (deactivated) provider again brings it back
        }
        # New flags change only what they name (a provider added again keeps the rest).
        optional = {"groups_claim": opts["groups_claim"], "require_signed_logout": opts["require_signed_logout"]}
        optional.update({field: opts[flag.removeprefix("--").replace("-", "_")] for flag, field in SAML_FLAGS.items()})
        fields.update({field: value for field, value in optional.items() if value is not None})
        metadata = opts["metadata"]
        if metadata.startswith(("http://", "https://")):
            fields["metadata_url"] = metadata
        elif metadata:
            path = Path(metadata)
            if not path.is_file():
                raise CommandError(f"No metadata file {metadata}.")
            fields["metadata_xml"] = path.read_text(encoding="utf-8")
        existing = IdentityProvider.objects.filter(municipality=municipality, name=opts["name"]).first()
        try:
            provider = services.provider_save(
                municipality=municipality, provider=existing, secret=opts["client_secret"], **fields
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(
            f"{'Changed' if existing else 'Added'} {provider.name} ({provider.get_kind_display()}) "
            f"for {municipality.code}: {login_url(provider)}"
        )

    def _list(self, opts):
        qs = IdentityProvider.objects.filter(is_active=True).select_related("municipality")
        if opts["municipality"]:
            qs = qs.filter(municipality=self._municipality(opts["municipality"]))
        rows = [
            {
                "municipality": p.municipality.code,
                "kind": p.kind,
                "name": p.name,
                "login_url": login_url(p),
                "link_claim": p.link_claim,
                "admin_group": p.admin_group,
                "groups": p.groups_key if p.kind == ProviderKind.OIDC else p.saml_groups_attribute,
                **(
                    {"attributes": p.saml_attributes, "require_signed_logout": p.require_signed_logout}
                    if p.kind == ProviderKind.SAML
                    else {}
                ),
                "secret_set": p.has_secret,
            }
            for p in qs.order_by("municipality__code", "name")
        ]
        if opts["format"] == "json":
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
        else:
            for row in rows:
                self.stdout.write(f"{row['municipality']}\t{row['kind']}\t{row['name']}\t{row['login_url']}")

    def _remove(self, opts):
        municipality = self._municipality(opts["municipality"])
        provider = IdentityProvider.objects.filter(municipality=municipality, name=opts["name"]).first()
        if provider is None:
            raise CommandError(f"No provider {opts['name']!r} in {municipality.code}.")
        self.stdout.write(f"{opts['name']}: {services.provider_remove(provider=provider)}")


def login_url(provider: IdentityProvider) -> str:
    if provider.kind == ProviderKind.SAML:
        return reverse("saml_login", kwargs={"organization_slug": provider.provider_id})
    return reverse("openid_connect_login", kwargs={"provider_id": provider.provider_id})
