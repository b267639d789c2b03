#!/usr/bin/env bash
# Every public ruleset of ../shared/corpus/rulesets through its real tool and through `winports
# audit`: a file the tool accepts is read (exit 0 or 1: findings, with what cannot be decided listed
# as undecided), a file it rejects is refused (exit 2 naming the line). The tools check inside a
# network namespace of the test's own (unshare --net), so the machine's rules are never touched;
# Windows reg exports have no Linux tool and must be read. Each run is bounded in time.
#   usage: tests/corpus/rulesets_test.sh WINPORTS SOURCE_DIR CORPUS_DIR
set -u
bin=$1 src=$2 corpus=$3/rulesets
if [ ! -d "$corpus" ]; then
  echo "SKIP: no ruleset corpus at $corpus"
  exit 77
fi
if [ "$(id -u)" != 0 ] || ! unshare --net true 2>/dev/null; then
  echo "SKIP: the real tools check a ruleset in a network namespace of their own, which needs root"
  [ "${WINPORTS_REQUIRE_NETNS:-}" = 1 ] && exit 1
  exit 77
fi
site=$src/examples/branch-office.yaml
hosts=$(mktemp)
trap 'rm -f "$hosts"' EXIT

# The real tool on FILE in a namespace of its own. A host name the tool cannot resolve there (the
# namespace has no network) is given a documentation address in the namespace's /etc/hosts and the
# check runs again: the syntax is what is judged, not this machine's DNS.
real_tool() {
  local file=$1 out name tries
  shift
  printf '127.0.0.1 localhost\n::1 localhost\n' >"$hosts"
  for tries in $(seq 1 40); do
    out=$(timeout 30 unshare --net --mount sh -c 'mount --bind "$1" /etc/hosts && shift && exec "$@"' \
      sh "$hosts" "$@" "$file" 2>&1) && return 0
    name=$(printf '%s\n' "$out" | sed -n "s/.*host\/network \`\([^']*\)' not found.*/\1/p" | head -1)
    [ -n "$name" ] || return 1
    printf '198.18.255.%s %s\n2001:db8::ff:%s %s\n' "$tries" "$name" "$tries" "$name" >>"$hosts"
  done
  return 1
}
failed=0 accepted=0 rejected=0 read=0
for f in "$corpus"/*; do
  name=$(basename "$f")
  case $name in
    ip6tables-*) tool=(ip6tables-restore --test) ;;
    iptables-*) tool=(iptables-restore --test) ;;
    nftjson-*) tool=(nft -j -c -f) ;;
    nft-*) tool=(nft -c -f) ;;
    winreg-*) tool=() ;;
    *) continue ;;
  esac
  verdict=accepts
  [ ${#tool[@]} -gt 0 ] && ! real_tool "$f" "${tool[@]}" && verdict=rejects
  host=()
  case $name in winreg-*) host=(--host dc1) ;; esac
  timeout 30 "$bin" audit "$site" "$f" "${host[@]}" >/dev/null 2>"${TMPDIR:-/tmp}/corpus-audit.err"
  rc=$?
  if [ $verdict = accepts ]; then
    accepted=$((accepted + 1))
    if [ $rc = 0 ] || [ $rc = 1 ]; then
      read=$((read + 1))
    else
      echo "FAIL: $name: ${tool[*]:-(no tool)} accepts it, winports audit exits $rc: $(head -c 300 "${TMPDIR:-/tmp}/corpus-audit.err")"
      failed=1
    fi
  else
    rejected=$((rejected + 1))
    if [ $rc != 2 ] || ! grep -q "$name:[0-9]" "${TMPDIR:-/tmp}/corpus-audit.err"; then
      echo "FAIL: $name: ${tool[*]} rejects it, winports audit exits $rc without naming a line"
      failed=1
    fi
  fi
done
rm -f "${TMPDIR:-/tmp}/corpus-audit.err"
echo "$((accepted + rejected)) rulesets: the real tool accepts $accepted, winports reads $read of them; the tool rejects $rejected, winports refuses each, naming its line"
exit $failed
