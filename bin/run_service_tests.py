"""Run the addon's pure service tests (tag ``retail_services``) without a
database: they test ``services/`` (no odoo import), so Odoo's test loader only
imports them, and they run in seconds.

Usage: run_service_tests.py ODOO_SRC ADDONS_PATH MODULE

Ends with the line ``N passed, N failed, N skipped`` and exits non-zero when a
test fails, errors or is skipped, or when no test was found.
"""

import logging
import sys
import unittest


def main(odoo_src, addons_path, module):
    sys.path.insert(0, odoo_src)
    import odoo
    from odoo.modules.module import initialize_sys_path
    from odoo.tools import config

    logging.disable(logging.WARNING)
    config.parse_config([f"--addons-path={addons_path}", "--test-tags=retail_services"])
    initialize_sys_path()
    odoo.modules.module.current_test = True
    from odoo.tests import loader

    suite = unittest.TestSuite(
        loader.make_suite([module], position) for position in ("at_install", "post_install")
    )
    result = unittest.TextTestRunner(stream=sys.stdout, verbosity=1).run(suite)
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    skipped = len(result.skipped)
    passed = result.testsRun - failed - skipped
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 0 if result.testsRun and not failed and not skipped else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
