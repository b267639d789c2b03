#!/usr/bin/env bash
# `nft -c -f` and `iptables-restore --test` must accept every example's rules (router and host
# variants, and the Japanese ones, whose comments are translated). Needs root and the nftables and
# iptables packages.
set -u
bin=$1 examples=$2
if [ "$(id -u)" != 0 ] || ! command -v nft >/dev/null || ! command -v iptables-restore >/dev/null; then
  echo "SKIP: the syntax checks need root and the nftables and iptables packages"; exit 77
fi
fail=0
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
for site in "$examples"/*.yaml; do
  "$bin" plan "$site" --format nftables >"$tmp" 2>/dev/null && nft -c -f "$tmp" && echo "ok: $(basename "$site")" || { echo "FAIL: $site"; fail=1; }
  "$bin" plan "$site" --format nftables --log-drops >"$tmp" 2>/dev/null && grep -q 'log prefix' "$tmp" && nft -c -f "$tmp" \
    && echo "ok: $(basename "$site") --log-drops" || { echo "FAIL: $site --log-drops"; fail=1; }
  for tool in nftables iptables ip6tables; do
    check="nft -c -f"
    [ "$tool" != nftables ] && check="${tool}-restore --test --noflush"
    # shellcheck disable=SC2086
    "$bin" --lang ja plan "$site" --format "$tool" >"$tmp" 2>/dev/null && $check "$tmp" \
      && echo "ok: $tool $(basename "$site") --lang ja" || { echo "FAIL: $tool $site --lang ja"; fail=1; }
  done
  first_host=$(awk '/^hosts:/{h=1;next} h&&/^  [a-z0-9-]+:/{sub(":","",$1);print $1;exit}' "$site")
  "$bin" plan "$site" --format nftables --host "$first_host" >"$tmp" 2>/dev/null && nft -c -f "$tmp" && echo "ok: $(basename "$site") --host $first_host" || { echo "FAIL: $site --host"; fail=1; }
  for variant in "" "--host $first_host" "--log-drops"; do
    # shellcheck disable=SC2086
    "$bin" plan "$site" --format iptables $variant >"$tmp" 2>/dev/null && iptables-restore --test --noflush "$tmp" \
      && echo "ok: iptables $(basename "$site") $variant" || { echo "FAIL: iptables $site $variant"; fail=1; }
    "$bin" plan "$site" --format ip6tables $variant >"$tmp" 2>/dev/null && ip6tables-restore --test --noflush "$tmp" \
      && echo "ok: ip6tables $(basename "$site") $variant" || { echo "FAIL: ip6tables $site $variant"; fail=1; }
    # shellcheck disable=SC2086
    "$bin" plan "$site" --format iptables-script $variant >"$tmp" 2>/dev/null && sh -n "$tmp" \
      && echo "ok: iptables-script $(basename "$site") $variant" || { echo "FAIL: iptables-script $site $variant"; fail=1; }
  done
done
exit $fail
