#!/usr/bin/env python3
"""Every command and every plan format under --lang ja, over the examples: no English word in what a
person reads, outside the words allowed (tests/docs/ja_allowed_words.txt: protocol and product
names, PortQry's verdicts, the platforms' commands and keywords, each group with its reason) and the
names the output must carry as they are: every word the Japanese KB itself writes in Latin letters
(Active Directory, LDAP …), the catalog's ids and keys, the site's zones and hosts. A word joined
to a digit, '-', '_', '.', '/', '=', '\\' or '$' is an identifier, an option or a path, not a word.
Scripts and rulesets are read where they speak: their comments, their messages and descriptions,
not their commands. Prints each English word with the command and the line; exits 1 on any.
Usage: ja_english_words_test.py WINPORTS SOURCE_DIR"""
import glob
import html
import json
import os
import re
import socket
import subprocess
import sys
import tempfile

import yaml

binary, src = sys.argv[1], sys.argv[2]
examples = sorted(glob.glob(f"{src}/examples/*.yaml"))
branch = f"{src}/examples/branch-office.yaml"
kb_path = os.path.join(src, "..", "shared", "reference", "kb832017-ja.txt")
if not os.path.exists(kb_path):
    print("SKIP: the Japanese KB (../shared/reference/kb832017-ja.txt) is not beside the clone")
    sys.exit(77)

WORD = re.compile(r"(?<![A-Za-z0-9_\-./=\\$%@:{])[A-Za-z][A-Za-z']*(?![A-Za-z0-9_\-./=\\$%@(:])")
allowed = set()
for word in WORD.findall(open(kb_path, encoding="utf-8").read()):
    allowed.add(word.lower())
for line in open(f"{src}/tests/docs/ja_allowed_words.txt", encoding="utf-8"):
    line = line.split("#", 1)[0]
    allowed.update(w.lower() for w in line.split())


# Keys whose values are prose (a person's words, which have their Japanese beside them); every other
# value of the data is a name the output carries as it is (ids, aliases, Windows' service and rule
# names, system service names).
PROSE = {"en", "description", "why", "base", "title", "text", "notes", "note", "scenario"}


def keys_and_ids(node, key=""):
    if isinstance(node, dict):
        for k, value in node.items():
            pass  # keys are the data's field names, not names the output carries
            if k not in PROSE:
                yield from keys_and_ids(value, k)
    elif isinstance(node, list):
        for value in node:
            yield from keys_and_ids(value, key)
    elif isinstance(node, str) and key not in PROSE:
        yield node


for path in glob.glob(f"{src}/data/**/*.yaml", recursive=True) + examples:
    if "/messages/" in path:
        continue
    for name in keys_and_ids(yaml.safe_load(open(path, encoding="utf-8"))):
        allowed.update(part.lower() for part in re.split(r"[^A-Za-z]+", name) if part)


# Another Microsoft document cited as it is written (its title and the section quoted), to the end
# of the cell or line.
CITATION = re.compile(r"(?:doc|文書): .*?(?=\s\|\s|\s{2,}|$)")


def english_allowed(word):
    """Names, not words: the allowed ones; ACRONYMS and placeholders (LDAP, FILE); CamelCase
    identifiers (PowerShell, AllowLocalFirewallRules, KiB)."""
    bare = word.strip("'")
    if bare.lower() in allowed or bare.lower().removesuffix("'s") in allowed:
        return True
    return bare.isupper() or re.search(r"[a-z][A-Z]", bare) is not None


def comments(text, marks):
    """The lines of a script that are comments or messages, without their commands."""
    out = []
    for line in text.splitlines():
        stripped = line.strip()
        for mark in marks:
            if stripped.startswith(mark):
                body = stripped[len(mark):]
                # An indented line of a comment is a command to type; #Requires and #! are directives.
                if not body.startswith("  ") and not re.match(r"(Requires|!)", body):
                    out.append(body)
    return "\n".join(out)


def powershell_words(text):
    said = comments(text, ["#"])
    # The literals a user reads: what the script throws, warns, writes, asks and describes.
    for line in text.splitlines():
        if re.search(r"throw|Write-(Warning|Output)|ShouldContinue|\$message =|Description = ", line):
            said += "\n" + "\n".join(re.findall(r"'((?:[^']|'')*)'", line))
    return said


def netsh_words(text):
    said = comments(text, ["rem ", "echo "])
    return said + "\n" + "\n".join(re.findall(r'description="([^"]*)"', text))


def asa_words(text):
    said = comments(text, ["!"])
    return said + "\n" + "\n".join(re.findall(r" remark (.*)", text))


def template_words(text):
    doc = json.loads(text)
    said = []

    def walk(node, key=""):
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, k)
        elif isinstance(node, list):
            for v in node:
                walk(v, key)
        elif isinstance(node, str) and key in ("comments", "description", "Description"):
            said.append(node)

    walk(doc)
    return "\n".join(said)


