#!/bin/sh
# jsoncheck_cases.sh - checks that tests/cli/jsoncheck accepts valid JSON and rejects the rest.
# SPDX-License-Identifier: MIT
#
# usage: jsoncheck_cases.sh JSONCHECK
#
# The validator guards every --json output of the CLI tests; one that let invalid text
# through would make those checks worthless, so each rule it enforces has a case here.
# Inputs are written with printf, so bytes such as \377 are exact.

set -u
[ $# -eq 1 ] || { echo "usage: jsoncheck_cases.sh JSONCHECK" >&2; exit 2; }
jsoncheck=$1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/jsoncheck.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
n=0
failed=0

# expect STATUS [--dmpread] PRINTF-FORMAT: jsoncheck on those bytes must exit STATUS.
expect() {
    want=$1
    shift
    opt=
    if [ "$1" = --dmpread ]; then
        opt=--dmpread
        shift
    fi
    n=$((n + 1))
    # shellcheck disable=SC2059 # the format is the input
    printf "$1" >"$tmp/in"
    "$jsoncheck" $opt "$tmp/in" 2>"$tmp/err"
    got=$?
    if [ "$got" -ne "$want" ]; then
        failed=$((failed + 1))
        printf 'FAIL: jsoncheck %s on %s: exit %s, want %s %s\n' "$opt" "$1" "$got" "$want" \
            "$(cat "$tmp/err")"
    fi
}

ok() { expect 0 "$@"; }
bad() { expect 1 "$@"; }

# Values of every kind, nested, with the whitespace the RFC allows.
ok '{}'
ok '[]'
ok ' \t\r\n{ "a" : [ 1 , -0 , 0.5 , -1.25e+10 , 1E-3 , 2e5 , true , false , null ] }\n'
ok '"just a string"'
ok '0'
ok ' -0.0e0'
ok '[[[[[[[[[[]]]]]]]]]]'
ok '{"a": {"b": {"c": []}}, "d": [{}, {"a": 1}]}'
ok '{"a": 1, "A": 2}'
ok '{"outer": {"k": 1}, "other": {"k": 2}}'
# Strings: escapes, UTF-8 of each length, surrogate pairs as escapes.
ok '"\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u0000 \\u001f \\uFFFF \\ud83d\\ude00"'
ok '"\303\251 \342\202\254 \360\237\230\200 \364\217\277\277 \177"'
ok '"\357\277\275"'

# Structure.
bad ''
bad '   '
bad '{'
bad '}'
bad '[1,]'
bad '[,1]'
bad '{"a":1,}'
bad '{"a" 1}'
bad '{"a":}'
bad '{1:2}'
bad "{'a':1}"
bad '[1 2]'
bad '{"a":1}{}'
bad '{"a":1} x'
bad '[1]]'
bad '{"a":1,"a":2}'
bad '{"k":{"x":1,"y":2,"x":3}}'
bad '{"\\u0061":1,"a":2}'
bad '\357\273\277{}'
bad '\f{}'
bad '{}\0'
# Literals and numbers.
bad 'tru'
bad 'True'
bad 'nul'
bad 'nan'
bad '[01]'
bad '[-]'
bad '[+1]'
bad '[1.]'
bad '[.5]'
bad '[1e]'
bad '[1e+]'
bad '[0x10]'
bad '[-01]'
# Strings.
bad '"abc'
bad '"tab\there"'
bad '"new\nline"'
bad '"\001"'
bad '"\\x41"'
bad '"\\u12"'
bad '"\\u12G4"'
bad '"\\ud83d"'
bad '"\\ud83d\\u0041"'
bad '"\\ude00"'
bad '"\\ud83d\\n"'
bad '"\377"'
bad '"\200"'
bad '"\303"'
bad '"\303("'
bad '"\300\257"'
bad '"\340\200\257"'
bad '"\355\240\200"'
bad '"\364\220\200\200"'
bad '"\370\210\200\200\200"'
bad "\"'single'\"x"

# Nesting: 512 levels pass, 513 do not.
deep() { i=0; s=; while [ $i -lt "$1" ]; do s="$s$2"; i=$((i + 1)); done; printf '%s' "$s"; }
ok "$(deep 512 '[')$(deep 512 ']')"
bad "$(deep 513 '[')$(deep 513 ']')"

# --dmpread: the envelope.
ok --dmpread '{"dmpread_json": 2, "command": "info", "diagnostics": []}'
ok --dmpread '{"dmpread_json":2,"command":"x","file":{"diagnostics":1},"diagnostics":[{}]}'
bad --dmpread '[]'
bad --dmpread '{"command": "info", "dmpread_json": 2, "diagnostics": []}'
bad --dmpread '{"dmpread_json": 1, "command": "info", "diagnostics": []}'
bad --dmpread '{"dmpread_json": 2.0, "command": "info", "diagnostics": []}'
bad --dmpread '{"dmpread_json": 2, "command": 1, "diagnostics": []}'
bad --dmpread '{"dmpread_json": 2, "diagnostics": []}'
bad --dmpread '{"dmpread_json": 2, "command": "info"}'
bad --dmpread '{"dmpread_json": 2, "command": "info", "diagnostics": {}}'
bad --dmpread '{"dmpread_json": 2, "command": "info", "diagnostics": [], "x": 1}'

# Several files: the worst status wins; a missing file is exit 2.
printf '{}' >"$tmp/good"
printf '{' >"$tmp/bad"
n=$((n + 1))
"$jsoncheck" "$tmp/good" "$tmp/bad" "$tmp/good" 2>/dev/null
[ $? -eq 1 ] || { failed=$((failed + 1)); echo "FAIL: good bad good should exit 1"; }
n=$((n + 1))
"$jsoncheck" "$tmp/good" "$tmp/nosuch" 2>/dev/null
[ $? -eq 2 ] || { failed=$((failed + 1)); echo "FAIL: a missing file should exit 2"; }
n=$((n + 1))
printf '{"a":\n  [1,\n   2,, 3]}' | "$jsoncheck" 2>"$tmp/err"
grep -q '^jsoncheck: <stdin>:3:6: ' "$tmp/err" ||
    { failed=$((failed + 1)); echo "FAIL: position of the error: $(cat "$tmp/err")"; }

echo "jsoncheck: $n cases, $failed failed"
[ "$failed" -eq 0 ]
