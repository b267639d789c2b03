"""The Japanese texts winports ships: every `ja:` of data/ (messages and catalog), for the tests that
hold them to Microsoft Japan's terms and style."""
import glob

import yaml


def japanese_texts(node, path):
    """(key path, text) of every `ja:` string under node."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "ja" and isinstance(value, str):
                yield path, value
            else:
                yield from japanese_texts(value, path + [str(key)])
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from japanese_texts(value, path + [str(index)])


def data_files(src):
    """Every data file with texts a user reads (the glossary itself is the yardstick, not a text)."""
    return [p for p in sorted(glob.glob(f"{src}/data/**/*.yaml", recursive=True)) if "/glossary/" not in p]


def texts_of(path):
    return japanese_texts(yaml.safe_load(open(path, encoding="utf-8")), [])
