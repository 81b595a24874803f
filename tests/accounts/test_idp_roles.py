"""The IdP group that grants register admin: this municipality only, never touching a role from the register.

The logins through the real IdPs (grant, then withdraw) are in test_saml_idp.py and test_oidc_idp.py.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from accounts import services
from accounts.models import Account, IdentityProvider, ProviderKind
from responsibility.models import Municipality, Person
from responsibility.permissions import is_register_admin

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider():
    return IdentityProvider.objects.create(
        municipality=Municipality.objects.get(),
        kind=ProviderKind.OIDC,
        name="Entra ID",
        slug="entra",
        issuer="https://login.example.se",
        groups_claim="roles",
        admin_group="portal-admin",
    )


def _fresh(user):
    return get_user_model().objects.get(pk=user.pk)  # no cached permissions


def _account(user, municipality) -> Account:
    return Account.objects.get_or_create(user=user, defaults={"municipality": municipality})[0]


def test_a_person_of_another_municipality_gets_nothing_from_this_municipalitys_group(provider):
    other = Municipality.objects.create(name="Annan kommun", code="annan", org_number="212000-0001")
    user = get_user_model().objects.create_user("annan-sjukskoterska")
    Person.objects.create(municipality=other, user=user, first_name="Anna", last_name="Annan", profession="NURSE")
    _account(user, other)

    services.sync_admin_group(user=user, provider=provider, claims={"roles": ["portal-admin"]})

    assert not is_register_admin(_fresh(user))
    assert not Account.objects.get(user=user).admin_from_idp


def test_a_register_admin_from_the_register_keeps_the_role_when_the_login_lacks_the_group(provider):
    admin = get_user_model().objects.get(username="mas")
    admin.user_permissions.add(Permission.objects.get(codename="change_unit"))  # the register's grant
    _account(admin, provider.municipality)
    services.sync_admin_group(user=admin, provider=provider, claims={"roles": ["portal-admin"]})
    assert Account.objects.get(user=admin).admin_from_idp  # the IdP's group as well

    services.sync_admin_group(user=admin, provider=provider, claims={"roles": []})

    assert is_register_admin(_fresh(admin))  # the register's grant stays
    assert not _fresh(admin).groups.exists()  # the IdP's is gone


def test_the_group_is_read_from_the_configured_claim_only_and_a_provider_without_a_group_withdraws(provider):
    mas = get_user_model().objects.get(username="mas")
    _account(mas, provider.municipality)
    services.sync_admin_group(user=mas, provider=provider, claims={"groups": ["portal-admin"]})  # not "roles"
    assert not is_register_admin(_fresh(mas))

    services.sync_admin_group(user=mas, provider=provider, claims={"roles": "portal-admin"})  # a single value
    assert is_register_admin(_fresh(mas))
    assert not mas.user_permissions.exists()  # through the IdP's group, not a register grant

    provider.admin_group = ""
    services.sync_admin_group(user=mas, provider=provider, claims={"roles": ["portal-admin"]})
    assert not is_register_admin(_fresh(mas))
    assert Account.history.filter(user_id=mas.pk, history_change_reason__isnull=False).count() == 2


def test_the_register_admin_page_of_a_login_shows_the_idp_role_and_its_history(client, provider):
    mas = get_user_model().objects.get(username="mas")
    _account(mas, provider.municipality)
    services.sync_admin_group(user=mas, provider=provider, claims={"roles": ["portal-admin"]})
    client.force_login(get_user_model().objects.get(username="admin"))

    page = client.get(f"/konton/{mas.pk}/").content.decode()

    assert "Registeradministratör genom gruppen portal-admin hos Entra ID" in page
    assert Permission.objects.filter(group__name=services.ADMIN_GROUP, codename="change_unit").exists()
