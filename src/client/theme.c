/* theme: semantic colour slots -> curses attributes; compiled-in default, mono column, theme files. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hotline/util.h"
#include "i18n.h"
#include "inifile.h"
#include "theme.h"

#define D THEME_COLOR_DEFAULT

static const char *const slot_names[SLOT_COUNT] = {
    [SLOT_NORMAL] = "normal",
    [SLOT_TAB] = "tab",
    [SLOT_TAB_ACTIVE] = "tab_active",
    [SLOT_HEADER] = "header",
    [SLOT_STATUS] = "status",
    [SLOT_FOOTER] = "footer",
    [SLOT_KEY] = "key",
    [SLOT_SELECTED] = "selected",
    [SLOT_MUTED] = "muted",
    [SLOT_OK] = "ok",
    [SLOT_WARN] = "warn",
    [SLOT_OVERDUE] = "overdue",
    [SLOT_NEAR_DUE] = "near_due",
    [SLOT_EMERGENCY] = "emergency",
    [SLOT_ERROR] = "error",
    [SLOT_INPUT] = "input",
    [SLOT_INPUT_FOCUS] = "input_focus",
    [SLOT_LABEL] = "label",
    [SLOT_BORDER] = "border",
    [SLOT_TITLE] = "title",
    [SLOT_HIGHLIGHT] = "highlight",
    [SLOT_DIALOG] = "dialog",
};

/* The compiled-in default: basic colours only, so it looks the same on 8 and 256 colours. */
static const struct theme_style default_color[SLOT_COUNT] = {
    [SLOT_NORMAL] = {D, D, A_NORMAL},
    [SLOT_TAB] = {COLOR_WHITE, COLOR_BLUE, A_NORMAL},
    [SLOT_TAB_ACTIVE] = {COLOR_BLACK, COLOR_CYAN, A_BOLD},
    [SLOT_HEADER] = {COLOR_CYAN, D, A_BOLD},
    [SLOT_STATUS] = {COLOR_WHITE, COLOR_BLUE, A_NORMAL},
    [SLOT_FOOTER] = {D, D, A_NORMAL},
    [SLOT_KEY] = {COLOR_BLACK, COLOR_CYAN, A_NORMAL},
    [SLOT_SELECTED] = {COLOR_BLACK, COLOR_CYAN, A_NORMAL},
    [SLOT_MUTED] = {D, D, A_DIM},
    [SLOT_OK] = {COLOR_GREEN, D, A_BOLD},
    [SLOT_WARN] = {COLOR_YELLOW, D, A_BOLD},
    [SLOT_OVERDUE] = {COLOR_RED, D, A_BOLD},
    [SLOT_NEAR_DUE] = {COLOR_YELLOW, D, A_NORMAL},
    [SLOT_EMERGENCY] = {COLOR_WHITE, COLOR_RED, A_BOLD},
    [SLOT_ERROR] = {COLOR_RED, D, A_BOLD},
    [SLOT_INPUT] = {D, D, A_UNDERLINE},
    [SLOT_INPUT_FOCUS] = {COLOR_BLACK, COLOR_WHITE, A_NORMAL},
    [SLOT_LABEL] = {D, D, A_BOLD},
    [SLOT_BORDER] = {COLOR_BLUE, D, A_NORMAL},
    [SLOT_TITLE] = {D, D, A_BOLD},
    [SLOT_HIGHLIGHT] = {COLOR_BLACK, COLOR_YELLOW, A_NORMAL},
    [SLOT_DIALOG] = {COLOR_BLACK, COLOR_WHITE, A_NORMAL},
};

/* The monochrome column: what each slot looks like with attributes only. */
static const attr_t default_mono[SLOT_COUNT] = {
    [SLOT_NORMAL] = A_NORMAL,
    [SLOT_TAB] = A_REVERSE,
    [SLOT_TAB_ACTIVE] = A_BOLD,
    [SLOT_HEADER] = A_BOLD,
    [SLOT_STATUS] = A_REVERSE,
    [SLOT_FOOTER] = A_NORMAL,
    [SLOT_KEY] = A_REVERSE,
    [SLOT_SELECTED] = A_REVERSE,
    [SLOT_MUTED] = A_DIM,
    [SLOT_OK] = A_NORMAL,
    [SLOT_WARN] = A_BOLD,
    [SLOT_OVERDUE] = A_BOLD | A_UNDERLINE,
    [SLOT_NEAR_DUE] = A_UNDERLINE,
    [SLOT_EMERGENCY] = A_BOLD | A_REVERSE,
    [SLOT_ERROR] = A_BOLD,
    [SLOT_INPUT] = A_UNDERLINE,
    [SLOT_INPUT_FOCUS] = A_REVERSE,
    [SLOT_LABEL] = A_BOLD,
    [SLOT_BORDER] = A_NORMAL,
    [SLOT_TITLE] = A_BOLD,
    [SLOT_HIGHLIGHT] = A_BOLD | A_UNDERLINE,
    [SLOT_DIALOG] = A_NORMAL,
};

