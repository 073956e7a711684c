#!/usr/bin/env bash
# install_check.sh: `meson install` of this build into a temporary DESTDIR, then check that
# the installed tree is complete, holds nothing extra, and runs.
# Usage: tests/install_check.sh SOURCE_ROOT BUILD_ROOT   (meson test --suite install)
#
# The build is installed as configured (its --prefix, default /usr/local) under DESTDIR.
# The programs' compiled-in data directory (HOTLINE_DATADIR = prefix/datadir/hotline) then
# points at a path that exists only inside DESTDIR, so the runs below pass --data /
# HOTLINE_DATA = DESTDIR + that path, and the compiled-in string is checked separately
# against the layout meson installed.
set -euo pipefail

src=${1:?usage: install_check.sh SOURCE_ROOT BUILD_ROOT}
build=${2:?usage: install_check.sh SOURCE_ROOT BUILD_ROOT}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/hotline-install.XXXXXX")
server_pid=
cleanup() {
    if [ -n "$server_pid" ]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT

failures=0
fail() {
    printf 'FAIL: %s\n' "$*"
    failures=$((failures + 1))
}
ok() {
    printf 'ok: %s\n' "$*"
}
# Stop at once: later checks make no sense without this.
die() {
    printf 'FAIL: %s\n' "$*"
    exit 1
}

# ---- the install layout as this build is configured ----
# prefix, bindir, sbindir, datadir, mandir, localedir; relative ones joined to the prefix.
eval "$(meson introspect --buildoptions "$build" | python3 -c '
import json, os, shlex, sys
opts = {o["name"]: o["value"] for o in json.load(sys.stdin)}
prefix = opts["prefix"]
for name in ("bindir", "sbindir", "datadir", "mandir", "localedir"):
    print("%s=%s" % (name, shlex.quote(os.path.join(prefix, opts[name]))))
print("prefix=%s" % shlex.quote(prefix))
')"
pkgdatadir=$datadir/hotline
version=$(meson introspect --projectinfo "$build" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["version"])')
[ -n "$version" ] || die "cannot read the project version of $build"

# ---- install ----
destdir=$tmp/dest
if ! meson install -C "$build" --destdir "$destdir" --no-rebuild --quiet >"$tmp/install.log" 2>&1; then
    cat "$tmp/install.log"
    die "meson install --destdir failed"
fi
ok "meson install --destdir $destdir (prefix $prefix)"
D=$destdir

# ---- what is installed ----
for f in "$bindir/hotline" "$sbindir/hotlined"; do
    [ -x "$D$f" ] || fail "$f is not installed as an executable"
done

# The data directory holds exactly the data files, the example config and the themes:
# no README, no meson.build, no generators, no systemd templates.
expected=$tmp/expected.txt
actual=$tmp/actual.txt
{
    printf '%s\n' holidays-cn.json categories-cn.json kpis-cn.json rules.json \
        kb/articles.json config.example
    for t in "$src"/themes/*.theme; do
        printf 'themes/%s\n' "$(basename "$t")"
    done
} | LC_ALL=C sort >"$expected"
if [ -d "$D$pkgdatadir" ]; then
    (cd "$D$pkgdatadir" && find . -type f | sed 's|^\./||' | LC_ALL=C sort) >"$actual"
    if diff -u "$expected" "$actual" >"$tmp/data.diff"; then
        ok "$pkgdatadir holds exactly the data files, config.example and $(grep -c '^themes/' "$expected") themes"
    else
        cat "$tmp/data.diff"
        fail "$pkgdatadir differs from the expected list (- missing, + extra)"
    fi
else
    fail "$pkgdatadir was not installed"
fi
[ -f "$D$pkgdatadir/themes/default.theme" ] || fail "themes/default.theme is not installed"
# Installed data files are the source tree's, byte for byte.
for f in holidays-cn.json categories-cn.json kpis-cn.json rules.json kb/articles.json; do
    if [ -f "$D$pkgdatadir/$f" ] && ! cmp -s "$src/data/$f" "$D$pkgdatadir/$f"; then
        fail "$pkgdatadir/$f differs from data/$f"
    fi
done
for lang in $(sed 's/#.*//' "$src/po/LINGUAS"); do
    [ -f "$D$localedir/$lang/LC_MESSAGES/hotline.mo" ] ||
        fail "translation $localedir/$lang/LC_MESSAGES/hotline.mo is not installed"
done

# ---- the compiled-in paths match the layout ----
# HOTLINE_DATADIR (paths.c, the console's theme directories) and HOTLINE_LOCALEDIR are
# string constants in the binaries: each must be the directory meson installed to.
if grep -qaF "$pkgdatadir" "$D$sbindir/hotlined"; then
    ok "hotlined looks for data in $pkgdatadir"
else
    fail "hotlined does not contain the data directory $pkgdatadir"
fi
if grep -qaF "$pkgdatadir/themes" "$D$bindir/hotline"; then
    ok "hotline looks for themes in $pkgdatadir/themes"
else
    fail "hotline does not contain the themes directory $pkgdatadir/themes"
fi
grep -qaF "$localedir" "$D$bindir/hotline" ||
    fail "hotline does not contain the locale directory $localedir"

# ---- the installed programs run ----
out=$("$D$bindir/hotline" --version 2>&1) || fail "hotline --version exited $?"
[ "$out" = "hotline $version" ] || fail "hotline --version printed '$out', expected 'hotline $version'"
out=$("$D$sbindir/hotlined" --version 2>&1) || fail "hotlined --version exited $?"
[ "$out" = "hotlined $version" ] || fail "hotlined --version printed '$out', expected 'hotlined $version'"
if "$D$sbindir/hotlined" --help >"$tmp/help.txt" 2>&1 && grep -q '^usage: hotlined' "$tmp/help.txt"; then
    ok "hotline --version, hotlined --version and --help"
else
    cat "$tmp/help.txt"
    fail "hotlined --help"
fi

# The holiday calendar from the installed data directory, both ways of naming it.
data=$D$pkgdatadir
if out=$(HOTLINE_DATA=$data "$D$sbindir/hotlined" calendar check 2026 2>&1); then
    ok "HOTLINE_DATA=<installed> hotlined calendar check 2026: $out"
else
    fail "HOTLINE_DATA=$data hotlined calendar check 2026 exited $?: $out"
fi
HOTLINE_DATA= "$D$sbindir/hotlined" calendar check 2026 --data "$data" >/dev/null 2>&1 ||
    fail "hotlined calendar check 2026 --data $data"
# A year the calendar does not hold: exit 1 (so the checks above read a real file).
rc=0
HOTLINE_DATA=$data "$D$sbindir/hotlined" calendar check 1999 >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 1 ] || fail "hotlined calendar check 1999 exited $rc, expected 1"

# Demo data reads categories-cn.json, rules.json, holidays-cn.json and kb/articles.json.
if HOTLINE_DATA=$data "$D$sbindir/hotlined" --db "$tmp/demo.db" demo-data --tickets 5 \
    >"$tmp/demo.txt" 2>&1; then
    ok "hotlined demo-data with the installed data directory"
else
    cat "$tmp/demo.txt"
    fail "hotlined demo-data with HOTLINE_DATA=$data"
fi

# serve as the systemd unit runs it (holidays, rules, KPIs from --data), on a free port,
# answers /health, and stops with exit 0 on SIGTERM.
HOTLINE_DATA= "$D$sbindir/hotlined" --db "$tmp/serve.db" serve --listen 127.0.0.1:0 \
    --data "$data" >"$tmp/serve.out" 2>"$tmp/serve.err" &
server_pid=$!
url=
for _ in $(seq 1 100); do
    url=$(sed -n 's/^hotlined .* listening on \(http:[^ ]*\).*/\1/p' "$tmp/serve.out")
    [ -n "$url" ] && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.05
done
if [ -z "$url" ]; then
    cat "$tmp/serve.err"
    fail "hotlined serve --data <installed> did not start"
else
    health=
    if command -v curl >/dev/null 2>&1; then
        health=$(curl -s --max-time 5 "$url/api/v1/health" || true)
        case $health in
        *'"status":"ok"'*) ;;
        *) fail "GET $url/api/v1/health answered '$health'" ;;
        esac
    fi
    kill -TERM "$server_pid"
    rc=0
    wait "$server_pid" || rc=$?
    server_pid=
    if [ "$rc" -eq 0 ]; then
        ok "hotlined serve --data <installed> started${health:+, answered /health} and stopped on SIGTERM"
    else
        cat "$tmp/serve.err"
        fail "hotlined serve exited $rc after SIGTERM"
    fi
