"""A real SAML 2.0 IdP for the tests: pysaml2's ``Server`` (signing with the xmlsec1 binary) behind wsgiref.

Run as its own process (``python tests/idp/saml_idp.py CONFIG_JSON``): it makes its own signing key
and certificate, serves its metadata at ``/metadata``, takes AuthnRequests (HTTP-Redirect) at ``/sso``,
shows a login page, and answers with a signed assertion (HTTP-POST) carrying the user's attributes.
It keeps a session (cookie): a second AuthnRequest is answered without the login page.

Single logout: ``/slo`` takes the portal's LogoutRequest (HTTP-Redirect), ends the IdP session when
its NameID is the session's, and answers with a signed LogoutResponse; ``/logout-all`` is the IdP's
own "log out everywhere" (an IdP-initiated LogoutRequest to the portal; signed, or unsigned when the
form posts ``unsigned=1``). ``/events`` lists, as JSON,
what the IdP received (for the tests to check).

A user's ``fault`` makes the IdP answer wrongly: ``wrong_issuer`` (another entity id as issuer),
``expired`` (NotOnOrAfter in the past) or ``wrong_key`` (signed with a key not in the metadata).

CONFIG_JSON: {"port", "dir", "sp_metadata_url", "users" or "users_file",
"name_format": "uri"|"basic"}; a user is {"username", "password", "attributes": {name: value or [values]},
"fault"?}. With ``users_file`` the users are read again at each login (a test can change a user's
attributes between logins). The portal's SP metadata is read at the first AuthnRequest (the portal builds
it from this IdP's metadata, so it cannot be read before this IdP runs), or posted to ``/sp-metadata``
by a test that drives the portal with Django's test client.
"""

from __future__ import annotations

import datetime
import html
import json
import re
import secrets
import sys
import urllib.request
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import parse_qs

PAGE = """<!doctype html><html lang="sv"><head><title>Test-IdP (SAML)</title></head><body>
<h1>{title}</h1>{body}</body></html>"""
LOGIN_FORM = """<p>{error}</p><form method="post" action="/login"><input type="hidden" name="key" value="{key}">
<label for="id_username">Användarnamn</label><input id="id_username" name="username">
<label for="id_password">Lösenord</label><input id="id_password" name="password" type="password">
<button type="submit">Logga in hos IdP</button></form>"""
LOGOUT_ALL_FORM = """<form method="post" action="/logout-all">
<button type="submit">Logga ut från alla tjänster</button></form>"""
WRONG_ISSUER = "http://127.0.0.1:9/en-annan-idp"


def _key_and_certificate(folder: Path, name: str) -> tuple[str, str]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    key_file, cert_file = folder / f"{name}.key", folder / f"{name}.crt"
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return str(key_file), str(cert_file)


def _users(config: dict) -> dict[str, dict]:
    users = json.loads(Path(config["users_file"]).read_text()) if config.get("users_file") else config["users"]
    return {u["username"]: u for u in users}


def _attribute_map(config: dict) -> tuple[str, str]:
    """An identity attribute map (names go out as configured), in the URI or the basic name format."""
    from saml2.saml import NAME_FORMAT_BASIC, NAME_FORMAT_URI

    names = sorted({name for user in _users(config).values() for name in user["attributes"]})
    name_format = NAME_FORMAT_URI if config.get("name_format") == "uri" else NAME_FORMAT_BASIC
    maps = Path(config["dir"]) / "attributemaps"
    maps.mkdir(exist_ok=True)
    mapping = {name: name for name in names}
    (maps / "portal.py").write_text(f"MAP = {{'identifier': {name_format!r}, 'fro': {mapping!r}, 'to': {mapping!r}}}\n")
    return str(maps), name_format


def _server(config: dict, key_name: str):
    from saml2 import BINDING_HTTP_REDIRECT
    from saml2.config import IdPConfig
    from saml2.saml import NAMEID_FORMAT_PERSISTENT
    from saml2.server import Server

    base = f"http://127.0.0.1:{config['port']}"
    key_file, cert_file = _key_and_certificate(Path(config["dir"]), key_name)
    maps, name_format = _attribute_map(config)
    idp_config = IdPConfig()
    idp_config.load(
        {
            "entityid": f"{base}/metadata",
            "service": {
                "idp": {
                    "endpoints": {
                        "single_sign_on_service": [(f"{base}/sso", BINDING_HTTP_REDIRECT)],
                        "single_logout_service": [(f"{base}/slo", BINDING_HTTP_REDIRECT)],
                    },
                    "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                    "policy": {
                        "default": {
                            "lifetime": {"minutes": 5},
                            "attribute_restrictions": None,
                            "name_form": name_format,
                        }
                    },
                    "want_authn_requests_signed": False,
                }
            },
            "key_file": key_file,
            "cert_file": cert_file,
            "xmlsec_binary": "/usr/bin/xmlsec1",
            "attribute_map_dir": maps,
            "metadata": {},
        }
    )
    return Server(config=idp_config), idp_config


