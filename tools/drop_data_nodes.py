"""Replace ``<odoo><data noupdate="1">...</data></odoo>`` by
``<odoo noupdate="1">...</odoo>`` (oca-checks-odoo-module's
xml-deprecated-data-node) in the given XML files; prettier re-indents.

Usage: python tools/drop_data_nodes.py FILE.xml [...]
"""

import re
import sys

OPEN = re.compile(r"<odoo>\s*<data(\s+noupdate=\"[01]\")?\s*>")
CLOSE = re.compile(r"</data>\s*</odoo>")


def main(paths):
    for path in paths:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        if text.count("<data") != 1 or not OPEN.search(text) or not CLOSE.search(text):
            continue
        text = OPEN.sub(lambda m: f"<odoo{m.group(1) or ''}>", text, count=1)
        text = CLOSE.sub("</odoo>", text, count=1)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        print(f"fixed {path}")


if __name__ == "__main__":
    main(sys.argv[1:])