/* Colour names: the 8 basic colours and their bright variants (8-15). */
static const char *const color_names[16] = {
    "black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
    "bright-black", "bright-red", "bright-green", "bright-yellow",
    "bright-blue", "bright-magenta", "bright-cyan", "bright-white",
};

/* Attribute names in theme files. */
static const struct {
    const char *name;
    attr_t attr;
} attr_names[] = {
    {"normal", A_NORMAL}, {"bold", A_BOLD}, {"dim", A_DIM}, {"underline", A_UNDERLINE},
    {"reverse", A_REVERSE}, {"italic", A_ITALIC}, {"blink", A_BLINK}, {"standout", A_STANDOUT},
};

/* The xterm RGB of the 8 basic colours, for mapping the 256 palette down. */
static const unsigned char basic_rgb[8][3] = {
    {0, 0, 0}, {205, 0, 0}, {0, 205, 0}, {205, 205, 0},
    {0, 0, 238}, {205, 0, 205}, {0, 205, 205}, {229, 229, 229},
};

void
theme_init_default(struct theme *t)
{
    memset(t, 0, sizeof *t);
    str_copy(t->name, sizeof t->name, "default");
    memcpy(t->color, default_color, sizeof t->color);
    memcpy(t->mono, default_mono, sizeof t->mono);
    theme_compute(t, THEME_MONO, true);
}

const char *
theme_slot_name(enum slot s)
{
    if ((int)s < 0 || s >= SLOT_COUNT)
        return NULL;
    return slot_names[s];
}

bool
theme_parse_color(const char *s, short *out)
{
    long n;

    if (strcmp(s, "default") == 0) {
        *out = THEME_COLOR_DEFAULT;
        return true;
    }
    if (strcmp(s, "grey") == 0 || strcmp(s, "gray") == 0) {
        *out = 8;
        return true;
    }
    for (size_t i = 0; i < ARRAY_SIZE(color_names); i++) {
        if (strcmp(s, color_names[i]) == 0) {
            *out = (short)i;
            return true;
        }
    }
    if (s[0] >= '0' && s[0] <= '9' && str_to_long(s, 0, 255, &n)) {
        *out = (short)n;
        return true;
    }
    return false;
}

/* RGB of a 256-palette colour 16-255 (the xterm cube and grey ramp). */
static void
palette_rgb(int c, int rgb[3])
{
    static const int level[6] = {0, 95, 135, 175, 215, 255};

    if (c >= 232) {
        rgb[0] = rgb[1] = rgb[2] = 8 + 10 * (c - 232);
        return;
    }
    c -= 16;
    rgb[0] = level[c / 36];
    rgb[1] = level[(c / 6) % 6];
    rgb[2] = level[c % 6];
}

short
theme_color_to_8(short c)
{
    int rgb[3];
    long best = -1;
    short pick = 0;

    if (c < 0 || c < 8)
        return c;
    if (c < 16)
        return (short)(c - 8);
    palette_rgb(c, rgb);
    /* Greys would come out tinted by distance (mid grey is nearest to cyan): black or white. */
    if (rgb[0] == rgb[1] && rgb[1] == rgb[2])
        return rgb[0] < 80 ? COLOR_BLACK : COLOR_WHITE;
    for (short i = 0; i < 8; i++) {
        long d = 0;

        for (int k = 0; k < 3; k++)
            d += (long)(rgb[k] - basic_rgb[i][k]) * (rgb[k] - basic_rgb[i][k]);
        if (best < 0 || d < best) {
            best = d;
            pick = i;
        }
    }
    return pick;
}

/* Split s into at most max whitespace-separated words (copied into buf); returns the count,
 * or max + 1 when there are more. */
static size_t
split_words(const char *s, char *buf, size_t bufsz, char **words, size_t max)
{
    size_t n = 0;
    size_t used = 0;

    while (*s != '\0') {
        size_t len = 0;

        while (*s == ' ' || *s == '\t')
            s++;
        if (*s == '\0')
            break;
        while (s[len] != '\0' && s[len] != ' ' && s[len] != '\t')
            len++;
        if (n == max || used + len + 1 > bufsz)
            return max + 1;
        memcpy(buf + used, s, len);
        buf[used + len] = '\0';
        words[n++] = buf + used;
        used += len + 1;
        s += len;
    }
    return n;
}

