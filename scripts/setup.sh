#!/usr/bin/env bash
# Installs winports' build dependencies from Debian 12 packages and builds it into build/.
# Run as root (or with sudo) on a fresh machine; safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
packages=(g++ cmake ninja-build pkg-config libcli11-dev libyaml-cpp-dev libyaml-dev nlohmann-json3-dev libkainjow-mustache-dev
  libutf8proc-dev libc-ares-dev libgraphviz-dev libxlsxwriter-dev libpcap-dev libgtest-dev libgmock-dev libbenchmark-dev clang libclang-rt-14-dev clang-format hyperfine python3 nftables iptables iputils-ping libxml2-utils nmap chromium fonts-ipafont-gothic python3-openpyxl python3-jsonschema
  # Network tests: a Samba AD DC and real clients in namespaces (samba-ad-provision is only a
  # recommendation of samba-ad-dc, so it is named here).
  iproute2 procps util-linux samba samba-ad-dc samba-ad-provision winbind krb5-user ldap-utils smbclient dnsutils
  # analyze: captures recorded in the lab, and the flow tools it is measured against.
  tcpdump tshark libndpi-bin
  # Verification from many vantages: the project's playbook, and sshd for the test's vantage hosts.
  ansible-core openssh-server
  # The clouds' own models, for the tests of the Azure and AWS outputs (test only: the binary needs no Python).
  python3-azure python3-botocore
  # The Debian package: man pages from --help and the docs, its checks, the zsh completion's.
  help2man go-md2man lintian man-db zsh locales dpkg-dev file)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  # The tests run sshd only inside their own namespaces: installing openssh-server must not start
  # one on this machine's addresses, so service starts are refused for the install (unless a
  # policy is already in place, which then decides).
  no_starts=
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null && $SUDO chmod 755 /usr/sbin/policy-rc.d
    no_starts=1
  fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  [ -z "$no_starts" ] || $SUDO rm -f /usr/sbin/policy-rc.d
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
