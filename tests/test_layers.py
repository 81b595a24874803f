"""The apps are layered one way: an app imports only apps of the tiers below it (STYLE.md "Layout").

The tiers, bottom to top, as the code stands (issue 18)::

    core                      what every app uses: outbox/notify, job registry + JobRun, locking,
                              start-page items, working days, uploads, users, pdf
    responsibility            the register and its resolver: the one answer to "who"
    incidents, followup,      the two domains, which never import each other, and the logins
    accounts                  (SSO providers, MFA policy, user administration against the register)
    complaints                complaints and collaboration deviations: a collaboration deviation is
                              routed by incidents' routing and may link a deviation or Lex Maria case
    reports                   reads every domain app (incidents, followup, complaints); read by none
    api, masportal            the edges: the integration API (reads incidents and the register) and the
                              composition (settings, URLs, Celery app, start page, navigation, search)

Apps in the same tier never import each other. Every import counts, at module level or inside a
function (an import moved into a function to dodge a cycle is still a dependency). Migrations and
tests are left out; ``bench/`` (benchmark and volume data, a dev-only app) may import anything and
no app may import it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TIERS: list[set[str]] = [
    {"core"},
    {"responsibility"},
    {"incidents", "followup", "accounts"},
    {"complaints"},
    {"reports"},
    {"api", "masportal"},
]
APPS = set().union(*TIERS)
DEV_ONLY = {"bench"}


def _tier(app: str) -> int:
    return next(i for i, tier in enumerate(TIERS) if app in tier)


def import_graph(root: Path = ROOT) -> dict[tuple[str, str], list[str]]:
    """Every import from one app of ours to another: (importer, imported) → ["path:line module", …]."""
    edges: dict[tuple[str, str], list[str]] = {}
    ours = APPS | DEV_ONLY
    for app in sorted(ours):
        for path in sorted((root / app).rglob("*.py")):
            parts = path.relative_to(root).parts
            if "migrations" in parts or "tests" in parts or path.name.startswith("test_"):
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
                if isinstance(node, ast.Import):
                    modules = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    modules = [node.module]
                else:
                    continue
                for module in modules:
                    top = module.split(".")[0]
                    if top in ours and top != app:
                        edges.setdefault((app, top), []).append(f"{'/'.join(parts)}:{node.lineno} {module}")
    return edges


def violations(edges) -> list[str]:
    """The imports that break the layers: upwards, sideways within a tier, into bench, or in a cycle."""
    found = []
    for (importer, imported), where in sorted(edges.items()):
        if imported in DEV_ONLY and importer not in DEV_ONLY:
            found.append(f"{importer} imports the dev-only {imported}: {where}")
        if importer in DEV_ONLY or imported in DEV_ONLY:
            continue
        if _tier(imported) > _tier(importer):
            found.append(f"{importer} imports {imported}, a layer above it: {where}")
        elif _tier(imported) == _tier(importer):
            found.append(f"{importer} imports {imported}, of its own layer: {where}")
    found += [f"import cycle between apps: {' -> '.join(cycle)}" for cycle in cycles(edges)]
    return found


def cycles(edges) -> list[list[str]]:
    """Cycles in the app graph (bench left out), each as a path that returns to its start."""
    graph: dict[str, set[str]] = {}
    for importer, imported in edges:
        if importer not in DEV_ONLY and imported not in DEV_ONLY:
            graph.setdefault(importer, set()).add(imported)
    found, done = [], set()

    def visit(node: str, path: list[str]) -> None:
        if node in path:
            found.append(path[path.index(node) :] + [node])
            return
        if node in done:
            return
        for nxt in sorted(graph.get(node, ())):
            visit(nxt, path + [node])
        done.add(node)

    for start in sorted(graph):
        visit(start, [])
    return found


def test_every_app_of_the_project_is_in_a_tier():
    apps = {p.parent.name for p in ROOT.glob("*/apps.py")}
    assert apps - DEV_ONLY == APPS


def test_apps_import_only_apps_below_them():
    assert violations(import_graph()) == []


def test_incidents_and_followup_never_import_each_other():
    edges = import_graph()
    assert ("incidents", "followup") not in edges
    assert ("followup", "incidents") not in edges


def test_function_level_imports_count():
    """An import inside a function is an edge like any other (the graph is built from every node)."""
    source = "def f():\n    from reports.services import x\n"
    imports = [n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.ImportFrom)]
    assert [n.module for n in imports] == ["reports.services"]


@pytest.mark.parametrize(
    ("edges", "expected"),
    [
        ({("core", "responsibility"): ["core/x.py:1 responsibility.models"]}, "a layer above it"),
        ({("incidents", "followup"): ["incidents/x.py:1 followup.models"]}, "of its own layer"),
        ({("followup", "incidents"): ["followup/x.py:1 incidents.models"]}, "of its own layer"),
        ({("responsibility", "reports"): ["responsibility/x.py:3 reports"]}, "a layer above it"),
        ({("masportal", "bench"): ["masportal/x.py:1 bench.volume"]}, "dev-only"),
        ({("reports", "incidents"): ["r"], ("incidents", "reports"): ["i"]}, "import cycle"),
    ],
)
def test_a_violation_is_found(edges, expected):
    found = violations(edges)
    assert any(expected in line for line in found), found


def test_imports_down_the_layers_are_allowed():
    assert violations({("reports", "core"): ["r"], ("masportal", "api"): []} | {("api", "incidents"): ["a"]}) == [
        "masportal imports api, of its own layer: []"
    ]
    assert (
        violations(
            {("reports", "complaints"): ["r"], ("complaints", "incidents"): ["c"], ("bench", "masportal"): ["b"]}
        )
        == []
    )
