"""Writes: linking SSO logins to people, local accounts, deactivation, providers. Every change is in the history."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.crypto import encrypt
from accounts.models import (
    Account,
    IdentityProvider,
    LoginMethod,
    PendingLogin,
    PersonIdentifier,
    ProviderKind,
    RefusedLogin,
)
from responsibility.models import Municipality, Person
from responsibility.permissions import is_register_admin
from responsibility.tenancy import municipality_id_of

logger = logging.getLogger("accounts")

ADMIN_GROUP = "Registeradministratör (IdP)"
# The claims shown to the admin for a pending login (never tokens).
SHOWN_CLAIMS = ("sub", "name", "given_name", "family_name", "email", "email_verified", "hsa_id", "uid")


@dataclass(frozen=True)
class LinkOutcome:
    user: object | None
    person: Person | None


def admin_municipality(actor) -> int:
    """The municipality a register admin administers; refuses anyone else (and admins without a person)."""
    if not is_register_admin(actor):
        raise PermissionDenied
    municipality_id = municipality_id_of(actor)
    if municipality_id is None:
        raise PermissionDenied
    return municipality_id


def claims_of(sociallogin, provider: IdentityProvider) -> dict:
    """The IdP's claims (OIDC: ID token + userinfo) or attributes (SAML: mapped per provider).

    SAML attributes keep their own names (a linking claim may name one) and are also
    put under the claim names of the provider's mapping (``hsa_id``, ``email``,
    ``given_name``, ``family_name``, ``groups``).
    """
    data = sociallogin.account.extra_data or {}
    if provider.kind == ProviderKind.OIDC:
        claims = {**(data.get("id_token") or {}), **(data.get("userinfo") or {})}
    else:
        values = {k: v if isinstance(v, list) else [v] for k, v in data.items()}
        claims = {k: v[0] if len(v) == 1 else v for k, v in values.items()}
        for claim, attribute in provider.saml_attributes.items():
            if values.get(attribute):
                claims[claim] = values[attribute] if claim == "groups" else values[attribute][0]
        if "name" not in claims and (claims.get("given_name") or claims.get("family_name")):
            claims["name"] = f"{claims.get('given_name', '')} {claims.get('family_name', '')}".strip()
        claims["email_verified"] = True  # a signed SAML assertion vouches for its attributes
    claims.setdefault("sub", sociallogin.account.uid)
    return claims


def find_person(*, provider: IdentityProvider, claims: dict) -> Person | None:
    """The person the claims identify in the provider's municipality, or None (none, or more than one)."""
    value = claims.get(provider.link_claim)
    if not value or not isinstance(value, str):
        return None
    if provider.link_claim == "email":
        if claims.get("email_verified") not in (True, "true", "True", "1"):
            return None
        people = list(Person.objects.filter(municipality_id=provider.municipality_id, email__iexact=value)[:2])
    else:
        people = list(
            Person.objects.filter(
                municipality_id=provider.municipality_id,
                identifiers__claim=provider.link_claim,
                identifiers__value=value,
            )[:2]
        )
    return people[0] if len(people) == 1 else None


def _unique_username(base: str) -> str:
    base = re.sub(r"[^\w.@+-]", "", base)[:120] or "sso"
    users = get_user_model().objects
    candidate, n = base, 1
    while users.filter(username=candidate).exists():
        n += 1
        candidate = f"{base}{n}"
    return candidate


def _admin_group() -> Group:
    group, created = Group.objects.get_or_create(name=ADMIN_GROUP)
    if created:
        group.permissions.add(Permission.objects.get(content_type__app_label="responsibility", codename="change_unit"))
    return group


def groups_of(*, provider: IdentityProvider, claims: dict) -> list[str]:
    groups = claims.get(provider.groups_key) or []
    return [groups] if isinstance(groups, str) else [str(g) for g in groups]


def sync_admin_group(*, user, provider: IdentityProvider, claims: dict) -> None:
    """Grant or withdraw register admin after an SSO login, from the provider's configured IdP group.

    The role is granted when the login carries the group and the user's person is in the
    provider's municipality (their municipality is the one they administer); a login without
    the group (or through a provider without one) withdraws a role an IdP gave. A role from
    the register itself is never touched. The change is in the account's history.
    """
    account = Account.objects.select_for_update().get(user=user)
    person = getattr(user, "person", None)
    member = bool(
        provider.admin_group
        and person is not None
        and person.municipality_id == provider.municipality_id
        and provider.admin_group in groups_of(provider=provider, claims=claims)
    )
    if member == account.admin_from_idp:
        return
    if member:
        user.groups.add(_admin_group())
        reason = _("Register admin through the group %(group)s at %(provider)s")
    else:
        user.groups.remove(_admin_group())
        if provider.admin_group:
            reason = _("Register admin withdrawn: the login at %(provider)s lacked the group %(group)s")
        else:
            reason = _("Register admin withdrawn: %(provider)s grants it through no group")
    account.admin_from_idp = member
    account._change_reason = reason % {"group": provider.admin_group, "provider": provider.name}
    account.save(update_fields=["admin_from_idp"])
    logger.info(
        "SSO register admin %s for user %s (provider %s)", "granted" if member else "withdrawn", user.pk, provider.pk
    )


