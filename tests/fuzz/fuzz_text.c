/* fuzz_text: sanitising, widths, fitting, truncation, masks and phone numbers on any bytes. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "hotline/phone.h"
#include "hotline/text.h"
#include "hotline/util.h"

/* Widths text_fit and text_truncate are tried at. */
static const int widths[] = { -1, 0, 1, 2, 3, 5, 8, 13, 40, 80 };

/* True for the invisible code points sanitising must have replaced. */
static bool
must_be_gone(uint32_t cp)
{
    return cp == 0x061C || cp == 0x180E || (cp >= 0x200B && cp <= 0x200F)
        || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x2064)
        || (cp >= 0x2066 && cp <= 0x206F) || cp == 0xFEFF || (cp >= 0xFFF9 && cp <= 0xFFFB)
        || cp == 0x2028 || cp == 0x2029 || (cp >= 0xFDD0 && cp <= 0xFDEF)
        || (cp & 0xFFFE) == 0xFFFE || cp == 0xE0001 || (cp >= 0xE0020 && cp <= 0xE007F);
}

/* Check a sanitised string: valid UTF-8, no controls, no invisible characters; returns its
 * width as the sum of the code point widths. */
static int
check_sanitized(const char *in, const char *s, int flags)
{
    size_t len = strlen(s);
    size_t i = 0;
    int total = 0;

    FUZZ_CHECK(fuzz_clean_text(s, (flags & TEXT_KEEP_NEWLINES) ? "\n" : NULL),
               "sanitize(flags %d) left invalid UTF-8 or a control character", flags);
    FUZZ_CHECK((flags & TEXT_KEEP_NEWLINES) || strchr(s, '\n') == NULL,
               "sanitize without TEXT_KEEP_NEWLINES kept a newline");
    (void)in;
    while (i < len) {
        uint32_t cp;
        int w;

        i += text_utf8_decode(s + i, len - i, &cp);
        FUZZ_CHECK(!must_be_gone(cp), "sanitize left U+%04X", (unsigned)cp);
        w = text_cp_width(cp);
        FUZZ_CHECK(w >= 0 || cp == '\n', "sanitize left U+%04X of width %d", (unsigned)cp, w);
        if (w > 0)
            total += w;
    }
    return total;
}

/* text_fit and text_truncate at every width over s (sanitised, width w). */
static void
check_fitting(const char *raw, const char *s, int w)
{
    size_t len = strlen(s);
    size_t k;

    for (k = 0; k < ARRAY_SIZE(widths); k++) {
        int cols = widths[k];
        int used = -7;
        size_t n = text_fit(s, cols, &used);
        char *prefix, *cut;
        int cutw;

        FUZZ_CHECK(n <= len, "fit(%d) took %zu of %zu bytes", cols, n, len);
        FUZZ_CHECK(used >= 0 && (cols < 0 ? used == 0 : used <= cols),
                   "fit(%d) used %d columns", cols, used);
        FUZZ_CHECK(text_utf8_valid(s, n), "fit(%d) split a character", cols);
        prefix = xstrndup(s, n);
        FUZZ_CHECK(text_width(prefix) == used, "fit(%d): used %d but the prefix is %d wide",
                   cols, used, text_width(prefix));
        free(prefix);
        if (cols >= 0 && w <= cols)
            FUZZ_CHECK(n == len, "fit(%d) cut a string %d wide", cols, w);

        cut = text_truncate(raw, cols);
        cutw = text_width(cut);
        FUZZ_CHECK(fuzz_clean_text(cut, NULL), "truncate(%d) is not clean text", cols);
        FUZZ_CHECK(cutw <= (cols < 0 ? 0 : cols), "truncate(%d) is %d wide", cols, cutw);
        if (cols > 0 && w <= cols)
            FUZZ_CHECK(strcmp(cut, s) == 0, "truncate(%d) changed a string that fits", cols);
        if (cols > 0 && w > cols)
            FUZZ_CHECK(strlen(cut) >= 3 && strcmp(cut + strlen(cut) - 3, "\xE2\x80\xA6") == 0,
                       "truncate(%d) of a %d wide string has no ellipsis", cols, w);
        free(cut);
    }
}