fi

# The example configuration is one the console accepts: with stdin and stdout not a
# terminal, a good file gets as far as the terminal check (exit 1), a bad one exits 2
# naming file:line.
rc=0
XDG_STATE_HOME=$tmp/state XDG_CONFIG_HOME=$tmp/config TERM=dumb \
    "$D$bindir/hotline" --config "$D$pkgdatadir/config.example" </dev/null >"$tmp/cfg.out" 2>&1 || rc=$?
if [ "$rc" -eq 2 ] || grep -q 'config.example' "$tmp/cfg.out"; then
    cat "$tmp/cfg.out"
    fail "hotline rejects the installed config.example (exit $rc)"
else
    ok "hotline accepts config.example"
fi

# ---- man pages ----
for page in man1/hotline.1 man8/hotlined.8; do
    f=$D$mandir/$page
    if [ ! -f "$f" ]; then
        fail "$mandir/$page is not installed"
        continue
    fi
    if grep -n '@[A-Za-z_]*@' "$f"; then
        fail "$page has placeholders left"
    fi
    grep -qF "$pkgdatadir" "$f" || fail "$page does not name the data directory $pkgdatadir"
    if ! command -v groff >/dev/null 2>&1; then
        fail "groff is missing: install groff-base to check the man pages"
        continue
    fi
    # -k: preconv for the UTF-8 (Chinese) text; -ww: every warning; -z: no output.
    if groff -k -man -Tutf8 -ww -z "$f" >"$tmp/groff.txt" 2>&1 && [ ! -s "$tmp/groff.txt" ]; then
        ok "$page: groff -man -ww finds nothing to warn about"
    else
        cat "$tmp/groff.txt"
        fail "$page: groff warnings"
    fi
    if command -v man >/dev/null 2>&1; then
        if ! LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$f" >/dev/null 2>"$tmp/man.txt" ||
            [ -s "$tmp/man.txt" ]; then
            cat "$tmp/man.txt"
            fail "$page: man --warnings"
        fi
    fi