@transaction.atomic
def sso_login_link(*, request, provider: IdentityProvider, sociallogin) -> LinkOutcome:
    """Link an SSO login to its person; record it as pending when no person matches.

    A known login (the IdP's subject seen before) keeps its user. A new one is linked by
    the provider's claim: the person's existing login is connected, or a login without a
    password is created for the person.
    """
    claims = claims_of(sociallogin, provider)
    if sociallogin.is_existing:
        user = sociallogin.user
        person = getattr(user, "person", None)
        if user.is_active:
            Account.objects.get_or_create(user=user, defaults={"municipality_id": provider.municipality_id})
            sync_admin_group(user=user, provider=provider, claims=claims)
        return LinkOutcome(user=user, person=person)
    person = find_person(provider=provider, claims=claims)
    if person is None:
        shown = {k: claims[k] for k in SHOWN_CLAIMS if k in claims}
        if provider.link_claim in claims:
            shown[provider.link_claim] = claims[provider.link_claim]
        pending, created = PendingLogin.objects.get_or_create(
            provider=provider, subject=sociallogin.account.uid, defaults={"claims": shown}
        )
        if not created:
            pending.claims, pending.attempts, pending.resolved_at = shown, pending.attempts + 1, None
            pending.save(update_fields=["claims", "attempts", "resolved_at", "last_seen"])
        logger.info("SSO login without a matching person (provider %s, pending login %s)", provider.pk, pending.pk)
        return LinkOutcome(user=None, person=None)
    user = person.user
    if user is None:
        user = get_user_model()(
            username=_unique_username(
                claims.get("preferred_username") or claims.get("email") or f"{provider.slug}-{sociallogin.account.uid}"
            ),
            first_name=person.first_name,
            last_name=person.last_name,
            email=person.email,
        )
        user.set_unusable_password()  # SSO only: no password is stored
        user.save()
        person.user = user
        person.save(update_fields=["user"])
    Account.objects.update_or_create(
        user=user, defaults={"municipality_id": provider.municipality_id, "provider": provider}
    )
    sociallogin.connect(request, user)
    sync_admin_group(user=user, provider=provider, claims=claims)
    PendingLogin.objects.filter(provider=provider, subject=sociallogin.account.uid).update(resolved_at=timezone.now())
    logger.info("SSO login linked to person %s (provider %s)", person.pk, provider.pk)
    return LinkOutcome(user=user, person=person)


def login_recorded(*, user, method: str, provider_id: str | None) -> None:
    """Remember how the user last logged in (shown in the user administration)."""
    provider = None
    if provider_id:
        from accounts.selectors import provider_by_provider_id

        provider = provider_by_provider_id(provider_id)
    account = Account.objects.filter(user=user).first()
    if account is None:
        municipality_id = provider.municipality_id if provider else municipality_id_of(user)
        if municipality_id is None:
            return
        account = Account(user=user, municipality_id=municipality_id)
    account.last_method = method
    if provider is not None:
        account.provider = provider
    account.save()


def sso_refusal_record(*, provider: IdentityProvider, cause: str, detail: str) -> RefusedLogin:
    """Count a refused answer from an IdP (one row per provider, cause and day) and log it.

    ``detail`` is the protocol library's reason (never a token or an assertion).
    """
    detail = detail[:300]
    day = timezone.localdate()
    logger.warning("SSO login refused (provider %s, cause %s): %s", provider.pk, cause, detail)
    rows = RefusedLogin.objects.filter(provider=provider, cause=cause, day=day)

    def count() -> int:
        return rows.update(attempts=F("attempts") + 1, detail=detail, last_seen=timezone.now())

    with transaction.atomic():
        if not count():
            try:
                with transaction.atomic():
                    RefusedLogin.objects.create(provider=provider, cause=cause, day=day, detail=detail)
            except IntegrityError:  # another request counted the first one of the day
                count()
        return rows.get()


# --- User administration -------------------------------------------------------------------------------------------


def _person_of_municipality(person_id, municipality_id: int) -> Person:
    person = Person.objects.filter(pk=person_id, municipality_id=municipality_id).first()
    if person is None:
        raise ValidationError(_("Choose a person of your municipality."))
    return person


