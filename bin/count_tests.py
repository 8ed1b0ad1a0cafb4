"""Print how many tests Odoo will run for ``--test-tags TAGS``.

Usage: count_tests.py ODOO_SRC ADDONS_PATH TAGS MODULE [MODULE...]

The count comes from Odoo's own loader (``odoo.tests.loader.make_suite``),
the function Odoo calls to build the at-install and post-install suites, with
the same tag selector: inherited test methods, ``@tagged`` positions and
``--tags`` subsets are counted exactly as Odoo will run them, and nobody
types the number by hand. Only imports happen (no database, no registry).

It also fails when a ``tests/test_*.py`` file of a module is not imported by
its ``tests/__init__.py``: Odoo would silently never run it, so neither the
loader nor the run would notice.
"""

import logging
import sys
from pathlib import Path


def main(odoo_src, addons_path, tags, modules):
    sys.path.insert(0, odoo_src)
    import odoo
    from odoo.modules.module import initialize_sys_path
    from odoo.tools import config

    logging.disable(logging.WARNING)
    config.parse_config([f"--addons-path={addons_path}", f"--test-tags={tags}"])
    initialize_sys_path()
    odoo.modules.module.current_test = True  # as during a test run
    from odoo.tests import loader

    problems = []
    for module in modules:
        spec_dir = next(
            (Path(p) / module for p in addons_path.split(",") if (Path(p) / module).is_dir()),
            None,
        )
        if spec_dir is None:
            problems.append(f"module {module} not found in {addons_path}")
            continue
        imported = {m.__name__.rsplit(".", 1)[-1] for m in loader.get_test_modules(module)}
        files = {f.stem for f in (spec_dir / "tests").glob("test_*.py")}
        for missing in sorted(files - imported):
            problems.append(f"{module}/tests/{missing}.py is not imported by tests/__init__.py")
    total = sum(
        loader.make_suite(modules, position).countTestCases()
        for position in ("at_install", "post_install")
    )
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1
    print(total)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]))
