#!/usr/bin/env bash
# Golden files: every example through every text emitter, compared byte for byte (xlsx, a zip
# with timestamps, is read back by tests/report instead).
# WINPORTS_UPDATE_GOLDEN=1 rewrites them (review the diff before committing).
set -u
bin=$1 examples=$2 golden=$3
fail=0
for site in "$examples"/*.yaml; do
  name=$(basename "$site" .yaml)
  for format in nftables iptables iptables-script powershell netsh asa json csv md html; do
    want="$golden/$name.$format"
    got=$("$bin" --lang en plan "$site" --format "$format" 2>/dev/null) || { echo "FAIL: $name $format: exit $?"; fail=1; continue; }
    if [ "${WINPORTS_UPDATE_GOLDEN:-}" = 1 ]; then printf '%s\n' "$got" >"$want"; echo "updated $want"; continue; fi
    if diff -u "$want" <(printf '%s\n' "$got") >/tmp/golden.diff.$$; then echo "ok: $name.$format"
    else echo "FAIL: $name.$format differs from golden:"; head -40 /tmp/golden.diff.$$; fail=1; fi
    rm -f /tmp/golden.diff.$$
  done
done
exit $fail