done

# ---- systemd unit and its user ----
unit=$(find "$D" -name hotlined.service -type f | head -n 1)
sysusers=$(find "$D" -path '*sysusers.d/hotline.conf' -type f | head -n 1)
if [ -z "$unit" ]; then
    fail "hotlined.service is not installed"
else
    ok "unit installed as ${unit#"$D"}"
    if grep -n '@[A-Za-z_]*@' "$unit"; then
        fail "hotlined.service has placeholders left"
    fi
    exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
    case $exec_start in
    "$sbindir/hotlined --db /var/lib/hotline/hotline.db serve --listen 127.0.0.1:8080 --data $pkgdatadir")
        ok "ExecStart=$exec_start" ;;
    *) fail "unexpected ExecStart=$exec_start" ;;
    esac
    user=$(sed -n 's/^User=//p' "$unit")
    [ -n "$sysusers" ] || fail "sysusers.d/hotline.conf is not installed"
    if [ -n "$sysusers" ] && ! grep -q "^u $user " "$sysusers"; then
        fail "sysusers.d/hotline.conf does not create the unit's user '$user'"
    fi
    if command -v systemd-analyze >/dev/null 2>&1; then
        # verify wants the executables at their real paths and runs man for
        # Documentation=: point both into DESTDIR.
        mkdir -p "$tmp/unit"
        sed "s|$sbindir/hotlined|$D$sbindir/hotlined|" "$unit" >"$tmp/unit/hotlined.service"
        # Warnings about other packages' units (verify loads the whole unit tree)
        # are not ours to judge: only what concerns our unit counts.
        if MANPATH=$D$mandir systemd-analyze verify "$tmp/unit/hotlined.service" \
            >"$tmp/verify-all.txt" 2>&1; then
            grep -v -E '^/(usr/)?(lib|etc|run)/systemd/' "$tmp/verify-all.txt" >"$tmp/verify.txt" || true
        else
            cp "$tmp/verify-all.txt" "$tmp/verify.txt"
            echo "systemd-analyze exited with an error" >>"$tmp/verify.txt"
        fi
        if [ ! -s "$tmp/verify.txt" ]; then
            ok "systemd-analyze verify hotlined.service"
        else
            cat "$tmp/verify.txt"
            fail "systemd-analyze verify hotlined.service"
        fi
    else
        echo "skip: systemd-analyze not found (unit not verified)"
    fi
    if [ -n "$sysusers" ] && command -v systemd-sysusers >/dev/null 2>&1; then
        mkdir -p "$tmp/root"
        if systemd-sysusers --root="$tmp/root" --dry-run "$sysusers" >"$tmp/sysusers.txt" 2>&1; then
            ok "systemd-sysusers --dry-run hotline.conf"
        else
            cat "$tmp/sysusers.txt"
            fail "systemd-sysusers rejects hotline.conf"
        fi
    fi
fi

if [ "$failures" -ne 0 ]; then
    printf '%d install check(s) failed\n' "$failures"
    exit 1
fi
echo "install: all checks passed"
