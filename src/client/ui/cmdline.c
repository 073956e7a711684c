/* cmdline: the ':' command line with completion over the app's command table. */
#include <stdlib.h>
#include <string.h>

#include "hotline/text.h"
#include "ui/cmdline.h"
#include "ui/draw.h"

void
cmdline_init(struct cmdline *c)
{
    input_init(&c->in, 256, 50);
    c->candidates = NULL;
}

void
cmdline_fini(struct cmdline *c)
{
    input_fini(&c->in);
    free(c->candidates);
    c->candidates = NULL;
}

void
cmdline_open(struct cmdline *c)
{
    input_set(&c->in, "");
    free(c->candidates);
    c->candidates = NULL;
}

enum cmdline_result
cmdline_key(struct cmdline *c, const struct key_event *ev)
{
    bool empty = input_text(&c->in)[0] == '\0';

    if (!ev->keycode && ev->ch == '\t')
        return CMDLINE_COMPLETE;
    if (empty && ((ev->keycode && ev->ch == KEY_BACKSPACE) || (!ev->keycode && (ev->ch == 127 || ev->ch == 8))))
        return CMDLINE_CANCEL;
    switch (input_key(&c->in, ev)) {
    case INPUT_SUBMIT:
        input_history_add(&c->in, input_text(&c->in));
        return CMDLINE_SUBMIT;
    case INPUT_CANCEL:
        return CMDLINE_CANCEL;
    case INPUT_CHANGED:
        free(c->candidates);
        c->candidates = NULL;
        return CMDLINE_NONE;
    default:
        return CMDLINE_NONE;
    }
}

const char *
cmdline_split(const char *line, char *cmd, size_t sz)
{
    size_t n = 0;

    while (*line == ' ')
        line++;
    while (line[n] != '\0' && line[n] != ' ')
        n++;
    if (sz > 0) {
        size_t k = n < sz - 1 ? n : sz - 1;

        memcpy(cmd, line, k);
        cmd[k] = '\0';
    }
    line += n;
    while (*line == ' ')
        line++;
    return line;
}

char *
cmdline_complete(const char *line, cmdline_words_fn fn, void *arg, struct strbuf *cands)
{
    const char *words[CMDLINE_MAX_WORDS];
    const char *match[CMDLINE_MAX_WORDS];
    char cmd[64] = "";
    size_t len = strlen(line);
    size_t start = len;
    size_t argi = 0;
    size_t nw;
    size_t nm = 0;
    size_t common;
    struct strbuf out;

    /* The word being completed starts after the last space. */
    while (start > 0 && line[start - 1] != ' ')
        start--;
    for (size_t i = 0; i < start; i++) {
        if (line[i] != ' ' && (i == 0 || line[i - 1] == ' '))
            argi++;
    }
    if (argi > 0)
        cmdline_split(line, cmd, sizeof cmd);
    nw = fn(arg, argi, cmd, words, ARRAY_SIZE(words));
    for (size_t i = 0; i < nw; i++) {
        if (strncmp(words[i], line + start, len - start) == 0)
            match[nm++] = words[i];
    }
    if (nm == 0)
        return NULL;
    common = strlen(match[0]);
    for (size_t i = 1; i < nm; i++) {
        size_t k = 0;

        while (k < common && match[i][k] == match[0][k])
            k++;
        common = k;
    }
    /* Never cut a UTF-8 sequence in two. */
    while (common > 0 && ((unsigned char)match[0][common] & 0xC0) == 0x80)
        common--;
    strbuf_init(&out);
    strbuf_add(&out, line, start);
    if (nm == 1) {
        strbuf_adds(&out, match[0]);
        strbuf_addc(&out, ' ');
    } else {
        strbuf_add(&out, match[0], common);
        if (cands != NULL) {
            for (size_t i = 0; i < nm; i++) {
                if (i > 0)
                    strbuf_adds(cands, "  ");
                strbuf_adds(cands, match[i]);
            }
        }
    }
    return strbuf_detach(&out);
}

void
cmdline_do_complete(struct cmdline *c, cmdline_words_fn fn, void *arg)
{
    struct strbuf cands;
    char *line;

    strbuf_init(&cands);
    line = cmdline_complete(input_text(&c->in), fn, arg, &cands);
    free(c->candidates);
    c->candidates = cands.len > 0 ? strbuf_detach(&cands) : NULL;
    strbuf_fini(&cands);
    if (line != NULL) {
        edit_set(&c->in.ed, line);
        c->in.ed.modified = true;
        free(line);
    }
}

void
cmdline_draw(struct cmdline *c, WINDOW *w, int y, int x, int width, const struct theme *th,
             int *cursor_x)
{
    attr_t a = theme_attr(th, SLOT_INPUT_FOCUS);
    int field = width - 1;

    draw_fill(w, y, x, width, theme_attr(th, SLOT_FOOTER));
    draw_text(w, y, x, 1, ":", theme_attr(th, SLOT_KEY));
    if (c->candidates != NULL) {
        int cw = text_width(c->candidates);

        if (cw > width / 2)
            cw = width / 2;
        field = width - 1 - cw - 2;
        draw_text_right(w, y, x + width - cw, cw, c->candidates, theme_attr(th, SLOT_MUTED));
    }
    input_draw(&c->in, w, y, x + 1, field, a, cursor_x);
}
