#!/usr/bin/env bash
# Installs winports' build dependencies from Debian 12 packages and builds it into build/.
# Run as root (or with sudo) on a fresh machine; safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
packages=(g++ cmake ninja-build pkg-config libcli11-dev libyaml-cpp-dev nlohmann-json3-dev libkainjow-mustache-dev
  libutf8proc-dev libc-ares-dev libgraphviz-dev libxlsxwriter-dev libpcap-dev libgtest-dev libgmock-dev libbenchmark-dev clang libclang-rt-14-dev clang-format hyperfine python3 nftables iptables iputils-ping libxml2-utils nmap chromium fonts-ipafont-gothic python3-openpyxl python3-jsonschema
  # Network tests: a Samba AD DC and real clients in namespaces (samba-ad-provision is only a
  # recommendation of samba-ad-dc, so it is named here).
  iproute2 procps util-linux samba samba-ad-dc samba-ad-provision winbind krb5-user ldap-utils smbclient dnsutils
  # analyze: captures recorded in the lab, and the flow tools it is measured against.
  tcpdump tshark libndpi-bin
  # The Debian package: man pages from --help and the docs, its checks, the zsh completion's.
  help2man go-md2man lintian man-db zsh locales dpkg-dev file)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Test-only: a real PowerShell grammar for checking generated scripts (npm registry).
if command -v npm >/dev/null && [ ! -d tests/powershell/node_modules/web-tree-sitter ]; then
  npm ci --prefix tests/powershell --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null
fi
if command -v npm >/dev/null && [ ! -d tests/report/node_modules/puppeteer-core ]; then
  npm ci --prefix tests/report --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null
fi
if command -v npm >/dev/null && [ ! -d tests/junit/node_modules/junit-xml ]; then
  npm ci --prefix tests/junit --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null
fi
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release ${WINPORTS_CMAKE_ARGS:-} >/dev/null
cmake --build build
