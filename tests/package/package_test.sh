#!/usr/bin/env bash
# The Debian package as an administrator gets it: built with CPack from this build, its files and
# control fields read with dpkg-deb, unpacked into a throwaway root where the binary runs, every man
# page renders without a warning, both completion scripts parse and bash completes --format and a
# site's host names, and lintian finds no error. Usage: package_test.sh BUILD-DIR SOURCE-DIR
set -u
build=$1 src=$2
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
skip() {
  if [ "${WINPORTS_REQUIRE_PACKAGE:-}" = 1 ]; then echo "FAIL: $1 (WINPORTS_REQUIRE_PACKAGE=1)"; exit 1; fi
  echo "SKIP: $1"; exit 77
}
for tool in cpack dpkg-deb lintian man zsh; do command -v "$tool" >/dev/null || skip "$tool is not installed"; done
[ -f "$build/package/man/man1/winports.1.gz" ] || skip "no man pages in the build (help2man, go-md2man)"
ok() { echo "ok: $1"; }
bad() { echo "FAIL: $1"; fail=1; }

(cd "$build" && cpack -G DEB -B "$tmp/out" >"$tmp/cpack.log" 2>&1) || { cat "$tmp/cpack.log"; bad "cpack"; exit 1; }
deb=$(ls "$tmp"/out/winports_*.deb)
dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|' >"$tmp/files"
for f in /usr/bin/winports /usr/share/man/man1/winports.1.gz /usr/share/man/man1/winports-plan.1.gz \
  /usr/share/man/man1/winports-audit.1.gz /usr/share/man/ja/man1/winports-plan.1.gz \
  /usr/share/man/man5/winports-site.5.gz /usr/share/man/ja/man5/winports-site.5.gz \
  /usr/share/bash-completion/completions/winports \
  /usr/share/zsh/vendor-completions/_winports /usr/share/doc/winports/copyright \
  /usr/share/doc/winports/changelog.gz /usr/share/doc/winports/README.md \
  /usr/share/doc/winports/docs/site-file.md /usr/share/doc/winports/examples/branch-office.yaml \
  /usr/share/winports/ansible/verify.yml /usr/share/winports/ansible/roles/winports_verify/tasks/main.yml; do
  grep -qx "$f" "$tmp/files" && ok "the package holds $f" || bad "no $f in the package"
done
commands=$("$build/winports" completion words commands | awk '{print $1}')
for c in $commands; do
  grep -qx "/usr/share/man/man1/winports-$c.1.gz" "$tmp/files" || bad "no man page for $c"
  grep -qx "/usr/share/man/ja/man1/winports-$c.1.gz" "$tmp/files" || bad "no Japanese man page for $c"
done
ok "a man page per command, in English and Japanese ($(echo $commands | wc -w) commands)"
dpkg-deb -f "$deb" Depends | grep -q libc6 && ok "Depends names libc6" || bad "Depends: $(dpkg-deb -f "$deb" Depends)"
# libyaml is loaded when a file is read (no lookup needs it) but every site needs it: a dependency.
dpkg-deb -f "$deb" Depends | grep -q libyaml-0-2 && ok "Depends names libyaml-0-2 (loaded on demand)" ||
  bad "Depends lacks libyaml-0-2: $(dpkg-deb -f "$deb" Depends)"
recommends=$(dpkg-deb -f "$deb" Recommends)
for lib in libgvc libxlsxwriter libpcap; do
  [[ $recommends == *$lib* ]] && ok "Recommends $lib (loaded on demand)" || bad "Recommends lacks $lib: $recommends"
done

root=$tmp/root
dpkg-deb -x "$deb" "$root"
"$root/usr/bin/winports" --version >"$tmp/version" && grep -q "^catalog .*services" "$tmp/version" &&
  ok "the installed binary says its catalog's version" || bad "--version: $(cat "$tmp/version")"
"$root/usr/bin/winports" plan "$root/usr/share/doc/winports/examples/branch-office.yaml" --format nftables \
  >/dev/null && ok "the installed binary plans the installed example" || bad "plan from the package"
