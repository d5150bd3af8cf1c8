#!/bin/sh
# Style checks that are mechanical (STYLE.md §10):
#   - banned functions on outside data (strcpy, sprintf, atoi, strtok, gets, ...);
#   - clang-format conformance (skipped with --banned, or when clang-format is absent).
set -u
cd "$(dirname "$0")/.."
status=0
banned='\b(strcpy|strcat|sprintf|vsprintf|gets|atoi|atol|atoll|strtok|strncpy|tmpnam|mktemp)[[:space:]]*\('
if grep -rnE "$banned" src tools/*.c; then
    echo "lint: banned function(s) above; use snprintf, strtol, memcpy with a known length" >&2
    status=1
fi
if [ "${1:-}" != "--banned" ]; then
    if command -v clang-format >/dev/null 2>&1; then
        files=$(find src tests/unit tests/fuzz tools -name '*.[ch]')
        # shellcheck disable=SC2086
        if ! clang-format --dry-run -Werror $files; then
            echo "lint: run 'clang-format -i' on the files above" >&2
            status=1
        fi
    else
        echo "lint: clang-format not installed; formatting not checked" >&2
    fi
fi
exit $status
