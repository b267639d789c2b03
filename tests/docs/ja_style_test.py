#!/usr/bin/env python3
"""Japanese in Microsoft Japan's です/ます style. Every `ja:` of data/messages/*.yaml and of the
catalog (data/**/*.yaml) is split into clauses (at 。, ': ', ' — ', '; ' and parentheses; quoted
text, `code` and placeholders are set aside): no clause may end in a plain verb, adjective or
copula (「読めない」, 「指定する」, 「必要」 after が), which are turned into 「読めません」,
「指定してください」, 「必要です」. Labels and noun phrases (「ポート」, 「省略可能」, 「TCP だけ」)
pass. In the catalog's prose, every sentence closed by 。 ends politely too (「…の既定値です。」).
Prints file:line: key: the text and the clause; exits 1 on any.
Usage: ja_style_test.py SOURCE_DIR"""
import os
import re
import sys

from ja_texts import data_files, texts_of

PLAIN_END = re.compile(r"(?:る|う|く|ぐ|す|つ|ぬ|ぶ|む|た|だ|い|が必要|が不正)$")
POLITE_END = re.compile(r"(?:ます|です|ました|でした|ください|ましょう|ません)$")
# Nouns whose last kana is also a verb's: counters, 「違い」, 「はい」, and 「(…を除く)」, a
# preposition in Microsoft's tables.
NOUN_END = re.compile(r"(?:一つ|二つ|いくつ|を除く|違い|扱い|はい|いいえ)$")
SET_ASIDE = re.compile(r"'[^']*'|\"[^\"]*\"|`[^`]*`|「[^」]*」|\{\d\}")
PARENS = re.compile(r"[(（]([^()（）]*)[)）]")


def without_parens(text, inner):
    while True:
        stripped = PARENS.sub(lambda m: inner.append(m.group(1)) or "", text)
        if stripped == text:
            return text
        text = stripped


def plain_clauses(ja):
    inner = []
    text = without_parens(SET_ASIDE.sub("X", ja), inner)
    for part in [text] + inner:
        for clause in re.split(r"。|: |：| — |; |\n", part):
            clause = clause.strip()
            if PLAIN_END.search(clause) and not POLITE_END.search(clause) and not NOUN_END.search(clause):
                yield clause


def impolite_sentences(ja):
    text = without_parens(SET_ASIDE.sub("X", ja), [])
    for sentence in text.split("。")[:-1]:
        sentence = sentence.strip()
        if sentence and not POLITE_END.search(sentence):
            yield sentence + "。"


def line_of(lines, text):
    needle = text[:24]
    return next((n for n, line in enumerate(lines, 1) if needle in line), 0)


src = sys.argv[1]
failed = checked = 0
for path in data_files(src):
    prose = "/messages/" not in path
    lines = open(path, encoding="utf-8").read().splitlines()
    for keys, ja in texts_of(path):
        checked += 1
        findings = list(plain_clauses(ja)) + (list(impolite_sentences(ja)) if prose else [])
        for clause in findings[:1]:
            print(f"{os.path.relpath(path, src)}:{line_of(lines, ja)}: {'.'.join(keys)}: 「{clause}」 is not "
                  f"です/ます ({ja})")
            failed += 1
print(f"{'FAIL' if failed else 'ok'}: {checked} Japanese texts in です/ます style")
sys.exit(1 if failed else 0)
