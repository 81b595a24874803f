"""The demo's identity provider: the development OpenID Connect provider that ``scripts/start`` runs.

``load_demo --dev-idp ISSUER`` configures it for the demo municipality (linking by HSA-id) and gives
the people who log in there the HSA-ids it sends; ``load_demo`` without it deactivates it, so the
login page never shows a button for an IdP that is not running. The IdP's side (its users,
passwords and client) is ``devidp/demo.json``; the values here must match it.
"""

from __future__ import annotations

from django.db import transaction

from accounts import services
from accounts.models import IdentityProvider, PersonIdentifier, ProviderKind
from responsibility.models import Municipality, Person

MUNICIPALITY_CODE = "stockholm"
NAME = "Demo-IdP"
CLIENT_ID = "masportal-demo"
CLIENT_SECRET = "demo-idp-secret"  # noqa: S105 - the development IdP's client, public by design (README)
# The people of the demo register who log in at the development IdP (by e-mail): the HSA-id it sends.
HSA_IDS = {
    "mas-vastra-soderort@demo.masportalen.se": "SE2120000142-D001",
    "nurse-hage-01@demo.masportalen.se": "SE2120000142-D002",
}


@transaction.atomic
def configure_dev_idp(*, issuer: str | None) -> IdentityProvider | None:
    """Point the demo's provider at the development IdP's ``issuer``; without one, deactivate it."""
    municipality = Municipality.objects.filter(code=MUNICIPALITY_CODE).first()
    if municipality is None:
        return None
    existing = IdentityProvider.objects.filter(municipality=municipality, name=NAME).first()
    if not issuer:
        if existing is not None and existing.is_active:
            existing.is_active = False
            existing.save(update_fields=["is_active"])
        return existing
    for email, hsa_id in HSA_IDS.items():
        person = Person.objects.filter(municipality=municipality, email=email).first()
        if person is not None:
            PersonIdentifier.objects.update_or_create(
                municipality=municipality, claim="hsa_id", value=hsa_id, defaults={"person": person}
            )
    return services.provider_save(
        municipality=municipality,
        provider=existing,
        secret=CLIENT_SECRET,
        kind=ProviderKind.OIDC,
        name=NAME,
        slug="demo-idp",
        issuer=issuer,
        client_id=CLIENT_ID,
        link_claim="hsa_id",
        logout_at_idp=True,
        is_active=True,
    )
