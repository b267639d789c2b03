#!/usr/bin/env bash
# One golden case: tests/golden/<format>/<case>.yaml is a small site that exercises one thing, run
# through `winports plan --format <format>` and compared byte for byte with <case>.expected.
# Its first comment lines say how to run it:
#   # args: --host dc1           options after --format ({here}: the case's directory; {out}: a
#                                file the output goes to with -o, compared instead of stdout)
#   # lang: ja                   the run's language (default en)
#   # exit: 2                    a refusal: the expected text is standard error, nothing written
# A run that succeeds with warnings has them in <case>.expected-stderr.
# On a difference the actual output is written beside the expected one (<case>.actual) and the
# command that refreshes the case is printed. WINPORTS_UPDATE_GOLDEN=1 rewrites <case>.expected.
set -u
bin=$1 case=$2
dir=$(cd "$(dirname "$case")" && pwd)
format=$(basename "$dir")
name=$(basename "$case" .yaml)
expected=$dir/$name.expected
actual=$dir/$name.actual
expected_stderr=$dir/$name.expected-stderr
header() { sed -n "s/^# $1: //p" "$case" | head -1; }
lang=$(header lang)
want_exit=$(header exit)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Under ASan, LeakSanitizer reports the suppressions it used (Graphviz's fontconfig) on standard
# error at exit: not winports' words, and not part of a case.
export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}print_suppressions=0"
read -ra args <<<"$(header args | sed -e "s|{here}|$dir|g" -e "s|{out}|$tmp/out|g")"

"$bin" --lang "${lang:-en}" plan "$case" --format "$format" "${args[@]}" >"$tmp/stdout" 2>"$tmp/stderr"
rc=$?
if [[ $rc != "${want_exit:-0}" ]]; then
  echo "FAIL: $case: exit $rc, expected ${want_exit:-0}"
  cat "$tmp/stderr"
  exit 1
fi
if [[ ${want_exit:-0} != 0 ]]; then
  got=$tmp/stderr
  [[ -s $tmp/stdout ]] && { echo "FAIL: $case: a refusal wrote to standard output"; exit 1; }
  [[ -e $tmp/out ]] && { echo "FAIL: $case: a refusal wrote its output file"; exit 1; }
elif [[ -e $tmp/out ]]; then
  got=$tmp/out
  [[ -s $tmp/stdout ]] && { echo "FAIL: $case: -o also wrote to standard output"; exit 1; }
else
  got=$tmp/stdout
fi
# The case's own directory in a message ("…/tests/golden/asa/x.yaml:3:") is the same on every machine.
sed -i "s|$dir/|{here}/|g" "$got"

# Warnings of a successful run: compared too, so a lost or changed warning fails the case.
warnings=/dev/null
if [[ ${want_exit:-0} == 0 ]]; then
  warnings=$tmp/stderr
  sed -i "s|$dir/|{here}/|g" "$warnings"
fi

if [[ ${WINPORTS_UPDATE_GOLDEN:-} == 1 ]]; then
  cp "$got" "$expected"
  if [[ -s $warnings ]]; then cp "$warnings" "$expected_stderr"; else rm -f "$expected_stderr"; fi
  rm -f "$actual" "$actual-stderr"
  echo "updated $expected"
  exit 0
fi
fail=0
if ! cmp -s "$expected" "$got"; then
  cp "$got" "$actual"
  echo "FAIL: $format/$name: the output differs from $expected (actual output: $actual)"
  diff -u "$expected" "$actual" | head -60
  fail=1
fi
want_warnings=$expected_stderr
[[ -e $want_warnings ]] || want_warnings=/dev/null
if ! cmp -s "$want_warnings" "$warnings"; then
  cp "$warnings" "$actual-stderr"
  echo "FAIL: $format/$name: the warnings differ from $expected_stderr (actual: $actual-stderr)"
  diff -u "$want_warnings" "$warnings" | head -30
  fail=1
fi
if [[ $fail == 0 ]]; then
  rm -f "$actual" "$actual-stderr"
  echo "ok: $format/$name"
  exit 0
fi
echo "refresh, after reading every changed line: WINPORTS_UPDATE_GOLDEN=1 ctest --test-dir BUILD -R '^golden/$format/$name\$'"
exit 1
