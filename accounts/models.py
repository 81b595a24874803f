"""Identity providers per municipality, the login state of each user, and logins waiting for a person.

Roles never come from here: what a user may do follows from their person's
assignments in the register. A provider may name one IdP group that grants the
register admin role (``admin_group``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from responsibility.models import Municipality, Person


class ProviderKind(models.TextChoices):
    OIDC = "oidc", _("OpenID Connect")
    SAML = "saml", _("SAML 2.0")


# Sambi/SITHS attribute names (the Swedish eID framework's and X.500's OIDs): the defaults of a SAML provider.
HSA_ID_ATTRIBUTE = "urn:oid:1.2.752.29.6.2.1"  # employeeHsaId
MAIL_ATTRIBUTE = "urn:oid:0.9.2342.19200300.100.1.3"
GIVEN_NAME_ATTRIBUTE = "urn:oid:2.5.4.42"
SURNAME_ATTRIBUTE = "urn:oid:2.5.4.4"
GROUPS_ATTRIBUTE = "urn:oid:1.3.6.1.4.1.5923.1.5.1.1"  # isMemberOf


class LoginMethod(models.TextChoices):
    PASSWORD = "password", _("Password")
    OIDC = "oidc", _("OpenID Connect")
    SAML = "saml", _("SAML 2.0")


class IdentityProvider(models.Model):
    """A municipality's IdP (OIDC or SAML) shown on the login page as "Logga in med <name>"."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="identity_providers", verbose_name=_("municipality")
    )
    kind = models.CharField(_("protocol"), max_length=8, choices=ProviderKind.choices)
    name = models.CharField(_("name"), max_length=80, help_text=_('Shown on the login page as "Log in with <name>".'))
    slug = models.SlugField(_("short name"), max_length=40)
    # OpenID Connect
    issuer = models.URLField(
        _("issuer"),
        blank=True,
        help_text=_("OpenID Connect: the issuer URL (its discovery document is read from .well-known)."),
    )
    client_id = models.CharField(_("client id"), max_length=200, blank=True)
    secret_encrypted = models.TextField(_("client secret (encrypted)"), blank=True, editable=False)
    secret_env = models.CharField(
        _("client secret from environment variable"),
        max_length=100,
        blank=True,
        help_text=_("Name of an environment variable holding the secret, instead of storing it."),
    )
    scopes = models.CharField(_("scopes"), max_length=200, default="openid email profile")
    # SAML 2.0
    metadata_url = models.URLField(_("metadata URL"), blank=True)
    metadata_xml = models.TextField(_("metadata (XML)"), blank=True)
    entity_id = models.CharField(_("IdP entity id"), max_length=300, blank=True)
    # SAML attribute mapping: which attribute carries what (each becomes the claim named in brackets).
    saml_id_attribute = models.CharField(
        _("attribute with the HSA-id (hsa_id)"),
        max_length=200,
        blank=True,
        default=HSA_ID_ATTRIBUTE,
        help_text=_("SAML: the stable identifier of the person; Sambi and SITHS send employeeHsaId."),
    )
    saml_email_attribute = models.CharField(
        _("attribute with the e-mail address (email)"), max_length=200, blank=True, default=MAIL_ATTRIBUTE
    )
    saml_given_name_attribute = models.CharField(
        _("attribute with the given name (given_name)"), max_length=200, blank=True, default=GIVEN_NAME_ATTRIBUTE
    )
    saml_surname_attribute = models.CharField(
        _("attribute with the surname (family_name)"), max_length=200, blank=True, default=SURNAME_ATTRIBUTE
    )
    saml_groups_attribute = models.CharField(
        _("attribute with the groups (groups)"),
        max_length=200,
        blank=True,
        default=GROUPS_ATTRIBUTE,
        help_text=_("SAML: the attribute listing the user's groups (isMemberOf by default)."),
    )
    require_signed_logout = models.BooleanField(
        _("require signed logout messages"),
        default=True,
        help_text=_(
            "SAML: a LogoutRequest or LogoutResponse from the IdP without a valid signature is refused "
            "(the session is kept), so nobody can end a user's session with a forged logout link."
        ),
    )
    # Linking and roles
    link_claim = models.CharField(
        _("linking claim"),
        max_length=80,
        default="email",
        help_text=_(
            'The claim or attribute that identifies the person: "hsa_id", "email" (verified e-mail) or '
            "another claim name."
        ),
    )
    groups_claim = models.CharField(
        _("groups claim"),
        max_length=80,
        default="groups",
        help_text=_("OpenID Connect: the claim listing the user's groups."),
    )
    admin_group = models.CharField(
        _("group that grants register admin"),
        max_length=200,
        blank=True,
        help_text=_(
            "Optional. A user whose login carries this group is register admin of this municipality; "
            "a later login without it takes the role away. Other roles always come from the register."
        ),
    )
    logout_at_idp = models.BooleanField(_("log out at the identity provider too"), default=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["secret_encrypted"])

    class Meta:
        verbose_name = _("identity provider")
        verbose_name_plural = _("identity providers")
        ordering = ["municipality__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "slug"], name="accounts_provider_slug_per_municipality"),
            models.UniqueConstraint(fields=["municipality", "name"], name="accounts_provider_name_per_municipality"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def provider_id(self) -> str:
        """The id allauth knows the provider by (its login URL contains it)."""
        return f"{self.municipality.code}-{self.slug}"

    @property
    def has_secret(self) -> bool:
        return bool(self.secret_encrypted or self.secret_env)

    @property
    def saml_attributes(self) -> dict[str, str]:
        """The SAML attribute mapping: claim name → attribute name (unset ones left out)."""
        mapping = {
            "hsa_id": self.saml_id_attribute,
            "email": self.saml_email_attribute,
            "given_name": self.saml_given_name_attribute,
            "family_name": self.saml_surname_attribute,
            "groups": self.saml_groups_attribute,
        }
        return {claim: attribute for claim, attribute in mapping.items() if attribute}

    @property
    def groups_key(self) -> str:
        """The claim holding the user's groups: the OIDC claim, or the mapped SAML attribute."""
        return "groups" if self.kind == ProviderKind.SAML else self.groups_claim


class PersonIdentifier(models.Model):
    """A stable identifier of a person at the IdPs (HSA-id, or another configured claim)."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="identifiers", verbose_name=_("person"))
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    claim = models.CharField(_("claim"), max_length=80, default="hsa_id")
    value = models.CharField(_("value"), max_length=200)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("person identifier")
        verbose_name_plural = _("person identifiers")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "claim", "value"], name="accounts_identifier_unique_per_municipality"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.claim}={self.value}"


class Account(models.Model):
    """The login state of a user: municipality, how they last logged in, whether an IdP group made them admin."""

    # Erasure (``erase_user``) removes the login and with it this row.
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="portal_account")
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("municipality")
    )
    provider = models.ForeignKey(
        IdentityProvider,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="accounts",
        verbose_name=_("identity provider"),
    )
    last_method = models.CharField(_("login method"), max_length=12, choices=LoginMethod.choices, blank=True)
    admin_from_idp = models.BooleanField(_("register admin through IdP group"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("portal account")
        verbose_name_plural = _("portal accounts")

    def __str__(self) -> str:
        return str(self.user)


class PendingLogin(models.Model):
    """A login at an IdP that matched no person: the register admin links or dismisses it."""

    provider = models.ForeignKey(
        IdentityProvider, on_delete=models.PROTECT, related_name="pending_logins", verbose_name=_("identity provider")
    )
    subject = models.CharField(_("subject at the IdP"), max_length=255)
    claims = models.JSONField(_("claims used for linking"), default=dict)
    first_seen = models.DateTimeField(_("first attempt"), auto_now_add=True)
    last_seen = models.DateTimeField(_("latest attempt"), auto_now=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=1)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("pending login")
        verbose_name_plural = _("pending logins")
        ordering = ["-last_seen"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "subject"], name="accounts_pending_once_per_subject"),
        ]

    def __str__(self) -> str:
        return self.claims.get("name") or self.subject


class RefusalCause(models.TextChoices):
    ISSUER = "issuer", _("wrong issuer")
    EXPIRED = "expired", _("expired response")
    SIGNATURE = "signature", _("invalid signature")
    STATE = "state", _("unknown or repeated request")
    OTHER = "other", _("other error")


class RefusedLogin(models.Model):
    """Refused answers from an IdP, counted per provider, cause and day (bounded however many arrive)."""

    provider = models.ForeignKey(
        IdentityProvider, on_delete=models.CASCADE, related_name="refused_logins", verbose_name=_("identity provider")
    )
    cause = models.CharField(_("cause"), max_length=12, choices=RefusalCause.choices)
    day = models.DateField(_("day"))
    attempts = models.PositiveIntegerField(_("attempts"), default=1)
    last_seen = models.DateTimeField(_("latest attempt"), auto_now=True)
    detail = models.CharField(_("latest reason given"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("refused login")
        verbose_name_plural = _("refused logins")
        ordering = ["-last_seen"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "cause", "day"], name="accounts_refusal_once_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.day}: {self.get_cause_display()}"


class LoginPolicy(models.Model):
    """A municipality's login rules: MFA for every local account, or (default) only for register admins."""

    municipality = models.OneToOneField(
        Municipality, on_delete=models.PROTECT, related_name="login_policy", verbose_name=_("municipality")
    )
    mfa_required_for_all = models.BooleanField(
        _("MFA required for every local account"),
        default=False,
        help_text=_("Register admins must always use MFA when they log in with a password."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("login policy")
        verbose_name_plural = _("login policies")

    def __str__(self) -> str:
        return str(self.municipality)
