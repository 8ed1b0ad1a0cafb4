"""Read an Odoo test log and print the verdict, last line "N passed, N failed, N skipped".

Usage: parse_test_log.py LOG ODOO_EXIT_CODE ELAPSED [EXPECTED_TESTS]

The counts come from Odoo's own per-test lines, not from arithmetic on its
totals:

* ``Starting TestClass.test_x ...``: a test that ran (Odoo counts it once);
* ``FAIL: ...`` / ``ERROR: ...``: a failure or an error, attributed to its
  test; a failing sub-test (``FAIL: Subtest TestClass.test_x (...)``, which
  is how every ``assertQueryCount`` and ``subTest`` fails) fails its test,
  and a set-up that fails (``ERROR: setUpClass (...TestClass)``) counts as a
  failure of its class (its tests never start);
* ``skipped TestClass.test_x : reason``: a skipped test (Odoo skips every
  browser test when it finds no Chromium); a skipped sub-test skips its test;
* ``Retrying a failed test: test_x (...TestClass...)``: Odoo's own retry
  (``ODOO_TEST_FAILURE_RETRIES``, which ``bin/test --odoo`` sets for Odoo's
  suites). Odoo logs the first run's warnings and errors at INFO level,
  with the level names ``_WARNING``/``_ERROR``, and retries the test when
  it failed or logged any of them (a warning alone, which does not fail a
  test, is enough). The test counts by its second run; the summary quotes
  the first run's first failure (or warning) of each retried test, and the
  verdict line says how many passed only on the retry after a first run
  that failed.

A test is passed when it started and nothing failed, errored or skipped it.

The run fails (exit 1) when a test failed, when a test was skipped, when
fewer tests started than EXPECTED_TESTS (the number Odoo's loader finds in
the test code, see count_tests.py), when Odoo wrote no report (the module
did not install, Odoo crashed), when Odoo exited non-zero, or when
ERROR/CRITICAL lines were logged outside of any test. The last line then
says why.
"""

import re
import sys

REPORT = re.compile(r"(\d+) failed, (\d+) error\(s\) of (\d+) tests when loading database")
LINE = re.compile(r"^\S+ \S+ \d+ (\w+) \S+ (\S+): (.*)$")
STARTING = re.compile(r"^Starting (\w+\.\w+) \.\.\.$")
SKIPPED = re.compile(r"^skipped (?:Subtest )?(\w+\.\w+|.+?)(?: \(.*\))? : (.*)$")
FAILED = re.compile(r"^(FAIL|ERROR): (?:Subtest )?(\S+)")
# str(test) is "test_x (odoo.addons.module.tests.file.TestClass.test_x)"
RETRYING = re.compile(r"^Retrying a failed test: (\w+) \(([\w.]+?)(?:\.\1)?\)$")
CLASS_SETUP = re.compile(r"^(?:FAIL|ERROR): (setUpClass|tearDownClass|setUpModule) \((\S+)\)")
RAISED = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Interrupt|Exit)\b:? ?.*$")
INSTALL_FAILED = (
    "Failed to load registry",
    "Failed to initialize database",
    "Some modules are not loaded",
    "Some modules have inconsistent states",
    "Couldn't load module",
    "ParseError",
)


def _first_run(logs):
    """``(failed, what to quote)`` of the first run of a retried test, from
    the lines Odoo lowered: it failed when it logged an error (its FAIL or
    ERROR line included), else it only logged a warning."""
    errors = [log for log in logs if log[0] != "_WARNING"]
    failures = [log for log in errors if FAILED.match(log[2])]
    if failures or errors:
        _level, logger, message = (failures or errors)[0]
        return True, f"failed: {logger}: {message.splitlines()[0][:200]}"
    if logs:
        _level, logger, message = logs[0]
        return False, (
            "only logged a warning (Odoo retries on any): "
            f"{logger}: {message.splitlines()[0][:200]}"
        )
    return True, "failed (no line of it found)"


def _test_id(logger, name):
    """``module.Class.method`` from a test logger and ``Class.method``."""
    return f"{logger}.{name}"


