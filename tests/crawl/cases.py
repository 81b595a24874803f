"""What the crawl requests and records: URL patterns from the URLconf, object sources, cases and outcomes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Max, QuerySet
from django.urls import URLPattern, URLResolver, get_resolver

ANONYMOUS = "anonymous"
METHODS = ("GET", "POST_EMPTY", "POST_INVALID")
VISIBLE, FOREIGN, MISSING, NONE = "visible", "foreign", "missing", "none"


@dataclass(frozen=True)
class Pattern:
    """One URL pattern of the URLconf: its name (namespace:name) and its parameters."""

    name: str
    route: str
    params: tuple[str, ...]


def _route_params(pattern) -> tuple[str, ...]:
    regex = pattern.pattern.regex
    positional = regex.groups - len(regex.groupindex)
    return tuple(regex.groupindex) + tuple(f"_{i}" for i in range(positional))


def url_patterns() -> list[Pattern]:
    """Every URL pattern of the project, walked from the root resolver."""
    found: list[Pattern] = []

    def walk(patterns, prefix: str, namespace: str, params: tuple[str, ...]):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = f"{namespace}:{p.namespace}" if namespace and p.namespace else (p.namespace or namespace)
                walk(p.url_patterns, prefix + str(p.pattern), ns, params + _route_params(p))
            elif isinstance(p, URLPattern):
                name = f"{namespace}:{p.name}" if namespace and p.name else (p.name or "")
                route = prefix + str(p.pattern)
                found.append(Pattern(name=name or route, route=route, params=params + _route_params(p)))

    walk(get_resolver().url_patterns, "/", "", ())
    return found


@dataclass
class Source:
    """Where the objects of a URL parameter come from: all of them, and those ``user`` may see."""

    all: Callable[[], QuerySet]
    visible: Callable[[object], QuerySet]
    key: str = "pk"
    missing: object = None

    def missing_key(self):
        if self.missing is not None:
            return self.missing
        top = self.all().model._base_manager.aggregate(m=Max("pk"))["m"] or 0
        return top + 100_000


@dataclass(frozen=True)
class Case:
    """One request the crawl makes."""

    pattern: str
    role: str
    kind: str
    method: str
    url: str


@dataclass
class Outcome:
    """What one case answered, and any foreign reference or personnummer found in the body."""

    case: Case
    status: int
    leaks: tuple[str, ...] = ()


@dataclass
class Crawl:
    """The outcomes of one role's crawl, and the patterns it could not fill."""

    role: str
    outcomes: list[Outcome] = field(default_factory=list)
    unfilled: list[str] = field(default_factory=list)
