#!/usr/bin/env python3
"""Module boundaries: fails when a file of src/<module> or include/winports/<module> includes a
header of a module its library does not link, or another module's private header (src/<other>/).

Words belong to the message data (data/messages/<module>.yaml, one file per module of the build or
the CLI): code that picks a language inline (`ja ? "…" : "…"`) or holds Japanese text in a string
literal fails too (a line saying `not a message:` in a comment is exempt: a font's name).

The allowed graph is the build's own: CMake writes MODULES (one "name:dep,dep" line per
winports_module() call). With --architecture, the graph drawn in docs/architecture.md (the lines
"name -> dep, dep" of its ```modules block) must equal it too, so the page cannot drift from the
build. With --compile-commands, every src/<module>/*.cpp must be compiled into winports_<module>.
Exit 0 clean, 1 with the violations listed, 2 on bad input.
"""
import argparse
import json
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def read_modules(path):
    graph = {}
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            if ":" not in line:
                sys.exit(f"{path}:{number}: expected name:deps, got {line!r}")
            name, deps = line.split(":", 1)
            graph[name] = sorted(d for d in deps.split(",") if d)
    return graph


def closure(graph, name):
    seen, stack = set(), list(graph.get(name, []))
    while stack:
        m = stack.pop()
        if m not in seen:
            seen.add(m)
            stack.extend(graph.get(m, []))
    return seen