def html_words(text):
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.S)
    text = re.sub(r"<svg\b.*?</svg>", " ", text, flags=re.S)
    text = re.sub(r"<[^>]*>", " ", text)
    return html.unescape(text)


READERS = {"powershell": powershell_words, "netsh": netsh_words, "asa": asa_words, "azure-nsg": template_words,
           "aws-sg": template_words, "html": html_words,
           "nftables": lambda t: comments(t, ["#"]), "iptables": lambda t: comments(t, ["#"]),
           "iptables-script": lambda t: comments(t, ["#"])}

tmp = tempfile.mkdtemp()
proc = os.path.join(tmp, "proc")
os.makedirs(f"{proc}/net")
header = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
with open(f"{proc}/net/tcp", "w") as f:
    f.write(header + "   0: 00000000:01BD 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1\n"
            "   1: 00000000:07E8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2 1\n")
for name in ("tcp6", "udp", "udp6"):
    open(f"{proc}/net/{name}", "w").write(header)

runs = [["service", "netlogon"], ["service", "rpc"], ["service", "kdc"], ["service", "license-logging"],
        ["port", "445"], ["port", "389/udp"], ["port", "135"], ["port", "9999"], ["search", "ケルベロス"],
        ["list"], ["list", "--roles"], ["list", "--os"], ["list", "--profiles"], ["list", "--features"],
        ["list", "--scenarios"], ["role", "domain-controller"], ["role", "rodc"],
        ["export", "--format", "md"], ["export", "--format", "csv"], ["catalog", "discrepancies"],
        ["explain", branch, "--from", "clients", "--to", "dc1", "--port", "445/tcp"],
        ["explain", branch, "--from", "clients", "--to", "dc1", "--port", "25/tcp"],
        ["local", "--proc", proc],
        ["analyze", f"{src}/tests/data/analyze/samba-join.pcap"],
        ["audit", branch, f"{src}/tests/data/audit/branch-office.nft"],
        ["audit", branch, f"{src}/tests/data/audit/dc1.windows.json", "--host", "dc1"],
        ["verify", branch, "--from", "clients", "--emit", "powershell", "--domain", "example.test"],
        ["audit", "--collector"],
        ["--help"]]
# What probes prove, on loopback only: a port listening (the kernel completes the handshake from
# the backlog), a closed TCP port (reset) and a closed UDP port (ICMP port unreachable).
listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.bind(("127.0.0.1", 0))
listener.listen(8)
runs.append(["check", "127.0.0.1", "--ports", f"tcp:1,{listener.getsockname()[1]},udp:9", "--timeout", "500"])
commands = [line.split()[0] for line in subprocess.run([binary, "completion", "words", "commands"], capture_output=True,
                                                         text=True).stdout.splitlines() if line.strip()]
allowed.update(commands)
runs += [[c, "--help"] for c in commands]
formats = ["md", "csv", "html", "powershell", "netsh", "nftables", "iptables", "iptables-script", "asa", "aws-sg"]
for site in examples:
    runs += [["plan", site, "--format", f] for f in formats]

# Under ASan, LeakSanitizer reports the suppressions it used (Graphviz's fontconfig) on standard
# error at exit: not winports' words.
env = dict(os.environ)
env["LSAN_OPTIONS"] = ":".join(filter(None, [env.get("LSAN_OPTIONS"), "print_suppressions=0"]))
failed = 0
for args in runs:
    done = subprocess.run([binary, "--lang", "ja"] + args, capture_output=True, text=True, env=env)
    if done.returncode not in (0, 1, 2) or (done.returncode == 2 and not done.stderr):
        print(f"FAIL: winports --lang ja {' '.join(args)}: exit {done.returncode}")
        failed += 1
        continue
    fmt = args[args.index("--format") + 1] if "plan" in args and "--format" in args else ""
    fmt = "powershell" if "--emit" in args or "--collector" in args else fmt
    read = READERS.get(fmt, lambda t: t)
    for stream, text in (("stdout", read(done.stdout) if done.stdout else ""), ("stderr", done.stderr)):
        for line in text.splitlines():
            plain = re.sub(r"'[^']*'|\"[^\"]*\"|`[^`]*`|「[^」]*」", " ", CITATION.sub(" ", line))
            plain = re.sub(r"\[[a-z0-9-]+\]", " ", plain)  # the value to type, beside its words
            words = [w for w in WORD.findall(plain) if not english_allowed(w)]
            if words:
                print(f"winports --lang ja {' '.join(a.replace(src + '/', '') for a in args)} ({stream}): "
                      f"{', '.join(sorted(set(words)))}: {line.strip()[:160]}")
                failed += 1
print(f"{'FAIL' if failed else 'ok'}: {len(runs)} runs under --lang ja, {failed} line(s) with English words")
sys.exit(1 if failed else 0)
