#!/usr/bin/env bash
# demo.sh: build hotline and show what it does.
# Today the backend's ticket server and the console are still being built (see README,
# "Status"); this script builds everything and runs the working-day calendar, which every
# deadline in hotline stands on.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(gcc meson ninja-build pkg-config gettext tzdata libncurses-dev libcurl4-openssl-dev
          libcjson-dev libsqlite3-dev libmicrohttpd-dev libsodium-dev libcmocka-dev libinih-dev)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "==> installing Debian packages: ${missing[*]}"
    sudo=(); [ "$(id -u)" -ne 0 ] && sudo=(sudo)
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
dir=build/demo
if [ ! -f "$dir/build.ninja" ]; then
    echo "==> configuring $dir"
    meson setup "$dir" -Dtests=false >/dev/null
fi
echo "==> building"
ninja -C "$dir" >/dev/null
hd=$dir/src/server/hotlined
month=$(TZ=Asia/Shanghai date +%Y-%m)
now=$(TZ=Asia/Shanghai date +%Y-%m-%dT%H:%M:%S+08:00)
echo "==> $hd calendar show $month"
"$hd" calendar show "$month"
echo "==> $hd calendar due --from $now --workdays 2"
"$hd" calendar due --from "$now" --workdays 2
echo "==> $hd calendar due --from 2026-02-13T10:00:00+08:00 --workdays 2   (across the 2026 Spring Festival)"
"$hd" calendar due --from 2026-02-13T10:00:00+08:00 --workdays 2
