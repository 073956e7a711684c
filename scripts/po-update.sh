#!/usr/bin/env bash
# Refresh po/hotline.pot from the sources and merge it into every translation.
set -eu
cd "$(dirname "$0")/.."
xgettext --keyword=_ --keyword=N_ --from-code=UTF-8 --add-comments=TRANSLATORS \
    --package-name=hotline -o po/hotline.pot -f po/POTFILES
for lang in $(cat po/LINGUAS); do
    msgmerge -q --update --backup=none "po/$lang.po" po/hotline.pot
    LC_ALL=C msgfmt --statistics -o /dev/null "po/$lang.po"
done
