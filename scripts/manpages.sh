#!/usr/bin/env bash
# Man pages from the same texts as the binary's --help (help2man), one per command plus winports(1),
# in English and Japanese, and winports-site(5) from docs/site-file.md (go-md2man: Debian's small
# Markdown-to-roff converter; pandoc would pull in a hundred megabytes for one page). Compressed as
# Debian installs them. Usage: manpages.sh BINARY SOURCE-DIR OUT-DIR
set -euo pipefail
bin=$(realpath "$1") src=$2 out=$3
rm -rf "$out"
mkdir -p "$out/man1" "$out/man5" "$out/ja/man1" "$out/locale"
version=$("$bin" --version | head -1 | awk '{print $2}')
# The pages say the commit's date, not the build's, so that two builds of one commit are identical.
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$src" log -1 --format=%ct 2>/dev/null || echo 0)}
# help2man translates its own headings (名前, 説明 …) for the Japanese pages through the locale: a
# ja_JP.UTF-8 compiled for this run only (LOCPATH; the machine's locales stay as they are). Without
# Debian's locale sources (the locales package) the headings stay English, the text Japanese.
ja_locale=C.UTF-8
if localedef -i ja_JP -f UTF-8 "$out/locale/ja_JP.UTF-8" >/dev/null 2>&1; then
  export LOCPATH=$out/locale
  ja_locale=ja_JP.UTF-8
fi

page() {  # page LANG NAME DESCRIPTION COMMAND-WORDS…
  local lang=$1 name=$2 description=$3 dir=$out/man1 locale=C.UTF-8
  shift 3
  local adjust='s/^\.TH /&/'  # nothing
  # Japanese has no spaces to stretch: its lines are set ragged, as Japanese man pages are.
  [ "$lang" = ja ] && dir=$out/ja/man1 locale=$ja_locale adjust='/^\.TH /a .ad l'

  # help2man runs "BINARY OPTION"; the command and --lang go in front of --help. A value list
  # ("{nftables,iptables,…}") may break after each comma (\:). The NAME line
  # comes from an include file: help2man reads its arguments as Latin-1, a file as the locale says.
  local section=NAME
  [ "$lang" = ja ] && [ "$locale" != C.UTF-8 ] && section=名前  # help2man names its sections in the locale
  printf '[%s]\n%s \\- %s\n' "$section" "${name//-/\\-}" "$description" >"$out/name.h2m"
  help2man --no-info --locale="$locale" --include="$out/name.h2m" --version-string="$version" \
    --help-option="--lang $lang $* --help" --version-option=--version "$bin" 2>/dev/null |
    sed -e "s/^\.TH WINPORTS /.TH ${name^^} /" -e "$adjust" -e '/{[^}]*,[^}]*}/s/,/,\\:/g' >"$dir/$name.1"
  rm -f "$out/name.h2m"
  gzip -9n "$dir/$name.1"
}

for lang in en ja; do
  page "$lang" winports "$("$bin" --lang "$lang" --help | head -1)"
  while read -r command description; do
    page "$lang" "winports-$command" "$description" "$command"
  done < <("$bin" --lang "$lang" completion words commands)
done

# winports-site(5): the site file's reference, as docs/site-file.md has it, and in Japanese as
# docs/ja/site-file.md has it (tests/docs/translation_test.py keeps the two in step).
site_page() {  # site_page MARKDOWN OUT-DIR NAME-HEADING NAME-LINE [ADJUST]
  {
    printf '%% WINPORTS-SITE 5 "" "winports %s" "File Formats"\n\n' "$version"
    printf '# %s\n%s\n\n' "$3" "$4"
    # A table becomes one paragraph per row ("Column: cell; …"): a terminal is narrower than its
    # widest rows, and tbl cannot break a cell that holds a path.
    sed -e '1{/^# /d}' "$1" | awk -F'|' '
      function trim(s) { gsub(/^[ \t]+|[ \t]+$/, "", s); return s }
      /^\|/ {
        if (!in_table) { n = split($0, head, "|"); in_table = 1; next }
        if ($0 ~ /^\|[-| :]+\|$/) next
        line = ""
        for (i = 2; i < n; i++) {
          cell = trim($i)
          if (cell != "") line = line (line == "" ? "" : "; ") "**" trim(head[i]) "**: " cell
        }
        print "- " line
        next
      }
      { if (in_table) print ""; in_table = 0; print }'
  } | go-md2man | sed -e "${5:-s/^\.TH /&/}" >"$2/winports-site.5"
  gzip -9n "$2/winports-site.5"
}
mkdir -p "$out/ja/man5"
site_page "$src/docs/site-file.md" "$out/man5" NAME 'winports-site - the site file winports plans from'
# Japanese has no spaces to stretch: set ragged, as the Japanese command pages are.
site_page "$src/docs/ja/site-file.md" "$out/ja/man5" 名前 'winports-site - winports が計画に使うサイト ファイル' '/^\.TH /a .ad l'
rm -rf "$out/locale"
