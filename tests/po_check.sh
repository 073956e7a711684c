#!/usr/bin/env bash
# po_check: every translatable string of the sources has a zh_CN translation, none fuzzy.
set -eu
root=$1
cd "$root"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Every source file that marks strings must be listed in po/POTFILES.
for f in $(grep -rlE '(^|[^a-zA-Z0-9_])N?_\("' src --include='*.c' | sort); do
    grep -qx "$f" po/POTFILES || { echo "po_check: $f has translatable strings but is not in po/POTFILES"; exit 1; }
done
xgettext --keyword=_ --keyword=N_ --from-code=UTF-8 -o "$tmp/hotline.pot" -f po/POTFILES
msgmerge -q --no-fuzzy-matching -o "$tmp/zh_CN.po" po/zh_CN.po "$tmp/hotline.pot"
stats=$(LC_ALL=C msgfmt --statistics -o /dev/null "$tmp/zh_CN.po" 2>&1)
echo "po_check: zh_CN: $stats"
case "$stats" in
    *untranslated*|*fuzzy*) echo "po_check: zh_CN is incomplete: run scripts/po-update.sh and translate"; exit 1 ;;
esac