@transaction.atomic
def user_create_local(*, actor, person_id: int, username: str, password: str):
    """A local login (password, MFA) for a person of the admin's municipality who has none."""
    municipality_id = admin_municipality(actor)
    person = _person_of_municipality(person_id, municipality_id)
    if person.user_id:
        raise ValidationError(_("%(person)s already has a login.") % {"person": person})
    User = get_user_model()
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(_("The username is taken."))
    user = User(username=username, first_name=person.first_name, last_name=person.last_name, email=person.email)
    from django.contrib.auth.password_validation import validate_password

    validate_password(password, user)
    user.set_password(password)
    user.save()
    person.user = user
    person.save(update_fields=["user"])
    Account.objects.create(user=user, municipality_id=municipality_id, last_method="")
    logger.info("Local login %s created for person %s by user %s", user.pk, person.pk, actor.pk)
    return user


def _user_of_municipality(user_id: int, municipality_id: int):
    from accounts.selectors import users_of

    user = users_of(municipality_id=municipality_id).filter(pk=user_id).first()
    if user is None:
        raise PermissionDenied
    return user


@transaction.atomic
def user_link(*, actor, user_id: int, person_id: int):
    municipality_id = admin_municipality(actor)
    user = _user_of_municipality(user_id, municipality_id)
    person = _person_of_municipality(person_id, municipality_id)
    if person.user_id and person.user_id != user.pk:
        raise ValidationError(_("%(person)s already has another login.") % {"person": person})
    Person.objects.filter(user=user).exclude(pk=person.pk).update(user=None)
    person.user = user
    person.save(update_fields=["user"])
    Account.objects.get_or_create(user=user, defaults={"municipality_id": municipality_id})
    return user


@transaction.atomic
def user_unlink(*, actor, user_id: int):
    municipality_id = admin_municipality(actor)
    user = _user_of_municipality(user_id, municipality_id)
    Account.objects.get_or_create(user=user, defaults={"municipality_id": municipality_id})
    for person in Person.objects.filter(user=user):
        person.user = None
        person.save(update_fields=["user"])  # history row per person
    return user


@transaction.atomic
def user_set_active(*, actor, user_id: int, active: bool):
    """Deactivate (never delete) or reactivate a login; an admin cannot deactivate themself."""
    municipality_id = admin_municipality(actor)
    user = _user_of_municipality(user_id, municipality_id)
    if user.pk == actor.pk and not active:
        raise ValidationError(_("You cannot deactivate your own login."))
    if user.is_active != active:
        user.is_active = active
        user.save(update_fields=["is_active"])
    return user


@transaction.atomic
def pending_link(*, actor, pending_id: int, person_id: int) -> PersonIdentifier | None:
    """Record the pending login's identifier on the person: their next SSO login links."""
    municipality_id = admin_municipality(actor)
    pending = PendingLogin.objects.filter(pk=pending_id, provider__municipality_id=municipality_id).first()
    if pending is None:
        raise PermissionDenied
    person = _person_of_municipality(person_id, municipality_id)
    claim = pending.provider.link_claim
    value = pending.claims.get(claim)
    identifier = None
    if claim == "email":
        if not value:
            raise ValidationError(_("The login has no e-mail address to link by."))
        person.email = value
        person.save(update_fields=["email"])
    else:
        if not value:
            raise ValidationError(_("The login has no %(claim)s to link by.") % {"claim": claim})
        identifier, _created = PersonIdentifier.objects.update_or_create(
            municipality_id=municipality_id, claim=claim, value=value, defaults={"person": person}
        )
    pending.resolved_at = timezone.now()
    pending.save(update_fields=["resolved_at"])
    return identifier


# --- Providers -----------------------------------------------------------------------------------------------------


def provider_save(
    *, municipality: Municipality, provider: IdentityProvider | None = None, secret: str = "", **fields
) -> IdentityProvider:
    """Create or change a provider; a given secret is encrypted, an empty one leaves the stored one."""
    provider = provider or IdentityProvider(municipality=municipality)
    for name, value in fields.items():
        setattr(provider, name, value)
    if secret:
        provider.secret_encrypted = encrypt(secret)
        provider.secret_env = ""
    if provider.kind == ProviderKind.OIDC and not provider.issuer:
        raise ValidationError({"issuer": _("An OpenID Connect provider needs its issuer URL.")})
    if provider.kind == ProviderKind.SAML and not (provider.metadata_url or provider.metadata_xml):
        raise ValidationError({"metadata_url": _("A SAML IdP needs its metadata (a URL or a file).")})
    provider.full_clean()
    provider.save()
    return provider


def provider_remove(*, provider: IdentityProvider) -> str:
    """Remove a provider from the login page: deleted when nobody has used it, otherwise deactivated."""
    if provider.accounts.exists() or provider.pending_logins.exists():
        provider.is_active = False
        provider.save(update_fields=["is_active"])
        return "deactivated"
    provider.delete()
    return "deleted"


LOGIN_METHODS = {"openid_connect": LoginMethod.OIDC, "saml": LoginMethod.SAML}
