"""What the cloud model tests share: every golden template of a format checked, and broken copies
of a real one that the check must refuse (or it proves nothing)."""
import copy
import glob
import json


def golden_templates(src, fmt):
    files = sorted(glob.glob(f"{src}/tests/golden/*.{fmt}") + glob.glob(f"{src}/tests/golden/{fmt}/*.expected"))
    return [f for f in files if not open(f).read().startswith("winports:")]  # a refusal's stderr


def check(src, fmt, problems, count_rules, sample, pick, edits):
    """Prints every problem of every golden template of `fmt`, and every broken copy of `sample`
    (`pick` finds the rule each edit of `edits` breaks) that `problems` accepts; returns the number
    of failures and of rules checked."""
    failed = rules = 0
    for f in golden_templates(src, fmt):
        template = json.load(open(f))
        rules += count_rules(template)
        found = problems(template)
        for p in found:
            print(f"FAIL: {f}: {p}")
        failed += bool(found)
    for label, edit in edits:
        broken = copy.deepcopy(sample)
        edit(pick(broken))
        if not problems(broken):
            print(f"FAIL: the check accepts {label}")
            failed += 1
    return failed, rules
