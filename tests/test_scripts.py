"""The README's shell commands run Python snippets (`manage.py shell -c "..."`): every module and name they
import must exist, or `scripts/start` (command 1, `set -e`) stops before the portal starts."""

import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
IMPORT = re.compile(r"from ([\w.]+) import ([\w]+)")


def _snippet_imports() -> list[tuple[str, str, str]]:
    found = []
    for script in sorted((ROOT / "scripts").iterdir()):
        if script.suffix == ".py" or not script.is_file():
            continue
        for snippet in re.findall(r'shell -c "([^"]+)"', script.read_text()):
            found += [(script.name, module, name) for module, name in IMPORT.findall(snippet)]
    return found


def test_the_scripts_run_python_snippets():
    assert ("start", "core.services", "infrastructure_summary") in _snippet_imports()


@pytest.mark.parametrize(("script", "module", "name"), _snippet_imports())
def test_every_name_a_script_snippet_imports_exists(script, module, name):
    assert hasattr(importlib.import_module(module), name), f"scripts/{script}: from {module} import {name}"