/* Parse attribute words into *out; false with e filled on an unknown word. */
static bool
parse_attrs(char **words, size_t n, attr_t *out, struct err *e)
{
    attr_t a = A_NORMAL;

    for (size_t i = 0; i < n; i++) {
        size_t k;

        for (k = 0; k < ARRAY_SIZE(attr_names); k++) {
            if (strcmp(words[i], attr_names[k].name) == 0)
                break;
        }
        if (k == ARRAY_SIZE(attr_names)) {
            err_set(e, HL_EINVAL, "", _("unknown attribute '%s' (use bold, dim, underline, "
                                        "reverse, italic, blink, standout or normal)"),
                    words[i]);
            return false;
        }
        a |= attr_names[k].attr;
    }
    *out = a;
    return true;
}

/* The slot a theme file names; SLOT_COUNT when none. */
static enum slot
slot_by_name(const char *name)
{
    for (int i = 0; i < SLOT_COUNT; i++) {
        if (strcmp(name, slot_names[i]) == 0)
            return (enum slot)i;
    }
    return SLOT_COUNT;
}

/* inifile handler for theme files. */
static bool
on_setting(void *user, const char *section, const char *name, const char *value, struct err *e)
{
    struct theme *t = user;
    char buf[256];
    char *words[12];
    size_t n;
    enum slot s;
    short fg, bg;
    attr_t a;

    if (strcmp(section, "theme") == 0) {
        if (strcmp(name, "name") == 0 || strcmp(name, "description") == 0)
            return true;
        err_set(e, HL_EINVAL, "", _("unknown key '%s' in [theme] (use name or description)"), name);
        return false;
    }
    if (strcmp(section, "colors") != 0 && strcmp(section, "mono") != 0) {
        err_set(e, HL_EINVAL, "", _("unknown section [%s] (use [theme], [colors] or [mono])"),
                section);
        return false;
    }
    s = slot_by_name(name);
    if (s == SLOT_COUNT) {
        err_set(e, HL_EINVAL, "", _("unknown slot '%s'"), name);
        return false;
    }
    n = split_words(value, buf, sizeof buf, words, ARRAY_SIZE(words));
    if (n > ARRAY_SIZE(words)) {
        err_set(e, HL_EINVAL, "", _("too many words for slot '%s'"), name);
        return false;
    }
    if (strcmp(section, "mono") == 0) {
        if (n == 0) {
            err_set(e, HL_EINVAL, "", _("slot '%s' needs attributes (or \"normal\")"), name);
            return false;
        }
        if (!parse_attrs(words, n, &a, e))
            return false;
        t->mono[s] = a;
        return true;
    }
    if (n < 2) {
        err_set(e, HL_EINVAL, "", _("slot '%s' needs FOREGROUND BACKGROUND [ATTRIBUTES]"), name);
        return false;
    }
    if (!theme_parse_color(words[0], &fg)) {
        err_set(e, HL_EINVAL, "", _("unknown colour '%s' (use a name like red or a number 0-255)"),
                words[0]);
        return false;
    }
    if (!theme_parse_color(words[1], &bg)) {
        err_set(e, HL_EINVAL, "", _("unknown colour '%s' (use a name like red or a number 0-255)"),
                words[1]);
        return false;
    }
    if (!parse_attrs(words + 2, n - 2, &a, e))
        return false;
    t->color[s].fg = fg;
    t->color[s].bg = bg;
    t->color[s].attrs = a;
    return true;
}

/* Name a theme after its file: "/x/dark.theme" -> "dark". */
static void
name_from_path(struct theme *t, const char *path)
{
    const char *base = strrchr(path, '/');
    char *dot;

    str_copy(t->name, sizeof t->name, base != NULL ? base + 1 : path);
    dot = strrchr(t->name, '.');
    if (dot != NULL && strcmp(dot, ".theme") == 0)
        *dot = '\0';
}

int
theme_parse(struct theme *t, const char *text, const char *where, struct err *e)
{
    struct theme tmp;
    int rc;

    theme_init_default(&tmp);
    rc = inifile_parse(text, where, on_setting, &tmp, e);
    if (rc != HL_OK) {
        theme_init_default(t);
        return rc;
    }
    name_from_path(&tmp, where);
    *t = tmp;
    return HL_OK;
}

int
theme_load_file(struct theme *t, const char *path, struct err *e)
{
    struct theme tmp;
    int rc;

    theme_init_default(&tmp);
    rc = inifile_load(path, on_setting, &tmp, e);
    if (rc != HL_OK) {
        theme_init_default(t);
        return rc;
    }
    name_from_path(&tmp, path);
    *t = tmp;
    return HL_OK;
}

