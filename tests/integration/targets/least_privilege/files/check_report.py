"""Check the JSON report of a gate run with a key that lacks some RAM actions.

    python check_report.py REPORT ACTION [ACTION...]

The gate must have failed, with no check failed outright (a missing permission says nothing about
health) and at least one inconclusive check whose reason names one of the missing actions.
"""

import json
import sys


def main(report_path, *actions):
    with open(report_path) as handle:
        report = json.load(handle)
    problems = []
    if report["result"] != "failed":
        problems.append("result is %r, not 'failed'" % report["result"])
    statuses = {check["status"] for check in report["checks"]}
    if "failed" in statuses:
        problems.append("a check failed outright: %r" % [c for c in report["checks"] if c["status"] == "failed"])
    naming = [c for c in report["checks"] if c["status"] == "inconclusive" and any(a in (c["reason"] or "") for a in actions)]
    if not naming:
        problems.append("no inconclusive check names %s" % " or ".join(actions))
    if problems:
        sys.exit("check_report.py: %s: %s" % (report_path, "; ".join(problems)))


if __name__ == "__main__":
    main(*sys.argv[1:])
