"""A real SAML 2.0 IdP for the tests: pysaml2's ``Server`` (signing with the xmlsec1 binary) behind wsgiref.

Run as its own process (``python tests/idp/saml_idp.py CONFIG_JSON``): it makes its own signing key
and certificate, serves its metadata at ``/metadata``, takes AuthnRequests (HTTP-Redirect) at ``/sso``,
shows a login page, and answers with a signed assertion (HTTP-POST) carrying the user's attributes.
The portal's SP metadata is read from ``sp_metadata_url`` at the first AuthnRequest (the portal
builds it from this IdP's metadata, so it cannot be read before this IdP runs).

CONFIG_JSON: {"port", "dir", "sp_metadata_url", "users": [{"username", "password", "attributes": {name: value}}]}
"""

from __future__ import annotations

import datetime
import html
import json
import secrets
import sys
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs

LOGIN_PAGE = """<!doctype html><html lang="sv"><head><title>Test-IdP (SAML)</title></head><body>
<h1>Test-IdP (SAML) – logga in</h1><p>{error}</p>
<form method="post" action="/login"><input type="hidden" name="key" value="{key}">
<label for="id_username">Användarnamn</label><input id="id_username" name="username">
<label for="id_password">Lösenord</label><input id="id_password" name="password" type="password">
<button type="submit">Logga in hos IdP</button></form></body></html>"""


def _key_and_certificate(folder: Path) -> tuple[str, str]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test-saml-idp")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    key_file, cert_file = folder / "idp.key", folder / "idp.crt"
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return str(key_file), str(cert_file)


def make_app(config: dict):
    from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
    from saml2.config import IdPConfig
    from saml2.metadata import create_metadata_string
    from saml2.saml import NAME_FORMAT_BASIC, NAMEID_FORMAT_PERSISTENT, NameID
    from saml2.server import Server
    from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

    base = f"http://127.0.0.1:{config['port']}"
    key_file, cert_file = _key_and_certificate(Path(config["dir"]))
    # Attributes go out under their own names (basic name format), as the portal's SAML attribute
    # mapping reads them ("uid", "email", ...), not under pysaml2's default urn:oid names.
    maps = Path(config["dir"]) / "attributemaps"
    maps.mkdir()
    names = sorted({name for user in config["users"] for name in user["attributes"]})
    mapping = {name: name for name in names}
    (maps / "portal.py").write_text(
        f"MAP = {{'identifier': {NAME_FORMAT_BASIC!r}, 'fro': {mapping!r}, 'to': {mapping!r}}}\n"
    )
    idp_config = IdPConfig()
    idp_config.load(
        {
            "entityid": f"{base}/metadata",
            "service": {
                "idp": {
                    "endpoints": {"single_sign_on_service": [(f"{base}/sso", BINDING_HTTP_REDIRECT)]},
                    "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                    "policy": {
                        "default": {
                            "lifetime": {"minutes": 5},
                            "attribute_restrictions": None,
                            "name_form": NAME_FORMAT_BASIC,
                        }
                    },
                    "want_authn_requests_signed": False,
                }
            },
            "key_file": key_file,
            "cert_file": cert_file,
            "xmlsec_binary": "/usr/bin/xmlsec1",
            "attribute_map_dir": str(maps),
            "metadata": {},
        }
    )
    server = Server(config=idp_config)
    metadata = create_metadata_string(None, config=idp_config).decode()
    users = {u["username"]: u for u in config["users"]}
    pending: dict[str, tuple] = {}
    loaded = []

    def respond(start_response, body: str, status: str = "200 OK", content_type: str = "text/html; charset=utf-8"):
        start_response(status, [("Content-Type", content_type)])
        return [body.encode()]

    def app(environ, start_response):
        path = environ["PATH_INFO"]
        if path == "/metadata":
            return respond(start_response, metadata, content_type="application/samlmetadata+xml")
        if path == "/sso":
            if not loaded:
                with urllib.request.urlopen(config["sp_metadata_url"]) as sp:  # noqa: S310 - the portal on localhost
                    server.metadata.load("inline", sp.read().decode())
                loaded.append(True)
            query = parse_qs(environ["QUERY_STRING"])
            request = server.parse_authn_request(query["SAMLRequest"][0], BINDING_HTTP_REDIRECT)
            key = secrets.token_urlsafe(16)
            pending[key] = (request.message, query.get("RelayState", [""])[0])
            return respond(start_response, LOGIN_PAGE.format(key=key, error=""))
        if path == "/login" and environ["REQUEST_METHOD"] == "POST":
            size = int(environ.get("CONTENT_LENGTH") or 0)
            form = {k: v[0] for k, v in parse_qs(environ["wsgi.input"].read(size).decode()).items()}
            message, relay_state = pending[form["key"]]
            user = users.get(form.get("username", ""))
            if user is None or user["password"] != form.get("password"):
                return respond(start_response, LOGIN_PAGE.format(key=html.escape(form["key"]), error="Fel lösenord"))
            del pending[form["key"]]
            args = server.response_args(message, [BINDING_HTTP_POST])
            response = server.create_authn_response(
                {name: [value] for name, value in user["attributes"].items()},
                in_response_to=args["in_response_to"],
                destination=args["destination"],
                sp_entity_id=args["sp_entity_id"],
                name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=user["username"]),
                authn={"class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:Password"},
                sign_assertion=True,
                sign_response=True,
                sign_alg=SIG_RSA_SHA256,  # python3-saml refuses SHA-1 signatures, as it should
                digest_alg=DIGEST_SHA256,
            )
            http = server.apply_binding(
                BINDING_HTTP_POST, str(response), args["destination"], relay_state, response=True
            )
            return respond(start_response, http["data"])
        return respond(start_response, "not found", status="404 Not Found", content_type="text/plain")

    return app


def main() -> None:
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    config = json.loads(sys.argv[1])

    class Quiet(WSGIRequestHandler):
        def log_message(self, format, *args):  # noqa: A002 - wsgiref's signature
            sys.stderr.write(format % args + "\n")

    server = make_server("127.0.0.1", int(config["port"]), make_app(config), handler_class=Quiet)
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
