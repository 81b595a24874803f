"""Running the crawl: fill each pattern with objects the role may see, may not see and ids that do not exist,
then GET, POST empty and POST invalid data to each URL (every POST in a savepoint that is rolled back).

How to fill a URL parameter is not here: the tables (``PARAMETERS`` and the
sources) are tests/crawl/harness.py, passed in as ``Tables``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from http.cookies import SimpleCookie

from django.contrib.admin.sites import site as admin_site
from django.db import transaction
from django.db.models import Max
from django.test import Client
from django.urls import reverse

from tests.crawl.cases import FOREIGN, MISSING, NONE, VISIBLE, Case, Crawl, Outcome, Pattern, Source
from tests.crawl.leaks import forbidden_for, leaks_in

# How many objects per kind: visible ones are one per state (plus those touched by
# unusual actors), foreign ones a sample.
MAX_VISIBLE = 6
MAX_FOREIGN = 2
# A value that no form field accepts: Django refuses NUL in text, and it is no number, date or choice.
INVALID = "ogiltig\x00"


@dataclass(frozen=True)
class Tables:
    """How to fill URL parameters: URL name → parameter → source name or values, and the sources by name."""

    parameters: dict[str, dict[str, str | Callable[[], list]]]
    sources: Callable[[], dict[str, Source]]


def _admin_model(pattern: Pattern):
    """The model of a Django admin page of one object (named or the unnamed redirect), else None."""
    parts = pattern.route.split("/")
    if not pattern.route.startswith("/django-admin/") or len(parts) < 5:
        return None
    for model in admin_site._registry:
        if (parts[2], parts[3]) == (model._meta.app_label, model._meta.model_name):
            return model
    return None


def _admin_instances(pattern: Pattern) -> Iterator[tuple[str, str]] | None:
    """Fill Django admin's own patterns: each registered model's objects, its app lists, its catch-all."""
    if pattern.name == "admin:app_list":
        return iter(
            [
                (VISIBLE, reverse(pattern.name, kwargs={"app_label": label}))
                for label in sorted({m._meta.app_label for m in admin_site._registry})
            ]
        )
    if pattern.name == "admin:view_on_site":
        return iter([(MISSING, reverse(pattern.name, kwargs={"content_type_id": 999_999, "object_id": 1}))])
    if pattern.params == ("url",) and pattern.route.startswith("/django-admin/"):
        return iter([(MISSING, "/django-admin/finns-inte/")])
    model = _admin_model(pattern)
    if model is None:
        return None
    obj = model._default_manager.order_by("pk").first()
    top = model._base_manager.aggregate(m=Max("pk"))["m"] or 0
    if pattern.params == ("_0", "_1"):  # simple_history: one historical version of an object
        record = obj.history.order_by("history_id").first() if obj is not None else None
        keys = ([(VISIBLE, [obj.pk, record.history_id])] if record else []) + [(MISSING, [top + 100_000, 1])]
        return iter([(kind, reverse(pattern.name, args=args)) for kind, args in keys])
    param = pattern.params[0]
    keys = ([(VISIBLE, obj.pk)] if obj else []) + [(MISSING, top + 100_000)]
    if pattern.name == pattern.route:
        return iter([(kind, pattern.route.replace(f"<path:{param}>", str(pk))) for kind, pk in keys])
    return iter([(kind, reverse(pattern.name, kwargs={param: pk})) for kind, pk in keys])


class _FormFields(HTMLParser):
    """Collect, per form action, the names and types of the form's fields."""

    def __init__(self, page_path: str):
        super().__init__()
        self.page_path = page_path
        self.forms: dict[str, dict[str, str]] = {}
        self._action: str | None = None
        self._method = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._method = (a.get("method") or "get").lower()
            self._action = (a.get("action") or self.page_path).split("?")[0]
            if self._method == "post":
                self.forms.setdefault(self._action, {})
        elif tag in ("input", "select", "textarea", "button") and self._action and self._method == "post":
            name = a.get("name")
            if name and name != "csrfmiddlewaretoken":
                self.forms[self._action][name] = a.get("type") or tag

    def handle_endtag(self, tag):
        if tag == "form":
            self._action = None


def _samples(source: Source, user, key_of) -> list[tuple[str, object]]:
    """(kind, key) pairs: visible ones spread over states, a few foreign ones, one missing."""
    from django.contrib.auth.models import AnonymousUser

    all_qs = source.all()
    visible_qs = source.visible(user or AnonymousUser()) if user is not None else all_qs.none()
    visible_ids = set(visible_qs.values_list("pk", flat=True))
    model = all_qs.model
    state_field = "state" if any(f.name == "state" for f in model._meta.fields) else None
    picked: list = []
    seen_states = set()
    special = set(_special_ids(model))
    for obj in all_qs.filter(pk__in=visible_ids).order_by("pk"):
        state = getattr(obj, state_field) if state_field else None
        if (obj.pk in special or state not in seen_states) and (len(picked) < MAX_VISIBLE or obj.pk in special):
            picked.append(obj)
            seen_states.add(state)
    out = [(VISIBLE, key_of(o)) for o in picked]
    foreign = list(all_qs.exclude(pk__in=visible_ids).order_by("pk"))
    if foreign:
        chosen = {foreign[0].pk: foreign[0], foreign[-1].pk: foreign[-1]}
        out += [(FOREIGN, key_of(o)) for o in list(chosen.values())[:MAX_FOREIGN]]
    out.append((MISSING, source.missing_key()))
    return out


