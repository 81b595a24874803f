"""Reading and writing the crawl's table of expected statuses (tests/crawl/expectations.py)."""

from __future__ import annotations

from collections import Counter, defaultdict

from tests.crawl.harness import METHODS, Outcome


def parse_rule(rule: str) -> tuple[set[int], dict[str, set[int]]]:
    """``"200 foreign:404 missing:404|403"`` → ({200}, {"foreign": {404}, "missing": {404, 403}})."""
    default: set[int] = set()
    by_kind: dict[str, set[int]] = {}
    for token in rule.split():
        if ":" in token:
            kind, statuses = token.split(":", 1)
            by_kind[kind] = {int(s) for s in statuses.split("|")}
        else:
            default = {int(s) for s in token.split("|")}
    return default, by_kind


def expected(table: dict, name: str, role: str, kind: str, method: str) -> set[int] | None:
    """The statuses allowed for one case, or None when the table has no row for the URL."""
    row = table.get(name)
    if row is None and (name.startswith("admin:") or name.startswith("/django-admin/")):
        from tests.crawl.expectations import DJANGO_ADMIN

        row = {"GET": DJANGO_ADMIN, "POST": DJANGO_ADMIN}
    if row is None:
        return None
    rules = row.get(method) or row.get("POST" if method.startswith("POST") else method)
    if rules is None:
        return None
    rule = rules.get(role, rules.get("*"))
    if rule is None:
        return None
    default, by_kind = parse_rule(rule)
    return by_kind.get(kind, default)


def _rule(statuses_by_kind: dict[str, set[int]]) -> str:
    counts = Counter()
    for statuses in statuses_by_kind.values():
        counts["|".join(str(s) for s in sorted(statuses))] += 1
    default = counts.most_common(1)[0][0]
    extra = [
        f"{kind}:{'|'.join(str(s) for s in sorted(st))}"
        for kind, st in sorted(statuses_by_kind.items())
        if "|".join(str(s) for s in sorted(st)) != default
    ]
    return " ".join([default, *extra])


def render_table(outcomes: list[Outcome]) -> str:
    """Write observed statuses as table rows (to review and paste into expectations.py)."""
    seen: dict[str, dict[str, dict[str, dict[str, set[int]]]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(lambda: defaultdict(set)))
    )
    for o in outcomes:
        seen[o.case.pattern][o.case.method][o.case.role][o.case.kind].add(o.status)
    lines = []
    for name in sorted(seen):
        methods = {m: {role: _rule(kinds) for role, kinds in seen[name][m].items()} for m in METHODS if m in seen[name]}
        if methods.get("POST_EMPTY") == methods.get("POST_INVALID"):
            methods = {"GET": methods.get("GET", {}), "POST": methods.get("POST_EMPTY", {})}
        parts = []
        for method, by_role in methods.items():
            common = Counter(by_role.values()).most_common(1)[0][0]
            cells = {"*": common, **{r: v for r, v in sorted(by_role.items()) if v != common}}
            parts.append(f"        {method!r}: {cells!r},")
        lines.append(f"    {name!r}: {{\n" + "\n".join(parts) + "\n    },")
    return "EXPECTED = {\n" + "\n".join(lines) + "\n}\n"


def main(directory: str) -> None:
    """Render the table from the JSON outcomes the crawl recorded (MASPORTAL_CRAWL_RECORD=DIR)."""
    import json
    from pathlib import Path

    from tests.crawl.harness import Case

    outcomes = []
    for path in sorted(Path(directory).glob("*.json")):
        for row in json.loads(path.read_text()):
            outcomes.append(Outcome(case=Case(**row["case"]), status=row["status"]))
    print(render_table(outcomes))  # noqa: T201


if __name__ == "__main__":
    import sys

    main(sys.argv[1])
