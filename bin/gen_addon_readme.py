"""Build retail_customer_mgmt/README.rst from the readme/ fragments (as OCA does).

Usage: python bin/gen_addon_readme.py
"""

from pathlib import Path

ADDON = Path(__file__).resolve().parent.parent / "retail_customer_mgmt"
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


def main():
    title = "Retail Customer Management"
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
        path = ADDON / "readme" / filename
        if not path.exists():
            continue
        if heading:
            parts += [heading, "=" * len(heading), ""]
        parts += [md_to_rst(path.read_text(encoding="utf-8")).rstrip(), ""]
    (ADDON / "README.rst").write_text("\n".join(parts), encoding="utf-8")


if __name__ == "__main__":
    main()
