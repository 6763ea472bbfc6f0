#!/bin/sh
# check.sh - the documentation against the code (issue #13). Two modes, two ctests:
#   api  docs/API.md names every DMP_API function of include/dmpread.h, and no function the
#        header lacks.
#   man  docs/dmpread.1 renders without warnings (man --warnings, else groff -ww), and it and
#        completion/dmpread.bash name every command and option the CLI's sources accept.
# Usage: check.sh api|man SOURCE_DIR. Exit 0 pass, 1 fail, 77 skipped (no man or groff).
# SPDX-License-Identifier: MIT
set -eu
mode=$1
src=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dmpread-docs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
status=0
fail() {
    echo "docs: FAIL: $*" >&2
    status=1
}

if [ "$mode" = api ]; then
    sed -n 's/^DMP_API[^(]*[ *]\(dmp_[a-z0-9_]*\)(.*/\1/p' "$src/include/dmpread.h" |
        sort -u >"$tmp/header"
    # Functions on the page: names in backquotes that are not types (dmp_file, dmp_crash, ...)
    # or macros; a name is a function when the header declares it or it is followed by '('.
    # shellcheck disable=SC2016 # the backquotes are Markdown's, not the shell's
    grep -o '`dmp_[a-z0-9_]*`\|dmp_[a-z0-9_]*(' "$src/docs/API.md" | tr -d '`(' |
        sort -u >"$tmp/page"
    sed -n 's/^typedef [a-z ]*\(dmp_[a-z0-9_]*\).*/\1/p; s/^} \(dmp_[a-z0-9_]*\);/\1/p' \
        "$src/include/dmpread.h" | sort -u >"$tmp/types"
    comm -23 "$tmp/header" "$tmp/page" >"$tmp/missing"
    comm -23 "$tmp/page" "$tmp/header" | comm -23 - "$tmp/types" >"$tmp/stale"
    [ -s "$tmp/missing" ] && fail "docs/API.md lacks these DMP_API functions:
$(cat "$tmp/missing")"
    [ -s "$tmp/stale" ] && fail "docs/API.md names what include/dmpread.h does not declare:
$(cat "$tmp/stale")"
    [ $status -eq 0 ] && echo "docs/API.md: all $(wc -l <"$tmp/header") DMP_API functions, nothing stale"
    exit $status
fi

[ "$mode" = man ] || {
    echo "usage: check.sh api|man SOURCE_DIR" >&2
    exit 2
}
page=$src/docs/dmpread.1
if command -v man >/dev/null 2>&1 && man --help 2>&1 | grep -q -- --warnings; then
    MANWIDTH=80 man --warnings -l "$page" >"$tmp/rendered" 2>"$tmp/warnings" ||
        fail "man -l $page failed"
elif command -v groff >/dev/null 2>&1; then
    groff -man -ww -Tutf8 "$page" >"$tmp/rendered" 2>"$tmp/warnings" || fail "groff failed"
else
    echo "docs: skipped: neither man (man-db) nor groff is installed"
    exit 77
fi
[ -s "$tmp/warnings" ] && fail "docs/dmpread.1 renders with warnings:
$(cat "$tmp/warnings")"
[ -s "$tmp/rendered" ] || fail "docs/dmpread.1 renders to nothing"

# What the CLI accepts: options compared with strcmp/strncmp in cli/, and the commands of
# main.c's table plus the two that parse their own arguments.
grep -ho '"--[a-z-]*=\{0,1\}"' "$src"/cli/*.c | tr -d '"' | sed 's/=$//' | grep -v '^--$' | sort -u >"$tmp/options"
echo "-h" >>"$tmp/options"
{
    sed -n 's/.*{"\([a-z-]*\)", CMD_[A-Z_]*}.*/\1/p' "$src/cli/main.c"
    grep -o '{"[a-z-]*", CMD_[A-Z_]*}' "$src/cli/main.c" | sed 's/{"\([a-z-]*\)".*/\1/'
    echo stack
    echo symbolize
    if grep -q 'strcmp(argv\[1\], "help")' "$src/cli/main.c"; then echo help; fi
} | sort -u >"$tmp/commands"
sed 's/\\-/-/g' "$page" >"$tmp/page"
while read -r word; do
    grep -q -- "$word" "$tmp/page" || fail "docs/dmpread.1 does not mention $word"
    case $word in -h | --help | --version) continue ;; esac
    grep -q -- "$word" "$src/completion/dmpread.bash" ||
        fail "completion/dmpread.bash does not complete $word"
done <"$tmp/options"
while read -r word; do
    grep -q "^\.B[RI]* $word\b\|^\.BR.*$word" "$tmp/page" ||
        fail "docs/dmpread.1 does not document the command $word"
    grep -q -- "$word" "$src/completion/dmpread.bash" ||
        fail "completion/dmpread.bash does not complete the command $word"
done <"$tmp/commands"
if command -v bash >/dev/null 2>&1; then
    bash -n "$src/completion/dmpread.bash" || fail "completion/dmpread.bash: syntax error"
fi
[ $status -eq 0 ] && echo "docs/dmpread.1 renders cleanly; it and the completion cover" \
    "$(wc -l <"$tmp/commands") commands and $(wc -l <"$tmp/options") options"
exit $status
