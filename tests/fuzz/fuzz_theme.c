/* fuzz_theme: theme_parse (the console's theme files, INI) on the bytes, then the colour
 * pairs it computes for every depth. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "hotline/text.h"
#include "hotline/util.h"
#include "theme.h"

/* True when two themes have the same slots. */
static bool
same_slots(const struct theme *a, const struct theme *b)
{
    for (int i = 0; i < SLOT_COUNT; i++) {
        if (a->color[i].fg != b->color[i].fg || a->color[i].bg != b->color[i].bg
            || a->color[i].attrs != b->color[i].attrs || a->mono[i] != b->mono[i])
            return false;
    }
    return true;
}

/* One input: a theme file. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const enum theme_depth depths[] = { THEME_MONO, THEME_8, THEME_256 };
    char *text = fuzz_cstr(data, size);
    struct theme t, def;
    struct err e;
    int rc;

    err_clear(&e);
    theme_init_default(&def);
    memset(&t, 0x5a, sizeof t);
    rc = theme_parse(&t, text, "fuzz.theme", &e);
    if (rc != HL_OK) {
        FUZZ_CHECK(rc == e.code && e.msg[0] != '\0', "theme refused without a message");
        FUZZ_CHECK(strncmp(e.msg, "fuzz.theme:", 11) == 0, "theme error \"%s\" not located",
                   e.msg);
        FUZZ_CHECK(same_slots(&t, &def), "a refused theme is not the default");
    } else {
        FUZZ_CHECK(strcmp(t.name, "fuzz") == 0, "theme name \"%s\"", t.name);
    }
    for (size_t d = 0; d < ARRAY_SIZE(depths); d++) {
        for (int dc = 0; dc <= 1; dc++) {
            theme_compute(&t, depths[d], dc != 0);
            for (int s = 0; s < SLOT_COUNT; s++) {
                short fg, bg;

                theme_pair(&t, (enum slot)s, &fg, &bg);
                FUZZ_CHECK(fg >= -1 && fg <= 255 && bg >= -1 && bg <= 255, "pair %d/%d", fg,
                           bg);
                FUZZ_CHECK(dc || (fg >= 0 && bg >= 0), "default colour without support");
                if (depths[d] == THEME_8)
                    FUZZ_CHECK(fg <= 7 && bg <= 7, "8-colour pair %d/%d", fg, bg);
                (void)theme_attr(&t, (enum slot)s);
                FUZZ_CHECK(theme_slot_name((enum slot)s) != NULL, "slot %d has no name", s);
            }
        }
    }
    free(text);
    return 0;
}