class Verdict:
    def __init__(self):
        self.report = None
        self.started = []
        self.failed = {}  # test or class id -> first FAIL/ERROR message
        self.failure_lines = []
        self.skipped = {}  # test id -> reason
        self.stray_errors = []
        self.install_errors = []
        self.last_raised = None  # last line of the last traceback in the log
        self.current = None  # the test last started
        self.first_run_logs = {}  # test id -> [(level, logger, message)], lowered by Odoo
        self.retried = {}  # test id -> (first run failed?, its first failure or warning)

    def read(self, path):
        with open(path, encoding="utf-8", errors="replace") as log:
            for line in log:
                self._line(line.rstrip())
        return self

    def _line(self, line):
        if RAISED.match(line):
            self.last_raised = line
            return
        match = REPORT.search(line)
        if match:
            # one report per Odoo run (bin/test runs the glue module second)
            counts = tuple(int(x) for x in match.groups())
            self.report = tuple(map(sum, zip(self.report or (0, 0, 0), counts, strict=True)))
            return
        match = LINE.match(line)
        if match and match.group(1) in ("_WARNING", "_ERROR", "_CRITICAL"):
            logs = self.first_run_logs.setdefault(self.current, [])
            logs.append(match.groups())
        elif match and match.group(1) == "INFO":
            self._info(*match.groups()[1:])
        elif match and match.group(1) in ("ERROR", "CRITICAL"):
            self._error(*match.groups()[1:])

    def _info(self, logger, message):
        retrying = RETRYING.match(message)
        if retrying:  # logged by odoo.tests.common
            test = f"{retrying.group(2)}.{retrying.group(1)}"
            self.retried[test] = _first_run(self.first_run_logs.pop(test, []))
            return
        if not (logger.startswith("odoo.addons.") and ".tests." in logger):
            return
        started = STARTING.match(message)
        skipped = SKIPPED.match(message)
        if started:
            self.current = _test_id(logger, started.group(1))
            self.started.append(self.current)
        elif skipped:
            self.skipped[_test_id(logger, skipped.group(1))] = skipped.group(2)

    def _error(self, logger, message):
        failed = FAILED.match(message)
        if failed:
            self.failure_lines.append(message)
            setup = CLASS_SETUP.match(message)
            key = setup.group(2) if setup else _test_id(logger, failed.group(2))
            self.failed.setdefault(key, message)
        elif logger.startswith("odoo.addons.") and ".tests." in logger:
            pass  # detail lines of a failing test (tracebacks, tour errors)
        elif logger.startswith(("odoo.tests", "odoo.modules.loading")) and "tests" in message:
            pass  # Odoo's own summary of the failures already counted
        else:
            self.stray_errors.append(f"{logger}: {message}")
            if any(marker in message for marker in INSTALL_FAILED):
                self.install_errors.append(message)

    def _no_report(self):
        """The last line when Odoo wrote no report: what happened instead."""
        ran = len(set(self.started))
        if self.install_errors:
            reason = "the module failed to install"
        elif not self.started:
            reason = "Odoo stopped before the tests (crash or failed install)"
        else:
            reason = f"Odoo stopped after starting {ran} test(s) (crash or kill)"
        if self.last_raised:
            reason += f"; last error: {self.last_raised[:200]}"
        return f"no test result: {reason} (see the log)"

    def _reasons(self, rc, expected, failed, skipped):
        ran = len(set(self.started))
        reasons = []
        if failed:
            reasons.append(f"{failed} failed")
        if skipped:
            why = "; ".join(sorted(set(self.skipped.values())))
            reasons.append(f"{skipped} skipped ({why[:200]})")
        if expected is not None and ran < expected:
            reasons.append(f"only {ran} of the {expected} tests in the test code ran")
        if self.stray_errors:
            reasons.append(f"{len(self.stray_errors)} ERROR/CRITICAL log line(s) outside tests")
        if rc != 0 and not reasons:
            reasons.append(f"Odoo exited with code {rc}")
        if ran == 0 and not reasons:
            reasons.append("no test ran")
        return reasons

    def summary(self, rc, expected):
        """``(lines to print, exit code)``; the last line is the verdict."""
        lines = [f"  {failure.splitlines()[0]}" for failure in self.failure_lines]
        lines += [f"  skipped {test}: {why}" for test, why in sorted(self.skipped.items())]
        lines += [f"  {error}" for error in self.stray_errors[:20]]
        lines += [
            f"  retried {test}, its first run {why}"
            for test, (_failed, why) in sorted(self.retried.items())
        ]
        if self.report is None:
            return [*lines, self._no_report()], 1
        started = set(self.started)
        failed = len(self.failed)  # tests (sub-tests folded) and classes whose set-up failed
        skipped = len(set(self.skipped) - set(self.failed))
        passed = len(started - set(self.failed) - set(self.skipped))
        odoo_failed, odoo_errors, total = self.report
        lines.append(
            f"Odoo's report: {odoo_failed} failed, {odoo_errors} error(s) of {total} tests "
            f"({len(started)} started per test lines)"
        )
        verdict = f"{passed} passed, {failed} failed, {skipped} skipped"
        failed_first = {test for test, (first_failed, _why) in self.retried.items() if first_failed}
        retried_passed = len(failed_first & (started - set(self.failed) - set(self.skipped)))
        if retried_passed:
            verdict += f" ({retried_passed} passed only on Odoo's retry, listed above)"
        reasons = self._reasons(rc, expected, failed, skipped)
        if reasons:
            return [*lines, f"{verdict}; FAILED: {', '.join(reasons)}"], 1
        return [*lines, verdict], 0


def main(path, rc, elapsed, expected=None):
    verdict = Verdict().read(path)
    lines, code = verdict.summary(rc, expected)
    print(f"Test log: {path} ({elapsed}s)")
    for line in lines:
        print(line)
    return code


if __name__ == "__main__":
    sys.exit(
        main(
            sys.argv[1],
            int(sys.argv[2]),
            sys.argv[3],
            int(sys.argv[4]) if len(sys.argv) > 4 and sys.argv[4] else None,
        )
    )