/* A colour for the depth: map down to 8, and replace "default" when the terminal lacks it. */
static short
fit_color(short c, enum theme_depth depth, bool default_colors, short fallback)
{
    if (c == THEME_COLOR_DEFAULT)
        return default_colors ? c : fallback;
    if (depth == THEME_8)
        return theme_color_to_8(c);
    return c;
}

void
theme_compute(struct theme *t, enum theme_depth depth, bool default_colors)
{
    t->depth = depth;
    t->default_colors = default_colors;
    for (int i = 0; i < SLOT_COUNT; i++) {
        attr_t a;

        if (depth == THEME_MONO) {
            t->attr[i] = t->mono[i];
            continue;
        }
        a = t->color[i].attrs;
        /* On 8 colours a bright foreground is the basic colour in bold, as terminals did. */
        if (depth == THEME_8 && t->color[i].fg >= 8 && t->color[i].fg < 16)
            a |= A_BOLD;
        t->attr[i] = COLOR_PAIR(i + 1) | a;
    }
}

void
theme_pair(const struct theme *t, enum slot s, short *fg, short *bg)
{
    *fg = fit_color(t->color[s].fg, t->depth, t->default_colors, COLOR_WHITE);
    *bg = fit_color(t->color[s].bg, t->depth, t->default_colors, COLOR_BLACK);
}

void
theme_apply(struct theme *t, enum theme_depth depth, bool default_colors)
{
    theme_compute(t, depth, default_colors);
    if (depth == THEME_MONO)
        return;
    for (int i = 0; i < SLOT_COUNT; i++) {
        short fg, bg;

        theme_pair(t, (enum slot)i, &fg, &bg);
        init_pair((short)(i + 1), fg, bg);
    }
}

attr_t
theme_attr(const struct theme *t, enum slot s)
{
    if ((int)s < 0 || s >= SLOT_COUNT)
        return A_NORMAL;
    return t->attr[s];
}

bool
theme_valid_name(const char *name)
{
    size_t n = 0;

    if (name == NULL)
        return false;
    for (; name[n] != '\0'; n++) {
        char c = name[n];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
              || c == '-' || c == '_'))
            return false;
    }
    return n > 0 && n < 64;
}

char *
theme_find(const char *name, const char *const *dirs, size_t ndirs)
{
    struct stat st;

    if (strchr(name, '/') != NULL)
        return stat(name, &st) == 0 ? xstrdup(name) : NULL;
    if (!theme_valid_name(name))
        return NULL;
    for (size_t i = 0; i < ndirs; i++) {
        char *p;

        if (dirs[i] == NULL)
            continue;
        p = xasprintf("%s/%s.theme", dirs[i], name);
        if (stat(p, &st) == 0 && S_ISREG(st.st_mode))
            return p;
        free(p);
    }
    return NULL;
}

/* qsort comparison of two strings. */
static int
cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Append a name to a growing list. */
static void
push_name(char ***names, size_t *len, size_t *cap, char *name)
{
    if (*len == *cap) {
        *cap = *cap ? *cap * 2 : 16;
        *names = xrealloc(*names, *cap * sizeof **names);
    }
    (*names)[(*len)++] = name;
}

char **
theme_names(const char *const *dirs, size_t ndirs, size_t *n)
{
    char **names = NULL;
    size_t len = 0;
    size_t cap = 0;
    size_t out = 0;

    push_name(&names, &len, &cap, xstrdup("default"));
    for (size_t i = 0; i < ndirs; i++) {
        DIR *d = dirs[i] != NULL ? opendir(dirs[i]) : NULL;
        struct dirent *de;

        if (d == NULL)
            continue;
        for (;;) {
            size_t nl;
            char *name;

            de = readdir(d);
            if (de == NULL)
                break;
            nl = strlen(de->d_name);
            if (nl <= 6 || strcmp(de->d_name + nl - 6, ".theme") != 0)
                continue;
            name = xstrndup(de->d_name, nl - 6);
            if (!theme_valid_name(name)) {
                free(name);
                continue;
            }
            push_name(&names, &len, &cap, name);
        }
        closedir(d);
    }
    qsort(names, len, sizeof *names, cmp_names);
    for (size_t i = 0; i < len; i++) {
        if (out > 0 && strcmp(names[out - 1], names[i]) == 0) {
            free(names[i]);
            continue;
        }
        names[out++] = names[i];
    }
    *n = out;
    return names;
}

void
theme_names_free(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}
