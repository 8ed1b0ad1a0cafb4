"""Build an addon's README.rst from its readme/ fragments (as OCA does).

Usage: python bin/gen_addon_readme.py [ADDON]   (default: retail_customer_mgmt)
"""

import ast
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SECTIONS = [
    ("DESCRIPTION.md", None),
    ("CONFIGURE.md", "Configuration"),
    ("USAGE.md", "Usage"),
    ("ROADMAP.md", "Known issues / Roadmap"),
    ("CONTRIBUTORS.md", "Contributors"),
]


def md_to_rst(text):
    """The fragments use a small subset of Markdown: paragraphs, '- ' lists, **bold**."""
    return text.replace("`", "``").replace("````", "``")


def main(addon="retail_customer_mgmt"):
    addon_dir = REPO / addon
    title = ast.literal_eval((addon_dir / "__manifest__.py").read_text(encoding="utf-8"))["name"]
    parts = [
        "=" * len(title),
        title,
        "=" * len(title),
        "",
        ".. |badge| image:: https://img.shields.io/badge/license-LGPL--3-blue.png",
        "",
        "|badge| Odoo 18.0 Community",
        "",
    ]
    for filename, heading in SECTIONS:
        path = addon_dir / "readme" / filename
        if not path.exists():
            continue
        if heading:
            parts += [heading, "=" * len(heading), ""]
        parts += [md_to_rst(path.read_text(encoding="utf-8")).rstrip(), ""]
    (addon_dir / "README.rst").write_text("\n".join(parts), encoding="utf-8")


if __name__ == "__main__":
    main(*sys.argv[1:])
