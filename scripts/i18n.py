#!/usr/bin/env python
"""Translation chores without GNU gettext: compile, check, and fill .po files.

    python scripts/i18n.py compile            # every locale/sv .po -> .mo (polib)
    python scripts/i18n.py check              # list untranslated or fuzzy entries; exit 1 if any
    python scripts/i18n.py fill FILE.json     # set msgstr from {"msgid": "msgstr"} where empty

Plural entries in FILE.json take a list: {"%(n)s overdue": ["%(n)s försenad", "%(n)s försenade"]}.
Run ``manage.py makemessages -l sv --ignore=.venv --ignore=var --ignore=tests`` first to collect strings.
"""

import json
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent


def po_files() -> list[Path]:
    return sorted(
        p
        for p in ROOT.glob("**/locale/*/LC_MESSAGES/django.po")
        if not ({".venv", "var"} & set(p.relative_to(ROOT).parts))
    )


def untranslated(po: polib.POFile) -> list[polib.POEntry]:
    bad = []
    for e in po:
        if e.obsolete:
            continue
        if "fuzzy" in e.flags:
            bad.append(e)
        elif e.msgid_plural:
            if not all(e.msgstr_plural.values()):
                bad.append(e)
        elif not e.msgstr:
            bad.append(e)
    return bad


def main(argv: list[str]) -> int:
    cmd = argv[1] if len(argv) > 1 else "check"
    if cmd == "compile":
        for path in po_files():
            polib.pofile(str(path)).save_as_mofile(str(path.with_suffix(".mo")))
        return 0
    if cmd == "check":
        missing = 0
        for path in po_files():
            for e in untranslated(polib.pofile(str(path))):
                missing += 1
                print(f"{path.relative_to(ROOT)}: {e.msgid!r}")
        return 1 if missing else 0
    if cmd == "fill":
        mapping = json.loads(Path(argv[2]).read_text(encoding="utf-8"))
        for path in po_files():
            po = polib.pofile(str(path))
            changed = False
            for e in po:
                if e.msgid not in mapping:
                    continue
                value = mapping[e.msgid]
                if e.translated() and "fuzzy" not in e.flags:
                    continue  # never overwrite an existing translation
                if e.msgid_plural and isinstance(value, list):
                    e.msgstr_plural = {i: v for i, v in enumerate(value)}
                elif not e.msgid_plural and isinstance(value, str):
                    e.msgstr = value
                else:
                    continue
                if "fuzzy" in e.flags:
                    e.flags.remove("fuzzy")
                changed = True
            if changed:
                po.save()
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