def make_app(config: dict):
    from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
    from saml2.assertion import Policy
    from saml2.metadata import create_metadata_string
    from saml2.saml import NAME_FORMAT_BASIC, NAME_FORMAT_URI, NAMEID_FORMAT_PERSISTENT, NameID
    from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

    name_format = NAME_FORMAT_URI if config.get("name_format") == "uri" else NAME_FORMAT_BASIC
    server, idp_config = _server(config, "idp")
    rogue, _ = _server(config, "rogue")  # same entity id, a key the portal does not know
    metadata = create_metadata_string(None, config=idp_config).decode()
    pending: dict[str, tuple] = {}
    sessions: dict[str, dict] = {}  # cookie value → {"username", "name_id", "session_index", "sp"}
    events: list[dict] = []
    loaded = []

    def load_sp_metadata(xml: str = ""):
        if loaded and not xml:
            return
        if not xml:
            with urllib.request.urlopen(config["sp_metadata_url"]) as sp:  # noqa: S310 - the portal on localhost
                xml = sp.read().decode()
        for s in (server, rogue):
            s.metadata.load("inline", xml)
        loaded.append(True)

    def respond(start_response, body: str, status="200 OK", content_type="text/html; charset=utf-8", headers=()):
        start_response(status, [("Content-Type", content_type), *headers])
        return [body.encode()]

    def page(start_response, title: str, body: str, headers=()):
        return respond(start_response, PAGE.format(title=title, body=body), headers=headers)

    def redirect(start_response, location: str, headers=()):
        start_response("303 See Other", [("Location", location), *headers])
        return [b""]

    def session_of(environ) -> tuple[str, dict | None]:
        cookie = SimpleCookie(environ.get("HTTP_COOKIE", ""))
        token = cookie["idp_session"].value if "idp_session" in cookie else ""
        return token, sessions.get(token)

    def authn_response(start_response, message, relay_state, user, headers=()):
        """The signed Response to an AuthnRequest (or a faulty one, as the user's ``fault`` says)."""
        fault = user.get("fault", "")
        signer = rogue if fault == "wrong_key" else server
        args = signer.response_args(message, [BINDING_HTTP_POST])
        extra = {}
        if fault == "wrong_issuer":
            extra["issuer"] = WRONG_ISSUER
        if fault == "expired":
            extra["release_policy"] = Policy(
                {"default": {"lifetime": {"minutes": -10}, "attribute_restrictions": None, "name_form": name_format}},
                mds=signer.metadata,
            )
        values = {k: v if isinstance(v, list) else [v] for k, v in user["attributes"].items()}
        response = str(
            signer.create_authn_response(
                values,
                in_response_to=args["in_response_to"],
                destination=args["destination"],
                sp_entity_id=args["sp_entity_id"],
                name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=user["username"]),
                authn={"class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:Password"},
                sign_assertion=True,
                sign_response=True,
                sign_alg=SIG_RSA_SHA256,  # python3-saml refuses SHA-1 signatures, as it should
                digest_alg=DIGEST_SHA256,
                **extra,
            )
        )
        index = re.search(r'SessionIndex="([^"]+)"', response)
        events.append(
            {
                "event": "authn_response",
                "username": user["username"],
                "fault": fault,
                "session_index": index.group(1) if index else "",
            }
        )
        http = signer.apply_binding(BINDING_HTTP_POST, response, args["destination"], relay_state, response=True)
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"), *headers])
        return [http["data"].encode()], (index.group(1) if index else ""), args["sp_entity_id"]

    def sso(environ, start_response):
        load_sp_metadata()
        query = parse_qs(environ["QUERY_STRING"])
        request = server.parse_authn_request(query["SAMLRequest"][0], BINDING_HTTP_REDIRECT)
        relay_state = query.get("RelayState", [""])[0]
        _token, session = session_of(environ)
        user = _users(config).get(session["username"]) if session else None
        if user is not None:  # single sign-on: the IdP session answers without asking
            body, index, _sp = authn_response(start_response, request.message, relay_state, user)
            session["session_index"] = index
            return body
        key = secrets.token_urlsafe(16)
        pending[key] = (request.message, relay_state)
        return page(start_response, "Test-IdP (SAML) – logga in", LOGIN_FORM.format(key=key, error=""))

    def login(environ, start_response):
        size = int(environ.get("CONTENT_LENGTH") or 0)
        form = {k: v[0] for k, v in parse_qs(environ["wsgi.input"].read(size).decode()).items()}
        message, relay_state = pending[form["key"]]
        user = _users(config).get(form.get("username", ""))
        if user is None or user["password"] != form.get("password"):
            body = LOGIN_FORM.format(key=html.escape(form["key"]), error="Fel lösenord")
            return page(start_response, "Test-IdP (SAML) – logga in", body)
        del pending[form["key"]]
        token = secrets.token_urlsafe(16)
        cookie = ("Set-Cookie", f"idp_session={token}; Path=/; HttpOnly; SameSite=Lax")
        body, index, sp = authn_response(start_response, message, relay_state, user, headers=[cookie])
        sessions[token] = {"username": user["username"], "name_id": user["username"], "session_index": index, "sp": sp}
        return body

    def slo(environ, start_response):
        """The portal's LogoutRequest (SP-initiated), or its LogoutResponse to ours (IdP-initiated)."""
        query = {k: v[0] for k, v in parse_qs(environ["QUERY_STRING"]).items()}
        if "SAMLResponse" in query:
            response = server.parse_logout_request_response(query["SAMLResponse"], BINDING_HTTP_REDIRECT)
            status = response.response.status.status_code.value
            events.append({"event": "logout_response", "status": status})
            return page(start_response, "Test-IdP (SAML) – utloggad", "<p>Du är utloggad från alla tjänster.</p>")
        request = server.parse_logout_request(
            query["SAMLRequest"],
            BINDING_HTTP_REDIRECT,
            relay_state=query.get("RelayState"),
            sigalg=query.get("SigAlg"),
            signature=query.get("Signature"),
        )
        name_id = request.message.name_id.text if request.message.name_id is not None else ""
        indexes = [i.text for i in request.message.session_index]
        token, session = session_of(environ)
        ended = bool(session and session["name_id"] == name_id)
        if ended:
            del sessions[token]
        events.append({"event": "logout_request", "name_id": name_id, "session_index": indexes, "ended": ended})
        response = server.create_logout_response(
            request.message, [BINDING_HTTP_REDIRECT], sign=False, sign_alg=SIG_RSA_SHA256, digest_alg=DIGEST_SHA256
        )
        destination = server.metadata.single_logout_service(
            request.message.issuer.text, BINDING_HTTP_REDIRECT, "spsso"
        )[0]["location"]
        http = server.apply_binding(
            BINDING_HTTP_REDIRECT,
            str(response),
            destination,
            query.get("RelayState", ""),
            response=True,
            sign=True,
            sigalg=SIG_RSA_SHA256,
        )
        clear = ("Set-Cookie", "idp_session=; Path=/; Max-Age=0")
        return redirect(start_response, dict(http["headers"])["Location"], headers=[clear] if ended else [])

    def logout_all(environ, start_response):
        """The IdP's own logout: a signed LogoutRequest to the service the session logged in to."""
        token, session = session_of(environ)
        if environ["REQUEST_METHOD"] != "POST" or session is None:
            body = LOGOUT_ALL_FORM if session else "<p>Ingen session.</p>"
            return page(start_response, "Test-IdP (SAML) – konto", body)
        destination = server.metadata.single_logout_service(session["sp"], BINDING_HTTP_REDIRECT, "spsso")[0][
            "location"
        ]
        size = int(environ.get("CONTENT_LENGTH") or 0)
        unsigned = parse_qs(environ["wsgi.input"].read(size).decode()).get("unsigned") == ["1"]
        _id, request = server.create_logout_request(
            destination,
            session["sp"],
            name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=session["name_id"]),
            session_indexes=[session["session_index"]],
            sign=False,
        )
        del sessions[token]
        events.append({"event": "logout_initiated", "name_id": session["name_id"], "signed": not unsigned})
        http = server.apply_binding(
            BINDING_HTTP_REDIRECT, str(request), destination, "", sign=not unsigned, sigalg=SIG_RSA_SHA256
        )
        return redirect(
            start_response,
            dict(http["headers"])["Location"],
            headers=[("Set-Cookie", "idp_session=; Path=/; Max-Age=0")],
        )

    def app(environ, start_response):
        path = environ["PATH_INFO"]
        if path == "/metadata":
            return respond(start_response, metadata, content_type="application/samlmetadata+xml")
        if path == "/sp-metadata" and environ["REQUEST_METHOD"] == "POST":  # a test without a live portal
            size = int(environ.get("CONTENT_LENGTH") or 0)
            load_sp_metadata(environ["wsgi.input"].read(size).decode())
            return respond(start_response, "ok", content_type="text/plain")
        if path == "/events":
            return respond(start_response, json.dumps(events), content_type="application/json")
        if path == "/sso":
            return sso(environ, start_response)
        if path == "/login" and environ["REQUEST_METHOD"] == "POST":
            return login(environ, start_response)
        if path == "/slo":
            return slo(environ, start_response)
        if path == "/logout-all":
            return logout_all(environ, start_response)
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
