#!/usr/bin/env python3
"""The glossary (data/glossary/ja.yaml) against the Japanese messages: no `ja:` text of
data/messages/*.yaml nor of the catalog (data/**/*.yaml) uses a variant the glossary says to avoid
(except inside a phrase the term's `allow` lists), and every term whose source is the
KB is written so in the KB (../shared/reference/kb832017-ja.txt, when it is beside the clone).
Prints file:line: id: the variant and the form to use; exits 1 on any.
Usage: glossary_test.py SOURCE_DIR"""
import os
import sys

import yaml
from ja_texts import data_files, texts_of

src = sys.argv[1]
glossary = yaml.safe_load(open(f"{src}/data/glossary/ja.yaml"))["terms"]
failed = 0
kb_path = os.path.join(src, "..", "shared", "reference", "kb832017-ja.txt")
kb = open(kb_path, encoding="utf-8").read() if os.path.exists(kb_path) else None
for term in glossary:
    if term["ja"] in term.get("avoid", []):
        print(f"FAIL: glossary: {term['en']}: {term['ja']} is both the form and a variant to avoid")
        failed += 1
    if term["source"] == "kb" and kb is not None and term["ja"] not in kb:
        print(f"FAIL: glossary: {term['en']}: the KB never writes {term['ja']}")
        failed += 1


checked = 0
for path in data_files(src):
    lines = open(path, encoding="utf-8").read().splitlines()
    for keys, ja in texts_of(path):
        mid = ".".join(keys)
        checked += 1
        line = next((n for n, text in enumerate(lines, 1) if ja[:24] in text), 0)
        for term in glossary:
            # The preferred form and the allowed phrases hidden first: a variant inside them is
            # not a variant.
            text = ja
            for kept in [term["ja"]] + term.get("allow", []):
                text = text.replace(kept, "\0")
            found = [v for v in term.get("avoid", []) if v in text]
            # One finding per term: the longest variant (ドメインコントローラー, not also ドメインコントローラ).
            for variant in sorted(found, key=len, reverse=True)[:1]:
                print(f"{os.path.relpath(path, src)}:{line}: {mid}: '{variant}' — the glossary says "
                      f"'{term['ja']}' ({term['en']})")
                failed += 1
print(f"{'FAIL' if failed else 'ok'}: {checked} Japanese texts against {len(glossary)} glossary terms"
      f"{'' if kb is not None else ' (the KB is not beside the clone: its terms unchecked)'}")
sys.exit(1 if failed else 0)
