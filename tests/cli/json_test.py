#!/usr/bin/env python3
"""Every command's --json output and error object, checked against docs/json.schema.json.

Usage: json_test.py WINPORTS SOURCE_DIR. Runs each command the way a user would (no network: check
probes loopback only), validates stdout (or, for errors, stderr) against the schema's envelope,
error, export and plan definitions, and checks the exit code. Needs python3-jsonschema (Debian).
json_test.py --envelope SOURCE_DIR KIND FILE… validates saved outputs (the network tests' verify and
discover runs).
"""
import json
import subprocess
import sys
import tempfile

import jsonschema

if sys.argv[1] == "--envelope":
    schema = json.load(open(f"{sys.argv[2]}/docs/json.schema.json"))
    for path in sys.argv[4:]:
        document = json.load(open(path))
        jsonschema.validate(document, {**schema, "$ref": "#/definitions/envelope"})
        assert document["kind"] == sys.argv[3], f"{path}: kind {document['kind']!r}"
        print(f"ok: {path} is a valid {sys.argv[3]} envelope")
    sys.exit(0)

winports, source = sys.argv[1], sys.argv[2]
schema = json.load(open(f"{source}/docs/json.schema.json"))
examples, data = f"{source}/examples", f"{source}/tests/data"
failed = 0


def validate(document, definition):
    jsonschema.validate(document, {**schema, "$ref": f"#/definitions/{definition}"})


def run(args, definition, want_exit, stream="stdout", kind=None):
    global failed
    what = " ".join(args)
    proc = subprocess.run([winports, "--lang", "en", *args], capture_output=True, text=True, timeout=120)
    text = proc.stdout if stream == "stdout" else proc.stderr
    try:
        if proc.returncode != want_exit:
            raise AssertionError(f"exit {proc.returncode}, wanted {want_exit}: {proc.stderr[:400]}")
        document = json.loads(text)
        validate(document, definition)
        if kind and document.get("kind") != kind:
            raise AssertionError(f"kind {document.get('kind')!r}, wanted {kind!r}")
        if stream == "stderr" and proc.stdout:
            raise AssertionError("an error run wrote to stdout")
        print(f"ok: {what}")
        return document
    except (AssertionError, json.JSONDecodeError, jsonschema.ValidationError) as e:
        print(f"FAIL: {what}: {str(e)[:600]}")
        failed = 1
        return None


branch = f"{examples}/branch-office.yaml"
run(["port", "1688", "--json"], "envelope", 0, kind="port")
run(["port", "3000/tcp", "--json"], "envelope", 0, kind="port")
run(["port", "1000/udp", "--json"], "envelope", 1, kind="port")
run(["service", "kms", "netlogon", "--json"], "envelope", 0, kind="service")
run(["search", "kerberos", "--json"], "envelope", 0, kind="search")
for flag in ([], ["--roles"], ["--profiles"], ["--os"], ["--features"], ["--scenarios"]):
    run(["list", *flag, "--json"], "envelope", 0, kind="list")
run(["role", "rodc", "--json"], "envelope", 0, kind="role")
run(["role", "nosuchrole", "--json"], "envelope", 1, kind="role")
run(["catalog", "discrepancies", "--json"], "envelope", 0, kind="discrepancies")
# Loopback only: port 1 is closed, so check finds it refused (exit 1).
run(["check", "127.0.0.1", "--ports", "tcp:1", "--timeout", "200", "--json"], "envelope", 1, kind="check")
run(["local", "--json"], "envelope", 0, kind="local")
run(["analyze", f"{data}/analyze/samba-join.pcap", "--json"], "envelope", 0, kind="analyze")
run(["audit", branch, f"{data}/audit/branch-office.nft.json", "--json"], "envelope", 0, kind="audit")
run(["audit", branch, f"{examples}/audit/branch-router.rules", "--json"], "envelope", 1, kind="audit")
# The file formats keep their shapes and carry a version.
run(["export", "--format", "json"], "export", 0)
for site in ("branch-office", "dmz", "mixed-domain", "modern-company"):
    run(["plan", f"{examples}/{site}.yaml", "--format", "json"], "plan", 0)
# Errors under --json: one object on stderr, exit 2, nothing on stdout.
run(["port", "70000", "--json"], "error", 2, stream="stderr")
run(["check", "127.0.0.1", "--port", "1", "--json"], "error", 2, stream="stderr")
run(["audit", f"{examples}/no-such-site.yaml", branch, "--json"], "error", 2, stream="stderr")
with tempfile.NamedTemporaryFile("w", suffix=".yaml") as bad:
    bad.write("site: t\nzones:\n  a: { networks: [198.18.1.0/24], os: windows-11 }\n"
              "  b: { networks: [198.18.2.0/24], os: windows-12 }\n"
              "hosts:\n  h: { address: 198.18.2.1, zone: c, roles: [file-server] }\naccess: []\n")
    bad.flush()
    error = run(["audit", bad.name, f"{data}/audit/branch-office.nft.json", "--json"], "error", 2, stream="stderr")
    if error is not None and not error["error"].get("also"):
        print("FAIL: every error of the file is in the one object (also)")
        failed = 1
sys.exit(failed)
