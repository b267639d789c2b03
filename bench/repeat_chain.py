#!/usr/bin/env python3
"""A ruleset shaped like an enterprise router's: the site chain of a recorded kernel dump
(tests/data/audit/branch-office.nft.json, `nft -j list ruleset` of winports' own nftables output)
repeated in one chain until it holds RULES rules — near-duplicates, exact duplicates and shadowed
runs, as hand-kept rulesets grow. Each copy's rules are the same; every copy after the first never
matches what the first already decided. With --distinct each rule gains a source host of its own
(198.19.0.0/16): per-host rules to the same servers, none covering another.
Usage: repeat_chain.py DUMP RULES OUT [--distinct]"""
import copy
import json
import sys

dump, wanted, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
distinct = "--distinct" in sys.argv[4:]
doc = json.load(open(dump))
items = doc["nftables"]
site = [x for x in items if "rule" in x and x["rule"]["chain"] == "site"]
rest = [x for x in items if not ("rule" in x and x["rule"]["chain"] == "site")]
# The chain's last rule is its verdict for the rest (a drop): the copies go before it.
body, tail = site[:-1], site[-1:]
repeated = []
handle = 1000
while len(repeated) + len(tail) < wanted:
    for rule in body:
        if len(repeated) + len(tail) >= wanted:
            break
        r = copy.deepcopy(rule)
        r["rule"]["handle"] = handle
        if distinct:
            n = handle - 1000
            r["rule"]["expr"].insert(0, {"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}},
                                                   "right": f"198.19.{n // 250}.{n % 250 + 1}"}})
        handle += 1
        repeated.append(r)
doc["nftables"] = rest + repeated + tail
json.dump(doc, open(out, "w"))
print(f"{len(repeated) + len(tail)} rules in the site chain")
