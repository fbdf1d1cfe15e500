#!/usr/bin/env python3
"""Prints one line 'N passed, N failed[, N skipped]' from meson's testlog.json.

Exits 1 when the log is missing or empty (a run that ran nothing is a failure)
or when any test failed, timed out or errored."""
import json
import sys

path = sys.argv[1]
counts = {"passed": 0, "failed": 0, "skipped": 0}
try:
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            result = json.loads(line).get("result", "")
            if result in ("OK", "EXPECTEDFAIL"):
                counts["passed"] += 1
            elif result == "SKIP":
                counts["skipped"] += 1
            else:  # FAIL, TIMEOUT, ERROR, UNEXPECTEDPASS, ...
                counts["failed"] += 1
except (OSError, ValueError) as e:
    print(f"test-summary: cannot read {path}: {e}", file=sys.stderr)
    print("0 passed, 1 failed")
    sys.exit(1)

line = f"{counts['passed']} passed, {counts['failed']} failed"
if counts["skipped"]:
    line += f", {counts['skipped']} skipped"
print(line)
total = sum(counts.values())
sys.exit(1 if counts["failed"] or total == 0 else 0)
