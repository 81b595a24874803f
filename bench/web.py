"""HTTP helpers of the bench: filling in a page's POST form, and a logged-in session over loopback (urllib)."""

from __future__ import annotations

import re
import urllib.error
import urllib.parse
import urllib.request
from datetime import date, timedelta
from html.parser import HTMLParser
from http.cookiejar import CookieJar


class FormParser(HTMLParser):
    """Collect the fields of the first form that posts to ``action`` (or the first POST form)."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._form = None
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {
                "method": (a.get("method") or "get").lower(),
                "action": a.get("action") or "",
                "fields": [],
                "buttons": [],
            }
            self.forms.append(self._form)
        if self._form is None:
            return
        if tag == "input":
            self._form["fields"].append({"tag": "input", **a})
            if (a.get("type") or "").lower() == "submit" and a.get("name"):
                self._form["buttons"].append(a)
        elif tag == "select":
            self._select = {"tag": "select", "name": a.get("name"), "options": [], "required": "required" in a}
            self._form["fields"].append(self._select)
        elif tag == "option" and self._select is not None:
            self._select["options"].append((a.get("value", ""), "selected" in a))
        elif tag == "textarea":
            self._textarea = {"tag": "textarea", "name": a.get("name"), "required": "required" in a}
            self._form["fields"].append(self._textarea)
        elif tag == "button" and a.get("name"):
            self._form["buttons"].append(a)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def fill_form(html: str, *, today: date, overrides: dict | None = None) -> dict[str, str]:
    """Valid-looking values for every field of the page's POST form (first choices, today's date)."""
    parser = FormParser()
    parser.feed(html)
    forms = [
        f for f in parser.forms if f["method"] == "post" and not f["action"].endswith(("/logout/", "/i18n/setlang/"))
    ]
    if not forms:
        raise ValueError("no POST form on the page")
    form = max(forms, key=lambda f: len(f["fields"]))
    data: dict[str, str] = {}
    when = f"{today - timedelta(days=1):%Y-%m-%d}"
    for f in form["fields"]:
        name = f.get("name")
        if not name:
            continue
        kind = (f.get("type") or f["tag"]).lower()
        if f["tag"] == "select":
            options = [v for v, _s in f["options"] if v]
            chosen = [v for v, s in f["options"] if s and v]
            if chosen or options:
                data[name] = (chosen or options)[0]
        elif f["tag"] == "textarea":
            data[name] = "Bänkmätning: brukaren hittades på golvet, sjuksköterska kontaktades."
        elif kind in ("hidden",):
            data.setdefault(name, f.get("value", ""))
        elif kind == "radio":
            if name not in data or "checked" in f:
                data[name] = f.get("value", "")
        elif kind == "checkbox":
            if "checked" in f:
                data[name] = f.get("value", "on")
        elif kind == "date":
            data[name] = when
        elif kind == "datetime-local":
            data[name] = f"{when}T08:30"
        elif kind == "time":
            data[name] = "08:30"
        elif kind == "number":
            data[name] = f.get("min") or "1"
        elif kind in ("submit", "button", "file", "reset"):
            continue
        else:
            data.setdefault(name, f.get("value") or "Bänkmätning")
    buttons = [b for b in form["buttons"] if not re.search(r"draft|utkast", (b.get("value") or "") + b["name"], re.I)]
    if buttons:
        data[buttons[0]["name"]] = buttons[0].get("value", "")
    data.update(overrides or {})
    return data


class Session:
    """A logged-in HTTP session with urllib: cookies kept, redirects not followed."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *a, **k):
            return None

    def __init__(self, base: str):
        self.base = base
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), self._NoRedirect)

    def request(self, path: str, data: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body, headers={"Referer": self.base + path})  # noqa: S310
        try:
            with self.opener.open(req, timeout=30) as resp:  # noqa: S310 - http on loopback
                return resp.status, resp.read().decode(errors="replace")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(errors="replace")

    def cookie(self, name: str) -> str:
        return next((c.value for c in self.jar if c.name == name), "")


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    return match.group(1) if match else ""


def login(base: str, *, username: str, password: str) -> Session:
    """A session logged in through the login form (as a user does), or SystemExit naming the status."""
    from django.urls import reverse

    session = Session(base)
    url = reverse("login")
    _status, html = session.request(url)
    status, _html = session.request(
        url, {"username": username, "password": password, "csrfmiddlewaretoken": csrf_from(html)}
    )
    if status not in (302, 303):
        raise RuntimeError(f"login of {username} failed (HTTP {status})")
    return session
