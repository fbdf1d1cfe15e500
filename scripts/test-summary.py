#!/usr/bin/env python3
"""Prints one line 'N passed, N failed[, N skipped]' from meson testlog.json
files, one per run (plain, ASan, valgrind); each test run counts once.

A missing or empty log counts as a failed run (a run that ran nothing, or
whose build broke, must not look green). Exits 1 when anything failed."""
import json
import sys

counts = {"passed": 0, "failed": 0, "skipped": 0}


def count(path):
    n = 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            result = json.loads(line).get("result", "")
            n += 1
            if result in ("OK", "EXPECTEDFAIL"):
                counts["passed"] += 1
            elif result == "SKIP":
                counts["skipped"] += 1
            else:  # FAIL, TIMEOUT, ERROR, UNEXPECTEDPASS, ...
                counts["failed"] += 1
    if n == 0:
        raise ValueError("no test results in it")


for path in sys.argv[1:] or ["(no log given)"]:
    try:
        count(path)
    except (OSError, ValueError) as e:
        print(f"test-summary: {path}: {e}", file=sys.stderr)
        counts["failed"] += 1

line = f"{counts['passed']} passed, {counts['failed']} failed"
if counts["skipped"]:
    line += f", {counts['skipped']} skipped"
print(line)
sys.exit(1 if counts["failed"] else 0)
