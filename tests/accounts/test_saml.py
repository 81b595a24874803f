"""SAML 2.0 through allauth + python3-saml (xmlsec): configured from IdP metadata, AuthnRequest out, forgeries refused.

The full journey through a running SAML IdP in Chromium is in test_saml_browser.py.
"""

from __future__ import annotations

import base64
import datetime
import json
from io import StringIO
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.socialaccount.models import SocialAccount
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.core.management import call_command

from responsibility.models import Municipality

pytestmark = pytest.mark.django_db


def _certificate() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test-idp")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()


METADATA = """<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="http://127.0.0.1:9/idp">
 <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
  <md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data>
   <ds:X509Certificate>{cert}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
  <md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="http://127.0.0.1:9/slo"/>
  <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="http://127.0.0.1:9/sso"/>
 </md:IDPSSODescriptor></md:EntityDescriptor>"""

UNSIGNED_RESPONSE = """<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"
 xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r1" Version="2.0" IssueInstant="{now}"
 Destination="http://127.0.0.1/accounts/saml/{pid}/acs/">
 <saml:Issuer>http://127.0.0.1:9/idp</saml:Issuer>
 <samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>
 <saml:Assertion ID="_a1" Version="2.0" IssueInstant="{now}"><saml:Issuer>http://127.0.0.1:9/idp</saml:Issuer>
  <saml:Subject><saml:NameID>forged</saml:NameID></saml:Subject>
  <saml:AttributeStatement><saml:Attribute Name="email"><saml:AttributeValue>mas@example.se</saml:AttributeValue>
  </saml:Attribute></saml:AttributeStatement></saml:Assertion></samlp:Response>"""


@pytest.fixture
def saml_provider(db, tmp_path):
    # The demo is loaded once per test database (tests/conftest.py); this test rolls back to it.
    municipality = Municipality.objects.get()
    metadata = tmp_path / "idp.xml"
    metadata.write_text(METADATA.format(cert=_certificate()))
    call_command(
        "sso_provider",
        "add",
        "--municipality",
        municipality.code,
        "--kind",
        "saml",
        "--name",
        "Sambi",
        "--metadata",
        str(metadata),
        "--link-claim",
        "email",
        stdout=StringIO(),
    )
    return f"{municipality.code}-sambi"


@pytest.fixture
def client(client):
    """Browsers always send Host (python3-saml reads it)."""
    client.defaults["HTTP_HOST"] = "127.0.0.1"
    return client


def test_saml_login_sends_an_authn_request_to_the_idp_from_its_metadata(client, saml_provider):
    assert "Logga in med Sambi" in client.get("/login/").content.decode()
    response = client.post(f"/accounts/saml/{saml_provider}/login/")
    assert response.status_code == 302
    target = urlsplit(response.url)
    assert (target.netloc, target.path) == ("127.0.0.1:9", "/sso")
    assert "SAMLRequest" in parse_qs(target.query)
    metadata = client.get(f"/accounts/saml/{saml_provider}/metadata/")
    assert metadata.status_code == 200
    assert f"/accounts/saml/{saml_provider}/acs/" in metadata.content.decode()


def test_an_unsigned_saml_response_is_refused_and_links_nothing(client, saml_provider):
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    forged = base64.b64encode(UNSIGNED_RESPONSE.format(now=now, pid=saml_provider).encode()).decode()
    response = client.post(f"/accounts/saml/{saml_provider}/acs/", {"SAMLResponse": forged})
    assert response.status_code == 302
    final = client.get(response.url, follow=True)
    assert "Inloggningen nekades" in final.content.decode()
    assert not SocialAccount.objects.exists()


