#!/usr/bin/env python3
"""docs/ja/site-file.md is the Japanese winports-site(5): it must not drift from docs/site-file.md.
Both have the same sections, the same tables (rows and first cells), the same inline code spans,
and the same YAML example once its comments are set aside. Usage: translation_test.py SOURCE_DIR"""
import re
import sys

src = sys.argv[1]
en = open(f"{src}/docs/site-file.md", encoding="utf-8").read()
ja = open(f"{src}/docs/ja/site-file.md", encoding="utf-8").read()
failures = []


def check(name, a, b):
    if a != b:
        failures.append(f"{name}:\n  en: {a}\n  ja: {b}")


def blocks(text):
    return re.findall(r"```[a-z]*\n(.*?)```", text, flags=re.S)


def without_comments(block):
    return [re.sub(r"\s+#.*$", "", line).rstrip() for line in block.splitlines()]


def prose(text):
    return re.sub(r"```.*?```", "", text, flags=re.S)


def tables(text):
    out, current = [], []
    for line in prose(text).splitlines():
        if line.startswith("|"):
            current.append(line)
        elif current:
            out.append(current)
            current = []
    if current:
        out.append(current)
    return out


check("sections", len(re.findall(r"^#+ ", prose(en), flags=re.M)), len(re.findall(r"^#+ ", prose(ja), flags=re.M)))
check("code blocks", [without_comments(b) for b in blocks(en)], [without_comments(b) for b in blocks(ja)])
en_tables, ja_tables = tables(en), tables(ja)
check("tables", [len(t) for t in en_tables], [len(t) for t in ja_tables])
for i, (a, b) in enumerate(zip(en_tables, ja_tables)):
    first = lambda t: [row.split("|")[1].strip() for row in t[2:]]
    check(f"table {i + 1}'s first column", first(a), first(b))
spans = lambda text: sorted({" ".join(s.split()) for s in re.findall(r"`([^`]+)`", prose(text))})
missing = sorted(set(spans(en)) - set(spans(ja)))
extra = sorted(set(spans(ja)) - set(spans(en)))
check("code spans the Japanese page lacks", [], missing)
check("code spans only the Japanese page has", [], extra)
for f in failures:
    print("FAIL:", f)
print("ok: docs/ja/site-file.md follows docs/site-file.md" if not failures else f"{len(failures)} difference(s)")
sys.exit(1 if failures else 0)