def read_architecture(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    block = re.search(r"```modules\n(.*?)```", text, re.S)
    if not block:
        sys.exit(f"{path}: no ```modules block")
    graph = {}
    for line in block.group(1).splitlines():
        line = line.strip()
        if not line:
            continue
        name, _, deps = line.partition("->")
        graph[name.strip()] = sorted(d.strip() for d in deps.split(",") if d.strip())
    return graph


def owning_module(root, path):
    rel = os.path.relpath(path, root).split(os.sep)
    if rel[0] == "src" and len(rel) > 2:
        return rel[1]
    if rel[:2] == ["include", "winports"] and len(rel) > 3:
        return rel[2]
    return None


def sources(root):
    """Every .cpp and .hpp of src/ and include/winports/, with its directory."""
    for top in ("src", os.path.join("include", "winports")):
        for directory, _, files in os.walk(os.path.join(root, top)):
            for name in sorted(files):
                if name.endswith((".cpp", ".hpp")):
                    yield directory, os.path.join(directory, name)


def check_includes(root, graph):
    problems = []
    for directory, path in sources(root):
        module = owning_module(root, path)
        if module is None:
            continue
        if module not in graph and module != "cli":
            problems.append(f"{os.path.relpath(path, root)}: module '{module}' has no library in the build")
            continue
        allowed = set(graph) | {"cli"} if module == "cli" else closure(graph, module) | {module}
        with open(path, encoding="utf-8") as f:
            text = f.read()
        for match in INCLUDE.finditer(text):
            header = match.group(1)
            line = text.count("\n", 0, match.start()) + 1
            where = f"{os.path.relpath(path, root)}:{line}"
            if header.startswith("winports/"):
                target = header.split("/")[1]
                if target not in allowed:
                    problems.append(f"{where}: {module} includes {header}, but does not link {target}")
                continue
            resolved = os.path.normpath(os.path.join(directory, header))
            if owning_module(root, resolved) != module:
                problems.append(f"{where}: {module} includes {header}, a private header of another module")
    return problems


# A language picked inline: `ja ? "…"`, `lang == Lang::ja ? "…"`, `(ja ? "…"`.
INLINE_PAIR = re.compile(r'\b(?:ja|en|Lang::ja|Lang::en)\s*\)?\s*\?\s*\(?\s*"')
JAPANESE = re.compile("[\u3000-\u30ff\u4e00-\u9fff\uff00-\uffef]")


def code_and_literals(text):
    """The text with comments blanked, and each string literal with its line number."""
    code, literals, i, line = [], [], 0, 1
    while i < len(text):
        c = text[i]
        if text.startswith("//", i):
            end = text.find("\n", i)
            end = len(text) if end < 0 else end
            code.append(" " * (end - i))
            i = end
            continue
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = len(text) if end < 0 else end + 2
            line += text.count("\n", i, end)
            code.append("".join(ch if ch == "\n" else " " for ch in text[i:end]))
            i = end
            continue
        raw = re.match(r'R"([^(\s]*)\(', text[i:]) if c == "R" and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")) else None
        if raw:
            close = ")" + raw.group(1) + '"'
            end = text.find(close, i + raw.end())
            end = len(text) if end < 0 else end + len(close)
            literals.append((line, text[i:end]))
        elif c == '"' or (c == "'" and not (i > 0 and text[i - 1].isalnum())):
            end = i + 1
            while end < len(text) and text[end] != c and text[end] != "\n":
                end += 2 if text[end] == "\\" else 1
            end += 1
            if c == '"':
                literals.append((line, text[i:end]))
        else:
            code.append(c)
            line += c == "\n"
            i += 1
            continue
        # The literal's text blanked: a pair of quotes inside a string is no inline pair.
        code.append(text[i] + "".join(ch if ch == "\n" else " " for ch in text[i + 1:end - 1]) + text[end - 1])
        line += text.count("\n", i, end)
        i = end
    return "".join(code), literals


def check_words(root, graph):
    problems = []
    messages = os.path.join(root, "data", "messages")
    if os.path.isdir(messages):
        for name in sorted(os.listdir(messages)):
            module = name.rsplit(".", 1)[0]
            if name.endswith(".yaml") and module not in graph and module != "cli":
                problems.append(f"data/messages/{name}: '{module}' is no module of the build")
    for _, path in sources(root):
        rel = os.path.relpath(path, root)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        lines = text.split("\n")
        code, literals = code_and_literals(text)
        for match in INLINE_PAIR.finditer(code):
            line = code.count("\n", 0, match.start()) + 1
            problems.append(f"{rel}:{line}: an inline language pair; say it with a message of "
                            "data/messages/")
        for line, literal in literals:
            if JAPANESE.search(literal) and "not a message:" not in lines[line - 1]:
                problems.append(f"{rel}:{line}: Japanese text outside the message data: {literal[:40]}")
    return problems


def check_targets(root, commands_path):
    problems = []
    with open(commands_path, encoding="utf-8") as f:
        commands = json.load(f)
    target_of = {}
    for entry in commands:
        source = os.path.normpath(os.path.join(entry["directory"], entry["file"]))
        output = entry.get("output") or re.search(r"-o\s+(\S+)", entry.get("command", "")).group(1)
        target = re.search(r"CMakeFiles/([^/]+)\.dir/", output)
        if target:
            target_of[source] = target.group(1)
    for directory, _, files in os.walk(os.path.join(root, "src")):
        for name in sorted(files):
            path = os.path.normpath(os.path.join(directory, name))
            module = owning_module(root, path)
            if not name.endswith(".cpp") or module in (None, "cli"):
                continue
            target = target_of.get(path)
            expected = {f"winports_{module}"} | ({"winports_embedded"} if module == "catalog" else set())
            if target not in expected:
                problems.append(f"{os.path.relpath(path, root)}: compiled into {target or 'nothing'}, "
                                f"not winports_{module}")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", required=True, help="the source tree")
    parser.add_argument("--modules", required=True, help="modules.txt the build wrote")
    parser.add_argument("--architecture", help="docs/architecture.md, whose graph must match")
    parser.add_argument("--compile-commands", help="compile_commands.json of the build")
    args = parser.parse_args()
    args.root = os.path.abspath(args.root)
    graph = read_modules(args.modules)
    problems = check_includes(args.root, graph) + check_words(args.root, graph)
    if args.architecture:
        drawn = read_architecture(args.architecture)
        if drawn != graph:
            for name in sorted(set(drawn) | set(graph)):
                if drawn.get(name) != graph.get(name):
                    problems.append(f"{args.architecture}: {name} -> {', '.join(drawn.get(name, ['(missing)']))}; "
                                    f"the build links {', '.join(graph.get(name, ['(missing)']))}")
    if args.compile_commands:
        problems += check_targets(args.root, args.compile_commands)
    for p in problems:
        print(p)
    if problems:
        print(f"{len(problems)} module boundary violation(s)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
