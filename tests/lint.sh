#!/usr/bin/env bash
# lint: the layering and hygiene rules of STYLE.md, checked on the source tree.
set -u
root=${1:-.}
cd "$root" || exit 1
fail=0
say() { printf 'lint: %s\n' "$*"; fail=1; }

# 1. The core is pure: no terminal, HTTP or SQL headers in src/core or include/.
bad=$(grep -nE '#include *[<"](n?curses|ncursesw/|curl/|microhttpd|sqlite3|libpq|postgres)' \
      -r src/core include 2>/dev/null)
[ -n "$bad" ] && say "the core includes a terminal/HTTP/SQL header:
$bad"

# 2. The client and the server never include each other.
bad=$(grep -nE '#include *"(\.\./)*(server|client)/' -r src 2>/dev/null)
[ -n "$bad" ] && say "a program includes the other program's sources:
$bad"

# 3. Banned functions (STYLE.md).
bad=$(grep -nE '(^|[^_a-zA-Z0-9.>])(strcpy|strcat|sprintf|vsprintf|strtok|atoi|atol|gets|sscanf)[[:space:]]*\(' \
      -r src include tests/unit bench --include='*.c' --include='*.h' 2>/dev/null \
      | grep -vE '^\S+:[0-9]+:\s*(/\*|\*)')
[ -n "$bad" ] && say "banned function used:
$bad"

# 4. Headers: #pragma once and a one-line summary comment on the first line.
for h in $(find include src -name '*.h' 2>/dev/null); do
    grep -q '^#pragma once' "$h" || say "$h: missing #pragma once"
    head -n 1 "$h" | grep -q '^/\* ' || say "$h: first line must be a /* one-line summary */"
done

# 5. No clear() per frame in the console (let ncurses diff).
bad=$(grep -nE '(^|[^_a-zA-Z0-9])(w?clear)\(' -r src/client 2>/dev/null)
[ -n "$bad" ] && say "clear() in the console (use erase()):
$bad"

if [ "$fail" -ne 0 ]; then
    exit 1
fi
echo "lint: ok"
