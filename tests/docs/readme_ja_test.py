#!/usr/bin/env python3
"""README.ja.md's Japanese session as it really runs: each `$ winports …` line of its console blocks
is run from the source directory (with the binary under test, a pipe kept) and its output must be
the lines that follow it in the README. Prints the difference; exits 1 on any.
Usage: readme_ja_test.py WINPORTS SOURCE_DIR"""
import difflib
import os
import re
import shlex
import subprocess
import sys

binary, src = sys.argv[1], sys.argv[2]
text = open(f"{src}/README.ja.md", encoding="utf-8").read()
blocks = re.findall(r"```console\n(.*?)```", text, flags=re.S)
# Under ASan, LeakSanitizer's report of the suppressions it used is not the session's output.
env = dict(os.environ)
env["LSAN_OPTIONS"] = ":".join(filter(None, [env.get("LSAN_OPTIONS"), "print_suppressions=0"]))
failed = commands = 0
for block in blocks:
    session = []  # (command, expected lines)
    for line in block.splitlines():
        if line.startswith("$ winports "):
            session.append((line[len("$ winports "):], []))
        elif session:
            session[-1][1].append(line)
    for command, expected in session:
        while expected and expected[-1] == "":
            expected.pop()
        commands += 1
        run = subprocess.run(f"{shlex.quote(binary)} {command}", shell=True, cwd=src, capture_output=True,
                             text=True, env=env)
        got = (run.stdout + run.stderr).rstrip("\n").splitlines()
        if got != expected:
            failed += 1
            print(f"FAIL: README.ja.md: $ winports {command}")
            sys.stdout.writelines(l + "\n" for l in difflib.unified_diff(expected, got, "README.ja.md", "actual",
                                                                         lineterm=""))
print(f"{'FAIL' if failed or not commands else 'ok'}: {commands} commands of README.ja.md's session")
sys.exit(1 if failed or not commands else 0)