# Objects the crawl must always include when visible (set by the scenario: unusual actors).
SPECIAL: dict[type, set[int]] = defaultdict(set)


def _special_ids(model) -> set[int]:
    return SPECIAL.get(model, set())


def instances(pattern: Pattern, user, tables: Tables) -> Iterator[tuple[str, str]]:
    """(kind, url) for a pattern and a user; raise LookupError when the pattern cannot be filled."""
    if not pattern.params:
        yield NONE, pattern.route if pattern.name == pattern.route else reverse(pattern.name)
        return
    admin = _admin_instances(pattern)
    if admin is not None:
        yield from admin
        return
    spec = tables.parameters.get(pattern.name)
    if spec is None or set(spec) != set(pattern.params):
        raise LookupError(pattern.name)
    sources = tables.sources()
    object_param = next((p for p, s in spec.items() if isinstance(s, str)), None)
    values = {p: list(s()) for p, s in spec.items() if not isinstance(s, str)}
    if object_param is None:
        for combo in _combos(values):
            yield NONE, reverse(pattern.name, kwargs=combo)
        return
    source = sources[spec[object_param]]
    samples = _samples(source, user, lambda o: getattr(o, source.key))
    first_visible = True
    for kind, key in samples:
        combos = _combos(values)
        if not (kind == VISIBLE and first_visible):
            combos = combos[:1]
        if kind == VISIBLE:
            first_visible = False
        for combo in combos:
            yield kind, reverse(pattern.name, kwargs={object_param: key, **combo})


def _combos(values: dict[str, list]) -> list[dict]:
    combos: list[dict] = [{}]
    for name, options in values.items():
        combos = [{**c, name: v} for c in combos for v in options]
    return combos


def crawl_role(role: str, user, patterns: list[Pattern], *, skip: set[str], tables: Tables) -> Crawl:
    """GET every page, then POST empty and invalid data to every URL, as ``user`` (None: anonymous)."""
    result = Crawl(role=role)
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    refs, pnrs = forbidden_for(user)
    # Django admin is the operator's full view of the database (superusers only): references may
    # show there, a personnummer never.
    admin_refs = set() if user is not None and user.is_superuser else refs
    fields_by_action: dict[str, dict[str, str]] = {}
    fields_by_name: dict[str, dict[str, str]] = {}
    todo: list[tuple[Pattern, str, str]] = []
    for pattern in patterns:
        if pattern.name in skip:
            continue
        try:
            todo += [(pattern, kind, url) for kind, url in instances(pattern, user, tables)]
        except LookupError:
            result.unfilled.append(pattern.name)
    for pattern, kind, url in todo:
        response = client.get(url)
        url_refs = admin_refs if url.startswith("/django-admin/") else refs
        result.outcomes.append(_outcome(Case(pattern.name, role, kind, "GET", url), response, url_refs, pnrs))
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            parser = _FormFields(url)
            parser.feed(response.content.decode("utf-8", "replace"))
            for action, names in parser.forms.items():
                fields_by_action.setdefault(action, {}).update(names)
    for action, names in fields_by_action.items():
        try:
            from django.urls import resolve

            match = resolve(action)
        except Exception:  # noqa: BLE001, S112 - a form posting outside the site
            continue
        fields_by_name.setdefault(_match_name(match), {}).update(names)
    for pattern, kind, url in todo:
        names = fields_by_action.get(url) or fields_by_name.get(pattern.name) or {"version": "hidden"}
        invalid = {name: INVALID for name in names}
        for method, data in (("POST_EMPTY", {}), ("POST_INVALID", invalid)):
            # Logging out, logging in or switching language must not change the next case:
            # the savepoint undoes the session writes, the cookies are put back.
            cookies = client.cookies
            client.cookies = SimpleCookie(cookies)
            with transaction.atomic():
                response = client.post(url, data)
                transaction.set_rollback(True)
            client.cookies = cookies
            url_refs = admin_refs if url.startswith("/django-admin/") else refs
            result.outcomes.append(_outcome(Case(pattern.name, role, kind, method, url), response, url_refs, pnrs))
    return result


def _match_name(match) -> str:
    return f"{match.namespace}:{match.url_name}" if match.namespace else (match.url_name or match.route)


def _outcome(case: Case, response, refs: set[str], pnrs: set[str]) -> Outcome:
    content_type = response.get("Content-Type", "")
    leaks: tuple[str, ...] = ()
    if not response.streaming and any(t in content_type for t in ("html", "csv", "json", "text")):
        leaks = leaks_in(response.content.decode("utf-8", "replace"), refs, pnrs)
    elif response.streaming:
        response.close()
    return Outcome(case=case, status=response.status_code, leaks=leaks)
