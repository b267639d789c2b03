#!/usr/bin/env python3
"""Every capture of the Zeek corpus (../shared/corpus/zeek-traces/traces.tar.xz) through `winports
analyze`: no crash and no hang (each run bounded in time), a link type it does not read refused
with exit 2, and its TCP+UDP connection count against tshark's (`-z conv,tcp -z conv,udp`) on the
files both read — the agreement printed, and held at least at the floor given.
Usage: captures_test.py WINPORTS CORPUS_DIR FLOOR_PERCENT [--list-differences]"""
import concurrent.futures
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile

winports, corpus, floor = sys.argv[1], sys.argv[2], float(sys.argv[3])
show = "--list-differences" in sys.argv
archive = os.path.join(corpus, "zeek-traces", "traces.tar.xz")
if not os.path.exists(archive):
    print(f"SKIP: no capture corpus at {archive}")
    sys.exit(77)
if not shutil.which("tshark"):
    print("FAIL: tshark is not installed (scripts/setup.sh installs it)")
    sys.exit(1)

LIMIT = 30  # seconds per file: the largest capture takes well under one
# The sanitizer run repeats this test for memory errors on real captures; the count against tshark
# (0.5 s of its start-up per file, most of the test's time) was proven by the README suite already.
with_peer = os.environ.get("WINPORTS_CORPUS_PEER", "1") != "0"


def winports_count(path):
    try:
        run = subprocess.run([winports, "analyze", path, "--json"], capture_output=True, timeout=LIMIT)
    except subprocess.TimeoutExpired:
        return "hang", None
    if run.returncode == 2:
        return "refused", run.stderr.decode(errors="replace").strip().splitlines()[-1:]
    if run.returncode < 0 or run.returncode not in (0, 1):
        return "crash", run.returncode
    flows = json.loads(run.stdout)["payload"]["flows"]
    return "read", sum(f["connections"] for f in flows if f["transport"] in ("tcp", "udp"))


def tshark_count(path):
    try:
        run = subprocess.run(["tshark", "-r", path, "-q", "-z", "conv,tcp", "-z", "conv,udp"], capture_output=True,
                             timeout=LIMIT * 4)
    except subprocess.TimeoutExpired:
        return None
    if run.returncode != 0:
        return None
    return sum(1 for line in run.stdout.decode(errors="replace").splitlines() if "<->" in line)


def both(path):
    return path, winports_count(path), tshark_count(path) if with_peer else None


with tempfile.TemporaryDirectory() as tmp:
    with tarfile.open(archive) as tar:
        tar.extractall(tmp, filter="data") if hasattr(tarfile, "data_filter") else tar.extractall(tmp)
    files = sorted(os.path.join(root, f) for root, _, names in os.walk(tmp) for f in names)
    with concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 2) as pool:
        results = list(pool.map(both, files))

bad = [(p, kind, detail) for p, (kind, detail), _ in results if kind in ("hang", "crash")]
read = [(p, n, t) for p, (kind, n), t in results if kind == "read" and t is not None]
agree = [r for r in read if r[1] == r[2]]
refused = sum(1 for _, (kind, _), _ in results if kind == "refused")
share = 100.0 * len(agree) / max(1, len(read))
read_by_winports = sum(1 for _, (kind, _), _ in results if kind == "read")
both_or_alone = f"{len(read)} read by both" if with_peer else f"{read_by_winports} read (tshark not run)"
print(f"{len(files)} captures: {both_or_alone}, {refused} refused by winports (exit 2), {len(bad)} crashed or hung")
for p, kind, detail in bad:
    print(f"FAIL: {os.path.basename(p)}: {kind} {detail}")
if not with_peer:
    sys.exit(1 if bad or read_by_winports == 0 else 0)
print(f"TCP+UDP connections equal to tshark's on {len(agree)} of {len(read)} ({share:.1f}%; floor {floor}%)")
if show:
    for p, n, t in read:
        if n != t:
            print(f"differs: {os.path.basename(p)}: winports {n}, tshark {t}")
sys.exit(1 if bad or share < floor else 0)
