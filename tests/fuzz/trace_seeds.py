#!/usr/bin/env python3
"""Seed corpora for the per-protocol reply fuzzers from a --trace recording: every reply becomes
OUT/<transport>-<port>/<n>, prefixed with its probe id (two bytes, big-endian) as the targets expect."""
import os
import sys

trace, out = sys.argv[1], sys.argv[2]
for n, line in enumerate(open(trace)):
    fields = line.split()
    if len(fields) != 6 or fields[4] != "recv":
        continue
    transport, port = fields[1].split("/")
    directory = os.path.join(out, f"{transport}-{port}")
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, str(n)), "wb") as f:
        f.write(int(fields[3]).to_bytes(2, "big") + bytes.fromhex(fields[5]))