for page in $(find "$root/usr/share/man" -name '*.gz'); do
  warnings=$(LANG=C.UTF-8 MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
  [ -z "$warnings" ] || bad "${page#$root}: $warnings"
done
ok "every man page renders without a warning"
LANG=C.UTF-8 MANWIDTH=100 man -l "$root/usr/share/man/man1/winports-plan.1.gz" 2>/dev/null | grep -q -- "--format" &&
  ok "winports-plan(1) documents --format" || bad "winports-plan(1) lacks --format"
LANG=C.UTF-8 MANWIDTH=100 man -l "$root/usr/share/man/ja/man1/winports-plan.1.gz" 2>/dev/null >"$tmp/ja"
grep -q "^書式" "$tmp/ja" && grep -q "winports plan \[オプション\] FILE" "$tmp/ja" &&
  ok "winports-plan(1) in Japanese: Japanese headings and synopsis" || { cat "$tmp/ja"; bad "the Japanese page"; }
LANG=C.UTF-8 MANWIDTH=100 man -l "$root/usr/share/man/man5/winports-site.5.gz" 2>/dev/null | grep -q "asa_interface" &&
  ok "winports-site(5) is the site file's reference" || bad "winports-site(5) lacks asa_interface"
LANG=C.UTF-8 MANWIDTH=100 man -l "$root/usr/share/man/ja/man5/winports-site.5.gz" 2>/dev/null >"$tmp/ja5"
grep -q "^名前" "$tmp/ja5" && grep -q "asa_interface: トラフィックが届く ASA の nameif" "$tmp/ja5" &&
  grep -q "管理者が移せるポート" "$tmp/ja5" && ok "winports-site(5) in Japanese" || { head -20 "$tmp/ja5"; bad "the Japanese site page"; }

bash -n "$root/usr/share/bash-completion/completions/winports" && ok "bash completion parses" || bad "bash -n"
zsh -n "$root/usr/share/zsh/vendor-completions/_winports" && ok "zsh completion parses" || bad "zsh -n"
# What bash offers for the last word of a line, with the installed script and binary.
complete_line() {
  PATH="$root/usr/bin:$PATH" bash -c '
    source "$1"
    read -ra COMP_WORDS <<<"$2"
    [[ $2 == *" " ]] && COMP_WORDS+=("")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    _winports
    printf "%s\n" "${COMPREPLY[@]}"' _ "$root/usr/share/bash-completion/completions/winports" "$1"
}
site=$root/usr/share/doc/winports/examples/dmz.yaml
[ "$(complete_line "winports pl" | tr '\n' ' ')" = "plan " ] && ok "completes a command" || bad "pl<TAB>: $(complete_line "winports pl")"
got=$(complete_line "winports plan $site --format ipt" | sort | tr '\n' ' ')
[ "$got" = "iptables iptables-script " ] && ok "completes --format values" || bad "--format ipt<TAB>: $got"
got=$(complete_line "winports plan $site --host " | sort | tr '\n' ' ')
[ "$got" = "dc1 ftp1 mail1 web1 web2 " ] && ok "completes the site's host names" || bad "--host <TAB>: $got"
got=$(complete_line "winports explain $site --from ad" | tr '\n' ' ')
[ "$got" = "admin " ] && ok "completes a zone after --from" || bad "--from ad<TAB>: $got"
got=$(complete_line "winports --lang e" | tr '\n' ' ')
[ "$got" = "en " ] && ok "completes --lang" || bad "--lang e<TAB>: $got"

lintian --no-cfg --fail-on error "$deb" >"$tmp/lintian" 2>&1 && ok "lintian: no error" || { cat "$tmp/lintian"; bad "lintian"; }
grep -v "not recommended" "$tmp/lintian" | sed 's/^/  lintian: /'

[ $fail = 0 ] && echo "package: all passed" || echo "package: failures"
exit $fail
