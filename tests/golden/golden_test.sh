#!/usr/bin/env bash
# Golden files: every example through every text emitter, compared byte for byte (xlsx, a zip
# with timestamps, is read back by tests/report instead).
# WINPORTS_UPDATE_GOLDEN=1 rewrites them (review the diff before committing).
set -u
bin=$1 examples=$2 golden=$3
fail=0
check() {  # check SITE FORMAT LANG GOLDEN-NAME [PLAN ARGS…]
  local want="$golden/$4" got
  got=$("$bin" --lang "$3" plan "$1" --format "$2" "${@:5}" 2>/dev/null) || { echo "FAIL: $4: exit $?"; fail=1; return; }
  if [ "${WINPORTS_UPDATE_GOLDEN:-}" = 1 ]; then printf '%s\n' "$got" >"$want"; echo "updated $want"; return; fi
  if diff -u "$want" <(printf '%s\n' "$got") >/tmp/golden.diff.$$; then echo "ok: $4"
  else echo "FAIL: $4 differs from golden:"; head -40 /tmp/golden.diff.$$; fail=1; fi
  rm -f /tmp/golden.diff.$$
}
for site in "$examples"/*.yaml; do
  name=$(basename "$site" .yaml)
  for format in nftables iptables iptables-script powershell netsh asa json csv md html; do
    check "$site" "$format" en "$name.$format"
  done
  # Azure: every zone guarded by an NSG of its own name.
  nsgs=()
  for zone in $(awk '/^zones:/{z=1;next} z&&/^[a-z]/{z=0} z&&/^  [a-z0-9-]+:/{sub(":","",$1);print $1}' "$site"); do
    nsgs+=(--azure-nsg "$zone=nsg-$zone")
  done
  check "$site" azure-nsg en "$name.azure-nsg" "${nsgs[@]}"
  check "$site" aws-sg en "$name.aws-sg"
done
# Japanese: the report formats of the example with the most left-out rows, the reasons included.
for format in md html; do check "$examples/mixed-domain.yaml" "$format" ja "mixed-domain.ja.$format"; done
exit $fail
