"""No module outside migrations is over 500 lines (STYLE.md "Layout": one module per concern; issue 18).

The one exception is the crawl's table of expected statuses (``tests/crawl/expectations.py``): data, one row
per URL and role, not code. Everything of ours is counted: the apps, ``bench/``, ``scripts/`` and the tests.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_LINES = 500
SKIPPED_DIRS = {".venv", "migrations", "node_modules", "var", ".git", "__pycache__"}
EXCEPTIONS = {Path("tests/crawl/expectations.py")}


def oversized(root: Path = ROOT, *, limit: int = MAX_LINES) -> dict[str, int]:
    """Every Python module under ``root`` (migrations and the exceptions left out) over ``limit`` lines."""
    found = {}
    for path in root.rglob("*.py"):
        relative = path.relative_to(root)
        if SKIPPED_DIRS & set(relative.parts) or relative in EXCEPTIONS:
            continue
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > limit:
            found[str(relative)] = lines
    return found


def test_no_module_is_over_500_lines():
    """Split a module that grows past 500 lines by concern (a package with a re-exporting __init__ is fine)."""
    assert oversized() == {}


def test_the_check_finds_a_long_module(tmp_path):
    """A module of 501 lines is reported with its length; one of 500 lines and a long migration are not."""
    (tmp_path / "app" / "migrations").mkdir(parents=True)
    (tmp_path / "app" / "long.py").write_text("x = 1\n" * 501)
    (tmp_path / "app" / "fits.py").write_text("x = 1\n" * 500)
    (tmp_path / "app" / "migrations" / "0001_initial.py").write_text("x = 1\n" * 900)
    assert oversized(tmp_path) == {"app/long.py": 501}
