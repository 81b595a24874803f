"""Start the tests' real identity providers as their own processes on 127.0.0.1."""

from __future__ import annotations

import html
import http.cookiejar
import json
import re
import subprocess
import sys
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

ROOT = Path(__file__).resolve().parent.parent.parent
# The OpenID Connect provider is the development one the demo runs (devidp/); the SAML IdP is the tests' own.
OIDC_OP = ROOT / "devidp" / "oidc_op.py"
SAML_IDP = ROOT / "tests" / "idp" / "saml_idp.py"


@contextmanager
def running(script: Path, config: dict, tmp_path: Path):
    """Run the IdP ``script`` with ``config`` until it prints "ready"; stop it afterwards."""
    log = tmp_path / f"{script.name}.log"
    with log.open("w") as out:
        proc = subprocess.Popen(  # noqa: S603 - our own IdP script, started by the test
            [sys.executable, str(script), json.dumps(config)],
            stdout=subprocess.PIPE,
            stderr=out,
            text=True,
        )
        try:
            line = proc.stdout.readline()
            if line.strip() != "ready":
                raise RuntimeError(f"{script} did not start: {log.read_text()}")
            yield proc
        finally:
            proc.terminate()
            proc.wait(timeout=10)


# --- Driving a login through a running IdP without a browser -------------------------------------------------------
# The portal side runs in Django's test client (host 127.0.0.1, as browsers send it); the IdP side is the
# real IdP process, reached over HTTP with its own cookies. Redirects back to the portal are not followed
# by urllib but handed to the test client.


class _StayAtIdp(urllib.request.HTTPRedirectHandler):
    """Follow redirects within the IdP; stop at one that leaves it (back to the portal)."""

    def __init__(self, idp_netloc: str):
        self.idp_netloc = idp_netloc

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if urlsplit(newurl).netloc != self.idp_netloc:
            return None  # urllib raises HTTPError: the caller reads Location
        return super().redirect_request(req, fp, code, msg, headers, newurl)


class IdpBrowser:
    """The IdP half of a browser: a cookie jar, and the portal's test client for the other half."""

    def __init__(self, client, idp_url: str):
        self.client = client
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _StayAtIdp(urlsplit(idp_url).netloc)
        )

    def idp(self, url: str, data: dict | None = None) -> tuple[str, str]:
        """GET or POST at the IdP: (page, "") or ("", the URL of a redirect back to the portal)."""
        body = urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(url, body, timeout=30) as response:  # noqa: S310 - the test IdP on localhost
                return response.read().decode(), ""
        except urllib.error.HTTPError as exc:
            if exc.code in (301, 302, 303, 307) and exc.headers.get("Location"):
                return "", exc.headers["Location"]
            raise

    def portal(self, url: str):
        """GET a URL of the portal (absolute or not) in the test client, following its redirects."""
        parts = urlsplit(url)
        return self.client.get(parts.path, dict(parse_qsl(parts.query)), follow=True)

    def post_form(self, page: str):
        """Submit the IdP's auto-posting form (a SAML Response) to the portal, following its redirects."""
        action = html.unescape(re.search(r'action="([^"]+)"', page).group(1))
        fields = {html.unescape(n): html.unescape(v) for n, v in re.findall(r'name="([^"]+)" value="([^"]*)"', page)}
        return self.client.post(urlsplit(action).path, fields, follow=True)

    def saml_login(self, provider_id: str, username: str, password: str):
        """Log in through the SAML IdP: the portal's AuthnRequest, the IdP's login, its Response to the portal."""
        start = self.client.post(f"/accounts/saml/{provider_id}/login/")
        page, _ = self.idp(start.url)
        if 'name="key"' in page:  # no IdP session yet: its login form
            key = re.search(r'name="key" value="([^"]+)"', page).group(1)
            page, _ = self.idp(urljoin(start.url, "/login"), {"key": key, "username": username, "password": password})
        self.last_answer = page  # the IdP's signed Response (a test may send it again)
        return self.post_form(page)

    def oidc_login(self, provider_id: str, username: str, password: str):
        """Log in through the OpenID Connect provider: authorize, its login form, the callback to the portal."""
        start = self.client.post(f"/accounts/oidc/{provider_id}/login/")
        page, back = self.idp(start.url)
        if not back:  # the OP's login form
            login_url = urljoin(start.url, "/login/")
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
            next_url = html.unescape(re.search(r'name="next" value="([^"]+)"', page).group(1))
            data = {"csrfmiddlewaretoken": token, "username": username, "password": password, "next": next_url}
            request = urllib.request.Request(  # noqa: S310 - the test OP on localhost
                login_url, urlencode(data).encode(), headers={"Referer": login_url}
            )
            page, back = self.idp(request)
        return self.portal(back)


def sp_metadata_to_idp(client, provider_id: str, idp_url: str) -> None:
    """Give the SAML IdP the portal's SP metadata (as the test client's host sees it)."""
    metadata = client.get(f"/accounts/saml/{provider_id}/metadata/").content
    with urllib.request.urlopen(f"{idp_url}/sp-metadata", metadata, timeout=30) as response:  # noqa: S310
        response.read()


def idp_events(idp_url: str) -> list[dict]:
    with urllib.request.urlopen(f"{idp_url}/events", timeout=30) as response:  # noqa: S310 - the test IdP
        return json.loads(response.read())
