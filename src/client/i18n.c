/* i18n: gettext shorthands and the console's language switch (English msgids, zh_CN). */
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "buildconf.h"
#include "hotline/util.h"
#include "i18n.h"

void
i18n_init(void)
{
    const char *dir = getenv("HOTLINE_LOCALEDIR");

    /* From the build tree, the catalogues meson just compiled; else the installed ones. */
    if (dir == NULL || dir[0] == '\0')
        dir = util_running_from_build_tree() ? HOTLINE_BUILD_DIR "/po" : HOTLINE_LOCALEDIR;
    bindtextdomain(GETTEXT_PACKAGE, dir);
    bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
    textdomain(GETTEXT_PACKAGE);
}

bool
i18n_valid_lang(const char *name)
{
    return name != NULL && (strcmp(name, "en") == 0 || strcmp(name, "zh_CN") == 0
                            || strcmp(name, "zh") == 0 || strcmp(name, "auto") == 0);
}

bool
i18n_set_lang(const char *lang)
{
    if (!i18n_valid_lang(lang))
        return false;
    if (strcmp(lang, "auto") == 0)
        unsetenv("LANGUAGE");
    else if (strcmp(lang, "en") == 0)
        setenv("LANGUAGE", "en", 1);
    else
        setenv("LANGUAGE", "zh_CN", 1);
    /* Setting the domain again tells gettext its cached translations are stale. */
    textdomain(GETTEXT_PACKAGE);
    return true;
}

const char *
i18n_lang(void)
{
    /* TRANSLATORS: the name of the language of this translation, exactly "zh_CN" for Chinese. */
    const char *probe = N_("en");

    return strcmp(gettext(probe), "en") == 0 ? "en" : "zh_CN";
}