/* phone_normalize with and without a default area; a valid result is canonical. */
static void
check_phone(const char *s)
{
    static const char *const areas[] = { NULL, "", "010", "0755" };
    size_t k;

    for (k = 0; k < ARRAY_SIZE(areas); k++) {
        struct phone p, q;
        enum phone_kind kind;
        char buf[40];
        size_t i;

        memset(&p, 0x5a, sizeof p);
        kind = phone_normalize(s, areas[k], &p);
        FUZZ_CHECK(kind >= PHONE_INVALID && kind <= PHONE_SERVICE, "phone kind %d", (int)kind);
        FUZZ_CHECK(p.kind == kind, "phone kind %d but out->kind %d", (int)kind, (int)p.kind);
        FUZZ_CHECK(memchr(p.number, '\0', sizeof p.number) != NULL, "number not terminated");
        FUZZ_CHECK(memchr(p.ext, '\0', sizeof p.ext) != NULL, "ext not terminated");
        if (kind == PHONE_INVALID) {
            FUZZ_CHECK(p.number[0] == '\0' && p.ext[0] == '\0', "invalid phone not empty");
            continue;
        }
        FUZZ_CHECK(p.number[0] != '\0', "valid phone without a number");
        for (i = 0; p.number[i] != '\0'; i++)
            FUZZ_CHECK(p.number[i] >= '0' && p.number[i] <= '9', "number \"%s\"", p.number);
        for (i = 0; p.ext[i] != '\0'; i++)
            FUZZ_CHECK(p.ext[i] >= '0' && p.ext[i] <= '9', "extension \"%s\"", p.ext);
        phone_format(&p, buf, sizeof buf);
        FUZZ_CHECK(strncmp(buf, p.number, strlen(p.number)) == 0, "format \"%s\"", buf);
        /* The canonical number is a fixed point. */
        FUZZ_CHECK(phone_normalize(p.number, NULL, &q) == kind && strcmp(q.number, p.number) == 0,
                   "\"%s\" -> \"%s\" (kind %d) normalises again to \"%s\" (kind %d)", s,
                   p.number, (int)kind, q.number, (int)q.kind);
    }
}

/* Masks: clean text, and a name mask never shows more than its first character. */
static void
check_masks(const char *s)
{
    char *m = text_mask_phone(s);
    char *n = text_mask_name(s);

    FUZZ_CHECK(fuzz_clean_text(m, NULL), "mask_phone is not clean text");
    FUZZ_CHECK(fuzz_clean_text(n, NULL), "mask_name is not clean text");
    FUZZ_CHECK(!str_empty(s) || (m[0] == '\0' && n[0] == '\0'), "mask of empty is not empty");
    free(n);
    free(m);
}

/* One input: the bytes as a C string (cut at the first NUL). */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *raw = fuzz_cstr(data, size);
    char *plain = text_sanitize(raw, 0);
    char *lines = text_sanitize(raw, TEXT_KEEP_NEWLINES);
    char *again;
    int w, cp_w;
    size_t i, len;

    (void)text_utf8_valid((const char *)data, size);   /* the raw bytes, NULs included */
    w = check_sanitized(raw, plain, 0);
    FUZZ_CHECK(text_width(plain) == w, "text_width %d, sum of widths %d", text_width(plain), w);
    check_sanitized(raw, lines, TEXT_KEEP_NEWLINES);
    FUZZ_CHECK(text_width(lines) >= 0, "negative width");

    /* Sanitising is idempotent. */
    again = text_sanitize(plain, 0);
    FUZZ_CHECK(strcmp(again, plain) == 0, "sanitize is not idempotent:\n%s\n%s", plain, again);
    free(again);
    again = text_sanitize(lines, TEXT_KEEP_NEWLINES);
    FUZZ_CHECK(strcmp(again, lines) == 0, "sanitize(KEEP_NEWLINES) is not idempotent");
    free(again);

    check_fitting(raw, plain, w);

    /* Code point decoding never overruns and counts agree. */
    len = strlen(raw);
    i = 0;
    cp_w = 0;
    while (i < len) {
        uint32_t cp;
        size_t n = text_utf8_decode(raw + i, len - i, &cp);
        char enc[4];

        FUZZ_CHECK(n >= 1 && n <= 4 && n <= len - i, "decode consumed %zu", n);
        FUZZ_CHECK(text_utf8_encode(cp, enc) >= 1, "decoded U+%X does not encode", (unsigned)cp);
        cp_w++;
        i += n;
    }
    FUZZ_CHECK((size_t)cp_w == text_chars(raw), "text_chars %zu, decoded %d", text_chars(raw),
               cp_w);

    check_masks(raw);
    check_phone(raw);

    free(lines);
    free(plain);
    free(raw);
    return 0;
}
