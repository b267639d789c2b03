#!/usr/bin/env bash
# The module checker on this tree (must be clean), then on small trees that break each rule once,
# so a checker that stopped finding violations fails here too.
set -u
checker=$1 root=$2 modules=$3 commands=$4
fail=0
python3 "$checker" --root "$root" --modules "$modules" --architecture "$root/docs/architecture.md" \
  --compile-commands "$commands" || { echo "FAIL: this tree breaks a module boundary"; fail=1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/include/winports/low" "$tmp/include/winports/high" "$tmp/src/low" "$tmp/src/high" "$tmp/docs"
printf 'low:\nhigh:low\n' >"$tmp/modules.txt"
printf '# x\n```modules\nlow ->\nhigh -> low\n```\n' >"$tmp/docs/architecture.md"
: >"$tmp/include/winports/low/a.hpp"
: >"$tmp/include/winports/high/b.hpp"
: >"$tmp/src/high/private.hpp"
printf '#include "winports/low/a.hpp"\n#include "private.hpp"\n' >"$tmp/src/high/b.cpp"
expect() {  # expect EXIT PATTERN DESCRIPTION
  local out
  out=$(python3 "$checker" --root "$tmp" --modules "$tmp/modules.txt" --architecture "$tmp/docs/architecture.md" 2>&1)
  local rc=$?
  if [[ $rc != "$1" ]] || ! grep -q -- "$2" <<<"$out"; then
    echo "FAIL: $3 (exit $rc): $out"
    fail=1
  fi
}
expect 0 "" "a tree within its boundaries"
printf '#include "winports/high/b.hpp"\n' >"$tmp/src/low/a.cpp"
expect 1 "src/low/a.cpp:1: low includes winports/high/b.hpp, but does not link high" "an upward include"
printf '#include "../high/private.hpp"\n' >"$tmp/src/low/a.cpp"
expect 1 "a private header of another module" "another module's private header"
printf 'std::string f(bool ja) { return ja ? "はい" : "yes"; }\n' >"$tmp/src/low/a.cpp"
expect 1 "src/low/a.cpp:1: an inline language pair" "a language picked inline"
printf 'std::string f(Lang lang) {\n  return (lang == Lang::en ? "on" : "off");\n}\n' >"$tmp/src/low/a.cpp"
expect 1 "src/low/a.cpp:2: an inline language pair" "a language picked inline, parenthesized"
printf '// 日本語の説明は構わない\nconst char* k = "未決定";\n' >"$tmp/src/low/a.cpp"
expect 1 "src/low/a.cpp:2: Japanese text outside the message data" "Japanese words in code"
printf 'const char* k = "游ゴシック";  // not a message: a font\nconst char* r = R"(ja ? "x")";\n' >"$tmp/src/low/a.cpp"
expect 0 "" "a marked name and a raw string that only looks like a pair"
mkdir -p "$tmp/data/messages" && : >"$tmp/data/messages/nowhere.yaml"
expect 1 "data/messages/nowhere.yaml: 'nowhere' is no module of the build" "messages of no module"
rm -r "$tmp/data" "$tmp/src/low/a.cpp"
printf '# x\n```modules\nlow ->\nhigh ->\n```\n' >"$tmp/docs/architecture.md"
expect 1 "architecture.md: high" "a page whose graph differs from the build"
exit $fail
