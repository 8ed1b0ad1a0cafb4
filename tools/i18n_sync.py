"""Rebuild i18n/zh_CN.po from i18n/retail_customer_mgmt.pot.

Keeps every existing translation whose msgid is still in the template, adds
translations given in JSON files ({"msgid": "msgstr", ...}) or other .po files,
and prints the msgids still untranslated (exit 1 when there are some).

    python tools/i18n_sync.py [extra.json|other.po ...]
    RETAIL_I18N_ADDON=retail_customer_mgmt_queue python tools/i18n_sync.py ...

Export the template first (bin/i18n does both steps).
"""

import json
import os
import sys
from pathlib import Path

import polib

# the addon whose template is synced (RETAIL_I18N_ADDON, default the main one)
ADDON = os.environ.get("RETAIL_I18N_ADDON", "retail_customer_mgmt")
I18N = Path(__file__).resolve().parent.parent / ADDON / "i18n"
POT = I18N / f"{ADDON}.pot"
PO = I18N / "zh_CN.po"


def known_translations(paths):
    known = {}
    for path in paths:
        if path.suffix == ".json":
            known.update(json.loads(path.read_text(encoding="utf-8")))
        else:
            known.update({e.msgid: e.msgstr for e in polib.pofile(str(path)) if e.msgstr.strip()})
    return known


def main(argv):
    pot = polib.pofile(str(POT))
    known = known_translations([*([PO] if PO.exists() else []), *map(Path, argv)])
    old = polib.pofile(str(PO)) if PO.exists() else None
    po = polib.POFile(wrapwidth=78)
    po.header = pot.header
    po.metadata = dict(pot.metadata)
    po.metadata.update({"Language": "zh_CN", "Plural-Forms": "nplurals=1; plural=0;"})
    if old is not None:
        po.metadata["PO-Revision-Date"] = pot.metadata.get("POT-Creation-Date", "")
    missing = []
    for entry in pot:
        msgstr = known.get(entry.msgid, "")
        if not msgstr.strip():
            missing.append(entry.msgid)
        po.append(
            polib.POEntry(
                msgid=entry.msgid,
                msgstr=msgstr,
                occurrences=entry.occurrences,
                comment=entry.comment,
                tcomment=entry.tcomment,
                flags=entry.flags,
            )
        )
    po.save(str(PO))
    print(f"{len(pot)} strings, {len(missing)} untranslated")
    if missing:
        print(json.dumps(dict.fromkeys(missing, ""), ensure_ascii=False, indent=1))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
