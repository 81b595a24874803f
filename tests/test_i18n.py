"""Swedish is the default language: every string the user sees has a Swedish translation."""

import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent


def test_every_message_has_a_swedish_translation():
    """No .po entry is left untranslated or fuzzy (scripts/i18n.py check)."""
    result = subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "scripts" / "i18n.py"), "check"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, "Untranslated messages:\n" + result.stdout[:5000]


def test_compiled_catalogues_match_their_sources():
    """Each committed .mo holds exactly the translations of its .po, so a fresh machine shows Swedish."""
    for po_path in ROOT.glob("**/locale/sv/LC_MESSAGES/django.po"):
        if {".venv", "var"} & set(po_path.relative_to(ROOT).parts):
            continue
        mo_path = po_path.with_suffix(".mo")
        assert mo_path.exists(), f"{mo_path} missing: run scripts/i18n.py compile"
        po = {(e.msgctxt, e.msgid): (e.msgstr or e.msgstr_plural) for e in polib.pofile(str(po_path)) if e.translated()}
        mo = {(e.msgctxt, e.msgid): (e.msgstr or e.msgstr_plural) for e in polib.mofile(str(mo_path)) if e.msgid}
        assert {k: v for k, v in po.items()} == {k: v for k, v in mo.items() if k in po}, po_path
