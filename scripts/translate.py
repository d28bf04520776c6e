"""Fill Dutch translations into locale/nl from a JSON file of {msgid: msgstr or [singular, plural]}
and clear fuzzy flags of those entries; then report what is still untranslated or fuzzy.

    .venv/bin/python scripts/translate.py translations.json
"""

import json
import sys
from pathlib import Path

import polib

PO = Path(__file__).resolve().parent.parent / "locale/nl/LC_MESSAGES/django.po"


def main() -> None:
    strings = json.loads(Path(sys.argv[1]).read_text()) if len(sys.argv) > 1 else {}
    po = polib.pofile(str(PO))
    for entry in po:
        if entry.msgid in strings:
            value = strings[entry.msgid]
            if isinstance(value, list):
                entry.msgstr_plural = {0: value[0], 1: value[1]}
            else:
                entry.msgstr = value
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
    po.save()
    for entry in po.untranslated_entries() + po.fuzzy_entries():
        print("TODO:", json.dumps(entry.msgid))


if __name__ == "__main__":
    main()
