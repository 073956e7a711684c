#!/usr/bin/env bash
# openapi_lint: lint docs/openapi.yaml with Redocly CLI, a real OpenAPI 3.1 linter from npm.
# Usage: tests/openapi_lint.sh SOURCE_ROOT BUILD_ROOT
# Installs @redocly/cli once into BUILD_ROOT/tools/redocly (a cache: delete it to
# reinstall) and runs `redocly lint` with SOURCE_ROOT/redocly.yaml, whose ruleset
# (recommended-strict) turns every warning into an error: zero problems or it fails.
set -u
src=${1:?usage: openapi_lint.sh SOURCE_ROOT BUILD_ROOT}
build=${2:?usage: openapi_lint.sh SOURCE_ROOT BUILD_ROOT}
# 1.34.21 is not installable: it depends on @redocly/respect-core@1.34.21, which the
# npm registry does not have. 1.34.20 is the newest 1.x that installs (node >= 18.17).
version=1.34.20
prefix=$build/tools/redocly
bin=$prefix/node_modules/.bin/redocly

fail() {
    printf 'openapi_lint: %s\n' "$*" >&2
    exit 1
}

command -v node >/dev/null 2>&1 ||
    fail "node is missing: install the Debian packages nodejs and npm (node >= 18.17)"
command -v npm >/dev/null 2>&1 ||
    fail "npm is missing: install the Debian package npm"
node -e 'const [a, b] = process.versions.node.split(".").map(Number);
         process.exit(a > 18 || (a === 18 && b >= 17) ? 0 : 1)' ||
    fail "node $(node --version) is too old: @redocly/cli $version needs node >= 18.17"

installed=$(node -p 'try { require(process.argv[1]).version } catch (e) { "" }' \
            "$prefix/node_modules/@redocly/cli/package.json" 2>/dev/null)
if [ "$installed" != "$version" ] || [ ! -x "$bin" ]; then
    echo "openapi_lint: installing @redocly/cli@$version into $prefix"
    mkdir -p "$prefix" || fail "cannot create $prefix"
    if ! npm install --no-audit --no-fund --prefix "$prefix" "@redocly/cli@$version" \
            >"$prefix/npm-install.log" 2>&1; then
        cat "$prefix/npm-install.log" >&2
        fail "npm install @redocly/cli@$version failed (is the npm registry reachable?)"
    fi
fi

cd "$src" || fail "cannot enter $src"
out=$(REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true NO_COLOR=1 \
      "$bin" lint --config "$src/redocly.yaml" --format=stylish docs/openapi.yaml 2>&1)
rc=$?
printf '%s\n' "$out"
[ "$rc" -eq 0 ] || fail "docs/openapi.yaml has lint errors (redocly exit status $rc)"
# recommended-strict makes warnings errors; refuse a stray warning all the same.
if printf '%s\n' "$out" | grep -Eq '[0-9]+ warnings?|^ *[0-9]+:[0-9]+ +warn'; then
    fail "docs/openapi.yaml has lint warnings"
fi
echo "openapi_lint: docs/openapi.yaml passes redocly lint (@redocly/cli $version) with no problems"
