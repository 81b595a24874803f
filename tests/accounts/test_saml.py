"""SAML 2.0 through allauth + python3-saml (xmlsec): configured from IdP metadata, AuthnRequest out, forgeries refused.

The full journey through a running SAML IdP in Chromium is in test_saml_browser.py.
"""

from __future__ import annotations

import base64
import datetime
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
    call_command("load_demo", verbosity=0)
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