def test_a_saml_provider_gets_the_sambi_attribute_names_unless_the_command_names_others(saml_provider, tmp_path):
    from accounts.models import IdentityProvider

    provider = IdentityProvider.objects.get()
    assert provider.saml_attributes == {
        "hsa_id": "urn:oid:1.2.752.29.6.2.1",
        "email": "urn:oid:0.9.2342.19200300.100.1.3",
        "given_name": "urn:oid:2.5.4.42",
        "family_name": "urn:oid:2.5.4.4",
        "groups": "urn:oid:1.3.6.1.4.1.5923.1.5.1.1",
    }
    metadata = tmp_path / "idp.xml"
    metadata.write_text(METADATA.format(cert=_certificate()))
    call_command(
        "sso_provider",
        "add",
        "--municipality",
        provider.municipality.code,
        "--kind",
        "saml",
        "--name",
        "Sambi",
        "--metadata",
        str(metadata),
        "--id-attribute",
        "urn:oid:0.9.2342.19200300.100.1.1",
        "--groups-attribute",
        "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups",
        "--given-name-attribute",
        "",
        stdout=StringIO(),
    )
    provider.refresh_from_db()
    assert provider.saml_attributes == {
        "hsa_id": "urn:oid:0.9.2342.19200300.100.1.1",
        "email": "urn:oid:0.9.2342.19200300.100.1.3",  # not named: kept
        "family_name": "urn:oid:2.5.4.4",
        "groups": "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups",
    }
    listing = StringIO()
    call_command("sso_provider", "list", "--format", "json", stdout=listing)
    assert json.loads(listing.getvalue())[0]["attributes"] == provider.saml_attributes


def test_the_register_admin_sets_the_attribute_mapping_in_the_browser_form(client, saml_provider):
    from django.contrib.auth import get_user_model

    from accounts.models import IdentityProvider

    provider = IdentityProvider.objects.get()
    client.force_login(get_user_model().objects.get(username="admin"))
    form = client.get(f"/konton/inloggningstjanster/{provider.pk}/").content.decode()
    assert "Attribut med HSA-id (hsa_id)" in form
    assert 'value="urn:oid:1.2.752.29.6.2.1"' in form
    assert "Kräv signerade utloggningsmeddelanden" in form
    assert provider.require_signed_logout  # on for a new provider
    response = client.post(
        f"/konton/inloggningstjanster/{provider.pk}/",
        {
            "kind": "saml",
            "name": "Sambi",
            "slug": "sambi",
            "entity_id": provider.entity_id,
            "saml_id_attribute": "urn:oid:1.2.752.29.6.2.1",
            "saml_email_attribute": "mail",
            "saml_given_name_attribute": "givenName",
            "saml_surname_attribute": "sn",
            "saml_groups_attribute": "memberOf",
            "link_claim": "hsa_id",
            "groups_claim": "groups",
            "admin_group": "MAS-admin",
            "scopes": "openid",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    provider.refresh_from_db()
    assert provider.metadata_xml  # the stored metadata stays
    assert not provider.require_signed_logout  # the box was not ticked
    assert (provider.saml_email_attribute, provider.saml_groups_attribute, provider.admin_group) == (
        "mail",
        "memberOf",
        "MAS-admin",
    )


def test_the_command_sets_require_signed_logout_and_keeps_it_when_the_provider_is_added_again(saml_provider, tmp_path):
    from accounts.models import IdentityProvider

    provider = IdentityProvider.objects.get()
    code = provider.municipality.code

    def add(*flags):
        call_command(
            "sso_provider",
            "add",
            "--municipality",
            code,
            "--kind",
            "saml",
            "--name",
            "Sambi",
            *flags,
            stdout=StringIO(),
        )
        provider.refresh_from_db()
        listing = StringIO()
        call_command("sso_provider", "list", "--format", "json", stdout=listing)
        assert json.loads(listing.getvalue())[0]["require_signed_logout"] is provider.require_signed_logout
        return provider.require_signed_logout

    assert provider.require_signed_logout  # the default of a new SAML provider
    assert add("--no-require-signed-logout") is False
    assert add() is False  # not named: kept
    assert add("--require-signed-logout") is True
