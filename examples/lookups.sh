#!/usr/bin/env bash
# The bundled example: the questions administrators ask of KB 832017, answered by winports.
set -euo pipefail
bin=${WINPORTS:-$(dirname "$0")/../build/winports}
run() { echo "\$ winports $*"; "$bin" "$@"; echo; }
run port 445/tcp
run port 389/udp
run service netlogon
run --lang ja service "ライセンス ログ サービス"
run role domain-controller
run catalog discrepancies --kind name-differs
run plan "$(dirname "$0")/branch-office.yaml" --format nftables
run explain "$(dirname "$0")/branch-office.yaml" --from clients --to dc1 --port 445/tcp
