"""The README's configuration table names every environment variable the code reads."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ["core", "masportal", "responsibility", "incidents", "followup", "reports", "complaints", "api", "accounts"]
READ = re.compile(r"""(?:environ(?:\.get)?\(\s*|environ\[\s*|getenv\(\s*|env_\w+\(\s*)["']([A-Z][A-Z0-9_]+)["']""")


def test_every_environment_variable_read_by_the_code_is_documented():
    """An operator finds every variable the code reads in the README, with its default and meaning."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    read = set()
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            read |= set(READ.findall(path.read_text(encoding="utf-8")))
    read |= set(re.findall(r'"(MASPORTAL_BROKER_RESTORE_\w+)"', (ROOT / "masportal/settings.py").read_text()))
    assert "DATABASE_URL" in read  # the scan itself works
    missing = sorted(v for v in read if f"`{v}`" not in readme)
    assert not missing, f"not in README's configuration table: {missing}"
