#!/usr/bin/env bash
# `nft -c -f` must accept every example's ruleset (router and host variants). Needs root and nft.
set -u
bin=$1 examples=$2
if [ "$(id -u)" != 0 ] || ! command -v nft >/dev/null; then
  echo "SKIP: nft -c needs root and the nftables package"; exit 77
fi
fail=0
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
for site in "$examples"/*.yaml; do
  "$bin" plan "$site" --format nftables >"$tmp" 2>/dev/null && nft -c -f "$tmp" && echo "ok: $(basename "$site")" || { echo "FAIL: $site"; fail=1; }
  first_host=$(awk '/^hosts:/{h=1;next} h&&/^  [a-z0-9-]+:/{sub(":","",$1);print $1;exit}' "$site")
  "$bin" plan "$site" --format nftables --host "$first_host" >"$tmp" 2>/dev/null && nft -c -f "$tmp" && echo "ok: $(basename "$site") --host $first_host" || { echo "FAIL: $site --host"; fail=1; }
done
exit $fail
