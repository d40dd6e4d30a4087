# SPDX-License-Identifier: GPL-2.0
"""KTAP result lines for the tests' Python helpers: each `report` prints
`ok DESC` or `not ok DESC` and its diagnostics as `# ` lines, which the
shell scripts turn into test points (tests/lib.sh, ktap_forward)."""


class Result:
    def __init__(self):
        self.failed = self.reported = 0

    def report(self, ok, desc, *diag):
        print(("ok " if ok else "not ok ") + desc, flush=True)
        for d in diag:
            print(f"# {d}", flush=True)
        self.failed += not ok
        self.reported += 1
