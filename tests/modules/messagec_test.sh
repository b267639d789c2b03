#!/usr/bin/env bash
# The message compiler: each refusal names file, line and id, and exits 1 before writing anything;
# a valid file becomes a header whose messages take exactly their number of arguments (a call with
# one too few or too many does not compile, checked with the project's own compiler).
set -u
messagec=$1 cxx=$2 include=$3
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

refuses() {  # refuses PATTERN DESCRIPTION — the files in $tmp/in
  local out rc
  out=$("$messagec" "$tmp/out" "$tmp"/in/*.yaml 2>&1)
  rc=$?
  if [[ $rc != 1 ]] || ! grep -q -- "$1" <<<"$out"; then
    echo "FAIL: $2 (exit $rc): $out"
    fail=1
  fi
  if [[ -e $tmp/out ]]; then
    echo "FAIL: $2: wrote $(ls -R "$tmp/out")"
    fail=1
  fi
  rm -rf "$tmp/in"
}
write() {  # write FILE CONTENT
  mkdir -p "$tmp/in"
  printf '%s' "$2" >"$tmp/in/$1"
}

write one.yaml $'a:\n  en: "x {1}"\n'
refuses "one.yaml:2:3: a: needs both en: and ja:" "a message without Japanese"
write one.yaml $'a:\n  en: "x {1}"\n  ja: "x {2}"\n'
refuses "one.yaml:2:3: a: en and ja use different arguments" "languages with different arguments"
write one.yaml $'a:\n  en: "x {2}"\n  ja: "x {2}"\n'
refuses "a: arguments are numbered from {1} without a gap" "an argument skipped"
write one.yaml $'a:\n  en: "x {10}"\n  ja: "x {10}"\n'
refuses "a: arguments are {1} to {9}" "a tenth argument"
write one.yaml $'a:\n  en: "x"\n  ja: "x"\n  de: "x"\n'
refuses "one.yaml:4:3: a: unknown key 'de'" "an unknown language"
write one.yaml $'Bad-Id:\n  en: "x"\n  ja: "x"\n'
refuses "one.yaml:1:1: Bad-Id: an id is lower_snake_case" "an id that is no C++ name"
write one.yaml $'delete:\n  en: "x"\n  ja: "x"\n'
refuses "delete: an id is lower_snake_case and not a C++ keyword" "a keyword"
write one.yaml $'a:\n  en: "x"\n  ja: "x"\n'
write two.yaml $'b:\n  en: "y"\n  ja: "y"\na:\n  en: "x"\n  ja: "x"\n'
refuses "two.yaml:4:1: a: the id is used twice" "one id in two modules"
write one.yaml $'a:\n  en: "x\n'
refuses "one.yaml:" "a YAML syntax error"
write one.yaml $'a:\n  en: ""\n  ja: "x"\n'
refuses "one.yaml:2:7: a.en: expected a text" "an empty text"

# A valid module: its header compiles, and arity is enforced by the compiler.
write one.yaml $'greet:\n  en: "hello {1}, from {2}"\n  ja: "{2} から {1} へ、こんにちは"\nbye:\n  en: "bye \\"x\\""\n  ja: "さようなら"\n'
if ! "$messagec" "$tmp/out" "$tmp/in/one.yaml" >/dev/null; then
  echo "FAIL: a valid file refused"
  fail=1
fi
header=$tmp/out/winports/one/messages.hpp
grep -q 'inline constexpr Message<2> greet' "$header" || { echo "FAIL: greet is not Message<2>"; fail=1; }
grep -q 'one_messages{' "$header" || { echo "FAIL: no list of the module's messages"; fail=1; }
compiles() {  # compiles BODY
  printf '#include "winports/one/messages.hpp"\nvoid f() { %s; }\n' "$1" >"$tmp/use.cpp"
  "$cxx" -std=c++20 -fsyntax-only -I"$include" -I"$tmp/out" "$tmp/use.cpp" 2>/dev/null
}
compiles 'winports::msg::greet("a", "b"); winports::msg::bye.in(winports::Lang::ja)' ||
  { echo "FAIL: a call with the right arguments does not compile"; fail=1; }
! compiles 'winports::msg::greet("a")' || { echo "FAIL: a missing argument compiles"; fail=1; }
! compiles 'winports::msg::greet.in(winports::Lang::en, "a", "b", "c")' ||
  { echo "FAIL: an extra argument compiles"; fail=1; }
exit $fail
