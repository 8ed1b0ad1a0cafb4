"""Per-module test counts and wall times of an Odoo test log (``bin/test --odoo``).

at_install tests run while their module is installed: their time is the one
Odoo logs as "Module X loaded in ... (incl. Ns test)" (class set-ups
included). post_install tests run at the end, with every module installed:
a test's time runs from its "Starting ..." line to the next one, so a class
set-up counts in the test logged before it (to the second, per module).
"""

import re
import sys
from collections import defaultdict
from datetime import datetime

LINE = re.compile(r"^(\S+ \S+) \d+ \w+ \S+ (\S+): (.*)$")
MODULE_TESTS = re.compile(r"^odoo\.addons\.(\w+)\.tests\b")
LOADED = re.compile(r"^Module (\w+) loaded in [\d.]+s \(incl\. ([\d.]+)s test\)")


def main(path):
    at_time = defaultdict(float)
    counts = {"at_install": defaultdict(int), "post_install": defaultdict(int)}
    post_time = defaultdict(float)
    bad = defaultdict(int)
    phase = "at_install"
    current = None  # (module, start) of the running post_install test
    with open(path, encoding="utf-8", errors="replace") as log:
        for line in log:
            match = LINE.match(line)
            if not match:
                continue
            stamp, logger, message = match.groups()
            message = message.rstrip()
            when = datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S,%f")
            loaded = LOADED.match(message)
            if loaded:
                at_time[loaded.group(1)] += float(loaded.group(2))
                continue
            if message.startswith("Starting post tests"):
                phase = "post_install"
                continue
            if (
                phase == "post_install"
                and current
                and (message.startswith("Starting ") or " post-tests in " in message)
            ):
                module, start = current
                post_time[module] += (when - start).total_seconds()
                current = None
            module = MODULE_TESTS.match(logger)
            if not module:
                continue
            module = module.group(1)
            if message.startswith("Starting ") and message.endswith(" ..."):
                counts[phase][module] += 1
                if phase == "post_install":
                    current = (module, when)
            elif message.startswith(("FAIL: ", "ERROR: ")):
                bad[module] += 1

    modules = sorted(set(counts["at_install"]) | set(counts["post_install"]))
    print("Per suite (at_install: during the module's install; post_install: with every module):")
    print(f"  {'module':<24}{'at_install':>18}{'post_install':>20}{'total':>18}  failed")
    for module in modules:
        at_n, post_n = counts["at_install"][module], counts["post_install"][module]
        at_s, post_s = at_time[module], post_time[module]
        print(
            f"  {module:<24}{at_n:>6} tests {at_s:>5.0f}s{post_n:>8} tests {post_s:>5.0f}s"
            f"{at_n + post_n:>6} tests {at_s + post_s:>5.0f}s  {bad[module]}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
