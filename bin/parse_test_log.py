"""Read an Odoo test log and print the verdict as "N passed, N failed".

Counts come from Odoo's own report line
``X failed, Y error(s) of Z tests when loading database 'db'``.
The verdict fails (exit 1) when that line is missing (the module did not
install or Odoo crashed), when Odoo exited non-zero, or when ERROR/CRITICAL
lines were logged outside of any test report.
"""

import re
import sys

REPORT = re.compile(r"(\d+) failed, (\d+) error\(s\) of (\d+) tests when loading database")
LOG_LEVEL = re.compile(r"^\S+ \S+ \d+ (ERROR|CRITICAL) \S+ (\S+): (.*)$")


def main(path, rc, elapsed):
    report = None
    failures = []
    stray_errors = []
    with open(path, encoding="utf-8", errors="replace") as log:
        for line in log:
            match = REPORT.search(line)
            if match:
                report = tuple(int(x) for x in match.groups())
                continue
            match = LOG_LEVEL.match(line)
            if not match:
                continue
            _level, logger, message = match.groups()
            if message.startswith(("FAIL:", "ERROR:")):
                failures.append(message)
            elif logger.startswith("odoo.addons.") and ".tests." in logger:
                # detail lines of a failing test (tracebacks, tour errors)
                continue
            elif logger.startswith(("odoo.tests", "odoo.modules.loading")) and "tests" in message:
                continue
            else:
                stray_errors.append(f"{logger}: {message}")

    print(f"Test log: {path} ({elapsed}s)")
    for failure in failures:
        print(f"  {failure}")
    if report is None:
        print(
            "Odoo did not report any test result: the module failed to install "
            "or Odoo stopped early (see the log above)."
        )
        print("0 passed, 0 failed")
        return 1
    failed, errors, total = report
    bad = failed + errors
    if stray_errors:
        print(f"{len(stray_errors)} ERROR/CRITICAL log line(s) outside tests, counted as failures:")
        for error in stray_errors[:20]:
            print(f"  {error}")
        bad += len(stray_errors)
    passed = total - failed - errors
    print(f"{passed} passed, {bad} failed")
    return 1 if (bad or rc != 0 or total == 0) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2]), sys.argv[3]))
