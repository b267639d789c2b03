"""Reads a winports xlsx back with openpyxl (python3-openpyxl) and checks it against the same plan's
JSON: sheet names, frozen headers, filters, one Rules row per flow, one Flows row per reason, and
the cells of each rule. Usage: readback.py PLAN.xlsx PLAN.json"""
import json
import sys

import openpyxl

book = openpyxl.load_workbook(sys.argv[1])
plan = json.load(open(sys.argv[2]))
failed = False


def want(condition, text):
    global failed
    print(("ok: " if condition else "FAIL: ") + text)
    failed |= not condition


def ports_text(ranges):
    return ",".join(str(lo) if lo == hi else f"{lo}-{hi}" for lo, hi in ranges)


want(book.sheetnames == ["Rules", "Flows", "Left out", "Catalog"], f"sheets {book.sheetnames}")
for sheet in book.worksheets:
    want(sheet.freeze_panes == "A2", f"{sheet.title}: header row frozen ({sheet.freeze_panes})")
    want(bool(sheet.auto_filter.ref) and sheet.auto_filter.ref.startswith("A1:"),
         f"{sheet.title}: autofilter {sheet.auto_filter.ref}")
rules = book["Rules"]
want([c.value for c in rules[1]][:4] == ["#", "From", "From networks", "To"], "Rules headers")
flows = plan["flows"]
want(rules.max_row - 1 == len(flows), f"{rules.max_row - 1} rule rows for {len(flows)} flows")
def paired(flow):
    """A rule holds an address family only where both ends have it (an IPv6 source with IPv4-only
    destinations makes no rule)."""
    src, dst = [], []
    for v6 in (False, True):
        s = [n for n in flow["from_networks"] if (":" in n) == v6]
        d = [n for n in flow["to_networks"] if (":" in n) == v6]
        if s and d and not (not v6 and flow.get("transport") == "icmpv6"):
            src += s
            dst += d
    return ", ".join(src), ", ".join(dst)


bad = []
for i, flow in enumerate(flows, start=2):
    row = [c.value for c in rules[i]]
    src, dst = paired(flow)
    expected = [i - 1, flow["from"], src, flow["to"], dst]
    ports = ports_text(flow["ports"])
    got_ports = "" if row[6] is None else str(row[6])
    if row[:5] != expected or got_ports != ports:
        bad.append((i, row[:7], expected, ports))
want(not bad, f"every rule's cells match the JSON plan {bad[:2]}")
reasons = sum(len(f["reasons"]) for f in flows)
want(book["Flows"].max_row - 1 == reasons, f"{book['Flows'].max_row - 1} flow rows for {reasons} KB reasons")
services = {r["service"] for f in flows for r in f["reasons"]}
listed = {row[0].value for row in book["Catalog"].iter_rows(min_row=2)}
want(listed == services, f"catalog sheet covers the {len(services)} services involved")
# What the plan left out, as the JSON's "skipped" has it: one row per entry, its count and reason.
left = [[c.value for c in row] for row in book["Left out"].iter_rows(min_row=2)]
skipped = plan["skipped"]
want(len(left) == len(skipped), f"{len(left)} left-out rows for {len(skipped)} skipped entries")
ordered = [s for s in skipped if s["undecided"]] + [s for s in skipped if not s["undecided"]]
mismatch = [(row, s) for row, s in zip(left, ordered)
            if row[0] != s["count"] or row[2] != s["service"] or row[4] != s["why"]]
want(not mismatch, f"every left-out row is the JSON's entry {mismatch[:1]}")
sys.exit(1 if failed else 0)
