/* Tests for text: UTF-8, widths, sanitising, fitting, truncation, masking and snippets. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "hotline/text.h"
#include "hotline/util.h"

/* Assert that a freshly allocated result equals want, then free it. */
static void
expect_str(char *got, const char *want)
{
    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
}

/* Sanitize s with flags and compare. */
static void
expect_sanitized(const char *s, int flags, const char *want)
{
    expect_str(text_sanitize(s, flags), want);
}

/* True when s has no C0 control byte (except '\n' when allowed) and no DEL. */
static bool
terminal_safe(const char *s, bool newline_ok)
{
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        if (*p == '\n' && newline_ok)
            continue;
        if (*p < 0x20 || *p == 0x7F)
            return false;
    }
    return true;
}

/* Well-formed and ill-formed sequences are told apart exactly. */
static void
test_utf8_valid(void **state)
{
    (void)state;
    assert_true(text_utf8_valid("", 0));
    assert_true(text_utf8_valid("abc", 3));
    assert_true(text_utf8_valid("你好", 6));
    assert_true(text_utf8_valid("\xF0\x9F\x98\x80", 4));              /* U+1F600 */
    assert_true(text_utf8_valid("\xF4\x8F\xBF\xBF", 4));              /* U+10FFFF */
    assert_true(text_utf8_valid("\xEF\xBF\xBD", 3));                  /* U+FFFD itself */
    assert_true(text_utf8_valid("\xED\x9F\xBF", 3));                  /* U+D7FF */
    assert_true(text_utf8_valid("\xEE\x80\x80", 3));                  /* U+E000 */
    assert_true(text_utf8_valid("a\0b", 3));                          /* NUL is valid UTF-8 */
    assert_false(text_utf8_valid("\xFF", 1));                         /* never a lead byte */
    assert_false(text_utf8_valid("\xFE", 1));
    assert_false(text_utf8_valid("\x80", 1));                         /* lone continuation */
    assert_false(text_utf8_valid("\xC0\xAF", 2));                     /* overlong '/' */
    assert_false(text_utf8_valid("\xC1\xBF", 2));                     /* overlong */
    assert_false(text_utf8_valid("\xE0\x80\xAF", 3));                 /* overlong 3-byte */
    assert_false(text_utf8_valid("\xE0\x9F\xBF", 3));                 /* overlong U+07FF */
    assert_false(text_utf8_valid("\xF0\x8F\xBF\xBF", 4));             /* overlong U+FFFF */
    assert_false(text_utf8_valid("\xED\xA0\x80", 3));                 /* surrogate U+D800 */
    assert_false(text_utf8_valid("\xED\xBF\xBF", 3));                 /* surrogate U+DFFF */
    assert_false(text_utf8_valid("\xF4\x90\x80\x80", 4));             /* U+110000 */
    assert_false(text_utf8_valid("\xF5\x80\x80\x80", 4));
    assert_false(text_utf8_valid("\xE4\xBD", 2));                     /* truncated 你 */
    assert_false(text_utf8_valid("\xE4\xBD\xA0\xE5", 4));             /* 你 + cut */
    assert_false(text_utf8_valid("\xE4\x41\xA0", 3));                 /* bad continuation */
    /* Only len bytes are looked at. */
    assert_true(text_utf8_valid("ab\xFF", 2));
}

/* Decoding yields code points; bad bytes give U+FFFD one byte at a time. */
static void
test_utf8_decode(void **state)
{
    uint32_t cp = 0;

    (void)state;
    assert_int_equal(text_utf8_decode("A", 1, &cp), 1);
    assert_int_equal(cp, 0x41);
    assert_int_equal(text_utf8_decode("\xC3\xA9", 2, &cp), 2);
    assert_int_equal(cp, 0xE9);
    assert_int_equal(text_utf8_decode("你", 3, &cp), 3);
    assert_int_equal(cp, 0x4F60);
    assert_int_equal(text_utf8_decode("\xF0\x9F\x98\x80", 4, &cp), 4);
    assert_int_equal(cp, 0x1F600);
    assert_int_equal(text_utf8_decode("\xFF", 1, &cp), 1);
    assert_int_equal(cp, 0xFFFD);
    assert_int_equal(text_utf8_decode("\xE4\xBD", 2, &cp), 1);
    assert_int_equal(cp, 0xFFFD);
    /* Well-formed bytes but len says the sequence is cut. */
    assert_int_equal(text_utf8_decode("你", 2, &cp), 1);
    assert_int_equal(cp, 0xFFFD);
    assert_int_equal(text_utf8_decode("\xC0\xAF", 2, &cp), 1);
    assert_int_equal(cp, 0xFFFD);
    assert_int_equal(text_utf8_decode("\xED\xA0\x80", 3, &cp), 1);
    assert_int_equal(cp, 0xFFFD);
    assert_int_equal(text_utf8_decode("\xF4\x90\x80\x80", 4, &cp), 1);
    assert_int_equal(cp, 0xFFFD);
}

/* Encoding round-trips and refuses surrogates and values past U+10FFFF. */
static void
test_utf8_encode(void **state)
{
    static const uint32_t cps[] = { 0x0, 0x41, 0x7F, 0x80, 0x7FF, 0x800, 0x4F60, 0xD7FF,
                                    0xE000, 0xFFFD, 0xFFFF, 0x10000, 0x1F600, 0x10FFFF };
    char buf[4];

    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(cps); i++) {
        uint32_t back = 0;
        size_t n = text_utf8_encode(cps[i], buf);

        assert_true(n >= 1 && n <= 4);
        assert_true(text_utf8_valid(buf, n));
        assert_int_equal(text_utf8_decode(buf, n, &back), n);
        assert_int_equal(back, cps[i]);
    }
    assert_int_equal(text_utf8_encode(0x4F60, buf), 3);
    assert_memory_equal(buf, "\xE4\xBD\xA0", 3);
    assert_int_equal(text_utf8_encode(0xD800, buf), 0);
    assert_int_equal(text_utf8_encode(0xDFFF, buf), 0);
    assert_int_equal(text_utf8_encode(0x110000, buf), 0);
    assert_int_equal(text_utf8_encode(0xFFFFFFFF, buf), 0);
}

/* Code points are counted, invalid bytes one each. */
static void
test_chars(void **state)
{
    (void)state;
    assert_int_equal(text_chars(NULL), 0);
    assert_int_equal(text_chars(""), 0);
    assert_int_equal(text_chars("abc"), 3);
    assert_int_equal(text_chars("你好abc"), 5);
    assert_int_equal(text_chars("e\xCC\x81"), 2);                     /* e + U+0301 */
    assert_int_equal(text_chars("\xF0\x9F\x98\x80!"), 2);
    assert_int_equal(text_chars("a\xFF\xFE" "b"), 4);
    assert_int_equal(text_chars("\xE4\xBD"), 2);                      /* truncated: 2 bad bytes */
}

/* Per code point widths from the tables. */
static void
test_cp_width(void **state)
{
    (void)state;
    assert_int_equal(text_cp_width('a'), 1);
    assert_int_equal(text_cp_width(' '), 1);
    assert_int_equal(text_cp_width(0x00E9), 1);        /* é */
    assert_int_equal(text_cp_width(0x00AD), 1);        /* soft hyphen stays visible */
    assert_int_equal(text_cp_width(0x0000), -1);
    assert_int_equal(text_cp_width(0x001B), -1);       /* ESC */
    assert_int_equal(text_cp_width(0x007F), -1);       /* DEL */
    assert_int_equal(text_cp_width(0x0085), -1);       /* NEL, C1 */
    assert_int_equal(text_cp_width(0x009B), -1);       /* CSI, C1 */
    assert_int_equal(text_cp_width(0x00A0), 1);
    assert_int_equal(text_cp_width(0xD800), -1);
    assert_int_equal(text_cp_width(0x110000), -1);
    /* Zero width. */
    assert_int_equal(text_cp_width(0x0300), 0);
    assert_int_equal(text_cp_width(0x0301), 0);
    assert_int_equal(text_cp_width(0x036F), 0);
    assert_int_equal(text_cp_width(0x0370), 1);
    assert_int_equal(text_cp_width(0x200B), 0);
    assert_int_equal(text_cp_width(0x200D), 0);
    assert_int_equal(text_cp_width(0x200F), 0);
    assert_int_equal(text_cp_width(0x202E), 0);
    assert_int_equal(text_cp_width(0x20D0), 0);
    assert_int_equal(text_cp_width(0x20E3), 0);        /* combining keycap (Me) */
    assert_int_equal(text_cp_width(0xFE00), 0);
    assert_int_equal(text_cp_width(0xFE0F), 0);
    assert_int_equal(text_cp_width(0xFEFF), 0);
    assert_int_equal(text_cp_width(0x1160), 0);        /* Hangul jungseong filler */
    assert_int_equal(text_cp_width(0x302A), 0);        /* ideographic tone mark (Mn, in a wide block) */
    assert_int_equal(text_cp_width(0x3099), 0);        /* kana voiced sound mark */
    assert_int_equal(text_cp_width(0xE0100), 0);       /* variation selector 17 */
    /* Wide. */
    assert_int_equal(text_cp_width(0x1100), 2);        /* Hangul choseong */
    assert_int_equal(text_cp_width(0x3000), 2);        /* ideographic space */
    assert_int_equal(text_cp_width(0x3001), 2);        /* 、 */
    assert_int_equal(text_cp_width(0x300C), 2);        /* 「 */
    assert_int_equal(text_cp_width(0x303F), 1);        /* ideographic half fill space is narrow */
    assert_int_equal(text_cp_width(0x3042), 2);        /* あ */
    assert_int_equal(text_cp_width(0x30A2), 2);        /* ア */
    assert_int_equal(text_cp_width(0x4E00), 2);
    assert_int_equal(text_cp_width(0x4F60), 2);        /* 你 */
    assert_int_equal(text_cp_width(0x9FFF), 2);
    assert_int_equal(text_cp_width(0x4DC0), 2);        /* Yijing hexagram: wide, as in glibc */
    assert_int_equal(text_cp_width(0xAC00), 2);        /* 가 */
    assert_int_equal(text_cp_width(0xD7A3), 2);
    assert_int_equal(text_cp_width(0xFF01), 2);        /* ！ */
    assert_int_equal(text_cp_width(0xFF10), 2);        /* ０ */
    assert_int_equal(text_cp_width(0xFF61), 1);        /* halfwidth ideographic full stop */
    assert_int_equal(text_cp_width(0xFFE5), 2);        /* ￥ */
    assert_int_equal(text_cp_width(0x20000), 2);       /* CJK extension B */
    assert_int_equal(text_cp_width(0x2A6DF), 2);
    assert_int_equal(text_cp_width(0x1F300), 2);       /* 🌀 */
    assert_int_equal(text_cp_width(0x1F600), 2);       /* 😀 */
    assert_int_equal(text_cp_width(0x1F64F), 2);
    assert_int_equal(text_cp_width(0x1F680), 2);       /* 🚀 */
    assert_int_equal(text_cp_width(0x1F914), 2);       /* 🤔 */
    assert_int_equal(text_cp_width(0x1F9FF), 2);
    assert_int_equal(text_cp_width(0x1F3FB), 2);       /* skin tone modifier */
    assert_int_equal(text_cp_width(0x2705), 2);        /* ✅ */
    /* Narrow neighbours of wide ranges. */
    assert_int_equal(text_cp_width(0x2764), 1);        /* ❤ text presentation */
    assert_int_equal(text_cp_width(0x1F1E8), 1);       /* regional indicator */
    assert_int_equal(text_cp_width(0x2026), 1);        /* … */
    assert_int_equal(text_cp_width(0x00B7), 1);        /* · in 阿依古丽·买买提 */
    assert_int_equal(text_cp_width(0x2460), 1);        /* ① is ambiguous, narrow here */
    assert_int_equal(text_cp_width(0xE000), 1);        /* private use */
}

/* Widths of whole strings. */
static void
test_width(void **state)
{
    (void)state;
    assert_int_equal(text_width(NULL), 0);
    assert_int_equal(text_width(""), 0);
    assert_int_equal(text_width("abc"), 3);
    assert_int_equal(text_width("你好abc"), 7);
    assert_int_equal(text_width("工单HL20261122-000042"), 4 + 17);
    assert_int_equal(text_width("e\xCC\x81"), 1);                      /* e + U+0301 */
    assert_int_equal(text_width("Cafe\xCC\x81 ok"), 7);
    assert_int_equal(text_width("\xF0\x9F\x98\x80"), 2);               /* 😀 */
    assert_int_equal(text_width("谢谢\xF0\x9F\x91\x8D!"), 7);          /* 谢谢👍! */
    assert_int_equal(text_width("\xE2\x9D\xA4\xEF\xB8\x8F"), 1);       /* ❤ + VS16 */
    assert_int_equal(text_width("（０１０）"), 10);
    assert_int_equal(text_width("\xE2\x80\x8B"), 0);                   /* ZWSP alone */
    /* Invalid bytes count like the U+FFFD they are drawn as; controls count nothing. */
    assert_int_equal(text_width("a\xFF" "b"), 3);
    assert_int_equal(text_width("a\nb"), 2);
}

/* Control characters become control pictures; DEL its own picture; tab a space. */
static void
test_sanitize_controls(void **state)
{
    (void)state;
    expect_sanitized(NULL, 0, "");
    expect_sanitized("", 0, "");
    expect_sanitized("plain 文本", 0, "plain 文本");
    expect_sanitized("\x1b", 0, "\xE2\x90\x9B");                      /* ␛ */
    expect_sanitized("\x01", 0, "\xE2\x90\x81");                      /* ␁ */
    expect_sanitized("\x07", 0, "\xE2\x90\x87");                      /* ␇ */
    expect_sanitized("\x1f", 0, "\xE2\x90\x9F");                      /* ␟ */
    expect_sanitized("\x7f", 0, "\xE2\x90\xA1");                      /* ␡ */
    expect_sanitized("a\tb", 0, "a b");
    expect_sanitized("a\nb", 0, "a\xE2\x86\xB5" "b");                 /* a↵b */
    expect_sanitized("a\nb", TEXT_KEEP_NEWLINES, "a\nb");
    expect_sanitized("a\rb", 0, "a\xE2\x90\x8D" "b");                 /* a␍b */
    expect_sanitized("a\rb", TEXT_KEEP_NEWLINES, "a\xE2\x90\x8D" "b");
    expect_sanitized("a\r\nb", TEXT_KEEP_NEWLINES, "a\nb");           /* CRLF is one newline */
    expect_sanitized("a\r\nb", 0, "a\xE2\x86\xB5" "b");
    expect_sanitized("a\r\r\nb", TEXT_KEEP_NEWLINES, "a\xE2\x90\x8D\nb");
    expect_sanitized("a\xE2\x80\xA8" "b", TEXT_KEEP_NEWLINES, "a\nb"); /* U+2028 */
    /* C1 controls, even UTF-8 encoded, become placeholders. */
    expect_sanitized("\xC2\x9B" "31m", 0, "<U+009B>31m");
    expect_sanitized("\xC2\x85", 0, "<U+0085>");
    expect_sanitized("\xC2\x80", 0, "<U+0080>");
    expect_sanitized("\xC2\xA0", 0, "\xC2\xA0");                      /* NBSP is kept */
}

/* An escape-laden ticket title comes out inert, and its width is known. */
static void
test_sanitize_escapes(void **state)
{
    char *s;

    (void)state;
    s = text_sanitize("\033[2J\033]0;pwn\a标题", 0);
    assert_string_equal(s, "\xE2\x90\x9B[2J\xE2\x90\x9B]0;pwn\xE2\x90\x87标题");
    assert_null(strchr(s, 0x1b));
    assert_null(strchr(s, 0x07));
    assert_true(terminal_safe(s, false));
    /* ␛ [ 2 J ␛ ] 0 ; p w n ␇ = 12 columns, 标题 = 4 */
    assert_int_equal(text_width(s), 16);
    free(s);

    s = text_sanitize("\x1b[31mred\x1b[0m\r\n\x1bP+q\x1b\\", TEXT_KEEP_NEWLINES);
    assert_string_equal(s, "\xE2\x90\x9B[31mred\xE2\x90\x9B[0m\n\xE2\x90\x9BP+q\xE2\x90\x9B\\");
    assert_true(terminal_safe(s, true));
    free(s);
}

/* Bidi controls and invisible format characters become visible placeholders. */
static void
test_sanitize_bidi_and_invisible(void **state)
{
    (void)state;
    /* An RLO cannot reverse what follows it. */
    expect_sanitized("invoice\xE2\x80\xAEgpj.exe", 0, "invoice<U+202E>gpj.exe");
    expect_sanitized("\xE2\x80\xAA\xE2\x80\xAB\xE2\x80\xAC\xE2\x80\xAD", 0,
                     "<U+202A><U+202B><U+202C><U+202D>");
    expect_sanitized("\xE2\x81\xA6x\xE2\x81\xA9", 0, "<U+2066>x<U+2069>");
    expect_sanitized("\xE2\x80\x8E\xE2\x80\x8F\xD8\x9C", 0, "<U+200E><U+200F><U+061C>");
    expect_sanitized("12\xE2\x80\x8B" "345", 0, "12<U+200B>345");
    expect_sanitized("a\xE2\x80\x8C" "b", 0, "a<U+200C>b");
    expect_sanitized("a\xE2\x80\x8D" "b", 0, "a<U+200D>b");
    expect_sanitized("\xE2\x81\xA0\xE2\x81\xA4", 0, "<U+2060><U+2064>");
    expect_sanitized("\xEF\xBB\xBF" "BOM", 0, "<U+FEFF>BOM");
    expect_sanitized("\xF3\xA0\x81\x81", 0, "<U+E0041>");              /* TAG LATIN CAPITAL A */
    /* Noncharacters become U+FFFD. */
    expect_sanitized("\xEF\xBF\xBE", 0, "\xEF\xBF\xBD");
    expect_sanitized("\xEF\xB7\x90", 0, "\xEF\xBF\xBD");              /* U+FDD0 */
    /* The soft hyphen is visible and kept. */
    expect_sanitized("a\xC2\xAD" "b", 0, "a\xC2\xAD" "b");
}

/* Combining marks keep their base; a mark without one gets a dotted circle. */
static void
test_sanitize_combining(void **state)
{
    char *s;

    (void)state;
    expect_sanitized("e\xCC\x81", 0, "e\xCC\x81");
    expect_sanitized("\xCC\x81" "e", 0, "\xE2\x97\x8C\xCC\x81" "e");                /* ◌́e */
    expect_sanitized("a\n\xCC\x81", TEXT_KEEP_NEWLINES, "a\n\xE2\x97\x8C\xCC\x81");
    expect_sanitized("a\x1b\xCC\x81", 0, "a\xE2\x90\x9B\xE2\x97\x8C\xCC\x81");
    expect_sanitized("\xE2\x80\xAE\xCC\x81", 0, "<U+202E>\xE2\x97\x8C\xCC\x81");
    /* Several marks on one base share it; only the first orphan needs a circle. */
    expect_sanitized("\xCC\x81\xCC\x82", 0, "\xE2\x97\x8C\xCC\x81\xCC\x82");
    expect_sanitized("a\xCC\x81\xCC\x82", 0, "a\xCC\x81\xCC\x82");
    /* A variation selector on its own is an orphan mark too. */
    expect_sanitized("\xEF\xB8\x8F", 0, "\xE2\x97\x8C\xEF\xB8\x8F");
    s = text_sanitize("\xCC\x81", 0);
    assert_int_equal(text_width(s), 1);
    free(s);
}

/* Emoji ZWJ sequences show as their parts with a width every terminal agrees on. */
static void
test_sanitize_zwj_emoji(void **state)
{
    /* 👨‍👩‍👧 = U+1F468 ZWJ U+1F469 ZWJ U+1F467 */
    static const char family[] = "\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9"
                                 "\xE2\x80\x8D\xF0\x9F\x91\xA7";
    /* 🏳️‍🌈 = U+1F3F3 VS16 ZWJ U+1F308 */
    static const char rainbow[] = "\xF0\x9F\x8F\xB3\xEF\xB8\x8F\xE2\x80\x8D\xF0\x9F\x8C\x88";
    /* 👍🏻 = thumbs up + skin tone */
    static const char thumbs[] = "\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBB";
    char *s;
    char *t;

    (void)state;
    s = text_sanitize(family, 0);
    assert_string_equal(s, "\xF0\x9F\x91\xA8\xF0\x9F\x91\xA9\xF0\x9F\x91\xA7");
    assert_int_equal(text_width(s), 6);
    free(s);

    s = text_sanitize(rainbow, 0);
    assert_string_equal(s, "\xF0\x9F\x8F\xB3\xEF\xB8\x8F\xF0\x9F\x8C\x88");
    assert_int_equal(text_width(s), 1 + 0 + 2);
    free(s);

    s = text_sanitize(thumbs, 0);
    assert_string_equal(s, thumbs);
    assert_int_equal(text_width(s), 4);
    free(s);

    /* A ZWJ that does not join two pictographs stays visible. */
    expect_sanitized("\xF0\x9F\x91\xA8\xE2\x80\x8D" "a", 0, "\xF0\x9F\x91\xA8<U+200D>a");
    expect_sanitized("\xE2\x80\x8D\xF0\x9F\x91\xA8", 0, "<U+200D>\xF0\x9F\x91\xA8");
    expect_sanitized("\xF0\x9F\x91\xA8\xE2\x80\x8D", 0, "\xF0\x9F\x91\xA8<U+200D>");

    /* In a table cell the family never pushes past its column. */
    t = xasprintf("%s来电%s", family, family);
    s = text_truncate(t, 9);
    /* 👨👩👧 (6) 来 (2) + … (1) */
    assert_string_equal(s, "\xF0\x9F\x91\xA8\xF0\x9F\x91\xA9\xF0\x9F\x91\xA7来\xE2\x80\xA6");
    assert_int_equal(text_width(s), 9);
    free(s);
    free(t);
}

/* Invalid UTF-8 becomes U+FFFD per bad byte. */
static void
test_sanitize_invalid(void **state)
{
    (void)state;
    expect_sanitized("\xFF", 0, "\xEF\xBF\xBD");
    expect_sanitized("a\xFF" "b", 0, "a\xEF\xBF\xBD" "b");
    expect_sanitized("\xE4\xBD", 0, "\xEF\xBF\xBD\xEF\xBF\xBD");
    expect_sanitized("\xE4\xBD" "ok", 0, "\xEF\xBF\xBD\xEF\xBF\xBDok");
    expect_sanitized("\xC0\xAF", 0, "\xEF\xBF\xBD\xEF\xBF\xBD");
    expect_sanitized("\xED\xA0\x80", 0, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
    expect_sanitized("\xF4\x90\x80\x80", 0,
                     "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
    /* A lone continuation byte after a base is U+FFFD, not a mark. */
    expect_sanitized("e\x81", 0, "e\xEF\xBF\xBD");
    /* U+FFFD is a base for a following mark. */
    expect_sanitized("\xFF\xCC\x81", 0, "\xEF\xBF\xBD\xCC\x81");
}

/* Fitting never splits a character and keeps marks with their base. */
static void
test_fit(void **state)
{
    int used = -1;

    (void)state;
    assert_int_equal(text_fit("abc", 2, &used), 2);
    assert_int_equal(used, 2);
    assert_int_equal(text_fit("abc", 10, &used), 3);
    assert_int_equal(used, 3);
    assert_int_equal(text_fit("abc", 0, &used), 0);
    assert_int_equal(used, 0);
    assert_int_equal(text_fit("abc", -5, &used), 0);
    assert_int_equal(used, 0);
    assert_int_equal(text_fit(NULL, 5, &used), 0);
    assert_int_equal(used, 0);
    assert_int_equal(text_fit("abc", 2, NULL), 2);
    /* A wide character that would straddle the edge stays out. */
    assert_int_equal(text_fit("你好", 3, &used), 3);
    assert_int_equal(used, 2);
    assert_int_equal(text_fit("你好", 1, &used), 0);
    assert_int_equal(used, 0);
    assert_int_equal(text_fit("a你", 2, &used), 1);
    assert_int_equal(used, 1);
    assert_int_equal(text_fit("你好abc", 5, &used), 7);
    assert_int_equal(used, 5);
    /* Marks follow a base that fits... */
    assert_int_equal(text_fit("e\xCC\x81x", 1, &used), 3);
    assert_int_equal(used, 1);
    assert_int_equal(text_fit("ae\xCC\x81\xCC\x82", 2, &used), 6);
    assert_int_equal(used, 2);
    /* ...and stay out with a base that does not. */
    assert_int_equal(text_fit("ae\xCC\x81", 1, &used), 1);
    assert_int_equal(used, 1);
    assert_int_equal(text_fit("\xF0\x9F\x98\x80\xEF\xB8\x8F", 1, &used), 0);
    assert_int_equal(text_fit("\xF0\x9F\x98\x80\xEF\xB8\x8F", 2, &used), 7);
    assert_int_equal(used, 2);
    /* Invalid bytes are one column each and never split further. */
    assert_int_equal(text_fit("\xFF\xFE", 1, &used), 1);
    assert_int_equal(used, 1);
}

/* Truncation sanitises, cuts by columns and marks the cut with an ellipsis. */
static void
test_truncate(void **state)
{
    (void)state;
    expect_str(text_truncate("你好世界", 5), "你好\xE2\x80\xA6");
    expect_str(text_truncate("你好世界", 8), "你好世界");        /* exact fit: no ellipsis */
    expect_str(text_truncate("你好世界", 9), "你好世界");
    expect_str(text_truncate("你好世界", 7), "你好世\xE2\x80\xA6");
    expect_str(text_truncate("你好世界", 4), "你\xE2\x80\xA6");  /* 世 would straddle */
    expect_str(text_truncate("你好世界", 2), "\xE2\x80\xA6");
    expect_str(text_truncate("你好世界", 1), "\xE2\x80\xA6");
    expect_str(text_truncate("你好世界", 0), "");
    expect_str(text_truncate("你好世界", -3), "");
    expect_str(text_truncate("", 5), "");
    expect_str(text_truncate(NULL, 5), "");
    expect_str(text_truncate("abcdef", 4), "abc\xE2\x80\xA6");
    expect_str(text_truncate("abcd", 4), "abcd");
    expect_str(text_truncate("ab你", 3), "ab\xE2\x80\xA6");
    expect_str(text_truncate("ab你", 4), "ab你");
    /* Combining marks never lose their base. */
    expect_str(text_truncate("e\xCC\x81" "e\xCC\x81" "e\xCC\x81", 2), "e\xCC\x81\xE2\x80\xA6");
    /* Escapes are made visible before cutting, and the cut counts their pictures. */
    expect_str(text_truncate("\x1b[2J标题", 4), "\xE2\x90\x9B[2\xE2\x80\xA6");
    expect_str(text_truncate("a\nb", 3), "a\xE2\x86\xB5" "b");
    expect_str(text_truncate("a\nbc", 3), "a\xE2\x86\xB5\xE2\x80\xA6");
    /* Mixed Chinese, ASCII and emoji: 投诉(4) 😀(2) ok(2) = 8 */
    expect_str(text_truncate("投诉\xF0\x9F\x98\x80ok", 8), "投诉\xF0\x9F\x98\x80ok");
    expect_str(text_truncate("投诉\xF0\x9F\x98\x80ok", 7), "投诉\xF0\x9F\x98\x80\xE2\x80\xA6");
    expect_str(text_truncate("投诉\xF0\x9F\x98\x80ok", 6), "投诉\xE2\x80\xA6");
    expect_str(text_truncate("投诉\xF0\x9F\x98\x80ok", 5), "投诉\xE2\x80\xA6");
}

/* Phone masking keeps only what an unauthorised viewer may see. */
static void
test_mask_phone(void **state)
{
    (void)state;
    expect_str(text_mask_phone("13812345678"), "138****5678");
    expect_str(text_mask_phone("+86 138-1234-5678"), "138****5678");
    expect_str(text_mask_phone("１３８１２３４５６７８"), "138****5678");
    expect_str(text_mask_phone("010-12345678"), "010****5678");
    expect_str(text_mask_phone("0755 1234 5678"), "075*****5678");
    expect_str(text_mask_phone("010-12345678 转 123"), "010****5678");
    expect_str(text_mask_phone("400-123-4567"), "400***4567");
    expect_str(text_mask_phone("12345678"), "123*5678");
    expect_str(text_mask_phone("1234567"), "*****67");
    expect_str(text_mask_phone("12345"), "***45");
    expect_str(text_mask_phone("95198"), "***98");
    expect_str(text_mask_phone("110"), "*10");
    expect_str(text_mask_phone("12"), "**");
    expect_str(text_mask_phone("7"), "*");
    expect_str(text_mask_phone(""), "");
    expect_str(text_mask_phone(NULL), "");
    /* Not a number: still masked, and the output is safe to draw. */
    expect_str(text_mask_phone("abc\x1b[2Jdefgh"), "abc*****efgh");
    expect_str(text_mask_phone("unknown"), "*****wn");
}

/* Name masking keeps the first character and hides the length of one-character names. */
static void
test_mask_name(void **state)
{
    (void)state;
    expect_str(text_mask_name("张三丰"), "张**");
    expect_str(text_mask_name("欧阳娜娜"), "欧***");
    expect_str(text_mask_name("李四"), "李*");
    expect_str(text_mask_name("Li"), "L*");
    expect_str(text_mask_name("张"), "张*");
    expect_str(text_mask_name("L"), "L*");
    expect_str(text_mask_name(""), "");
    expect_str(text_mask_name(NULL), "");
    expect_str(text_mask_name("   "), "");
    expect_str(text_mask_name("  王五  "), "王*");
    expect_str(text_mask_name("阿依古丽·买买提"), "阿*******");
    expect_str(text_mask_name("Jose\xCC\x81"), "J***");
    expect_str(text_mask_name("E\xCC\x81mile"), "E\xCC\x81****");
    expect_str(text_mask_name("\xF0\xA0\x80\x80\xE5\xA4\xA7"), "\xF0\xA0\x80\x80*");   /* 𠀀大 */
    /* A hostile name cannot smuggle an escape through its first character. */
    expect_str(text_mask_name("\x1b[2J"), "\xE2\x90\x9B***");
    expect_str(text_mask_name("\xFF\xFE"), "\xEF\xBF\xBD*");
}

/* Small deterministic generator (xorshift32) so the random test repeats exactly. */
static uint32_t
next_rand(uint32_t *s)
{
    uint32_t x = *s;

    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *s = x;
    return x;
}

/* Random bytes, biased toward interesting ones, always come out safe and fit their width. */
static void
test_random_bytes(void **state)
{
    static const unsigned char pool[] = {
        0x00, 0x07, 0x08, 0x09, 0x0A, 0x0D, 0x1B, 0x7F, 0x80, 0x9B, 0xBF, 0xC0, 0xC2,
        0xCC, 0xE0, 0xE2, 0xE4, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF, '[', 'a', ' ',
    };
    uint32_t seed = 20261122;
    char buf[48];

    (void)state;
    for (int round = 0; round < 4000; round++) {
        size_t len = next_rand(&seed) % (sizeof buf - 1);
        int flags = (round & 1) ? TEXT_KEEP_NEWLINES : 0;
        char *s;
        char *t;
        int w;
        int cols;
        int used = -1;
        size_t fit;

        for (size_t i = 0; i < len; i++) {
            uint32_t r = next_rand(&seed);

            buf[i] = (char)((r & 0x100) ? pool[(r >> 9) % sizeof pool] : (r & 0xFF));
        }
        buf[len] = '\0';
        s = text_sanitize(buf, flags);
        assert_true(text_utf8_valid(s, strlen(s)));
        assert_true(terminal_safe(s, flags != 0));
        assert_null(strstr(s, "\xC2\x9B"));          /* no UTF-8 encoded CSI either */
        w = text_width(s);
        assert_true(w >= 0);
        cols = (int)(next_rand(&seed) % 24);
        fit = text_fit(s, cols, &used);
        assert_true(used <= cols);
        assert_true(fit <= strlen(s));
        assert_true(text_utf8_valid(s, fit));         /* never splits a character */
        t = xstrndup(s, fit);
        assert_int_equal(text_width(t), used);
        free(t);
        t = text_truncate(buf, cols);
        assert_true(text_width(t) <= cols);
        assert_true(text_utf8_valid(t, strlen(t)));
        assert_true(terminal_safe(t, false));
        if (flags == 0 && w <= cols)
            assert_string_equal(t, s);                /* no cut: the whole sanitised text */
        else if (flags == 0 && cols > 0)
            assert_true(strlen(t) >= 3 && strcmp(t + strlen(t) - 3, "\xE2\x80\xA6") == 0);
        free(t);
        free(s);
    }
}

/* Finding ignores the case of ASCII letters only, and never a NULL or empty needle. */
static void
test_find_ci(void **state)
{
    (void)state;
    assert_int_equal(text_find_ci("Reset WiFi", "wifi"), 6);
    assert_int_equal(text_find_ci("Reset WiFi", "RESET"), 0);
    assert_int_equal(text_find_ci("ABC-abc", "C-A"), 2);
    assert_int_equal(text_find_ci("停水通知", "通知"), 6);            /* no letter: bytes */
    assert_int_equal(text_find_ci("x1-2", "1-2"), 1);
    assert_int_equal(text_find_ci("停水通知", "停电"), -1);
    assert_int_equal(text_find_ci("\xC3\x84" "B", "b"), 2);           /* after a 2-byte Ä */
    assert_int_equal(text_find_ci("\xC3\x89", "\xC3\xA9"), -1);       /* É is not é */
    assert_int_equal(text_find_ci("abc", ""), -1);
    assert_int_equal(text_find_ci("ab", "abc"), -1);
    assert_int_equal(text_find_ci("", "a"), -1);
    assert_int_equal(text_find_ci(NULL, "a"), -1);
    assert_int_equal(text_find_ci("a", NULL), -1);
}

/* Code point offsets: one per code point (an invalid byte is one), then the end. */
static void
test_cp_offsets(void **state)
{
    size_t n = 99, *off;

    (void)state;
    off = text_cp_offsets("a你\xFF" "b", &n);
    assert_int_equal(n, 4);
    assert_int_equal(off[0], 0);
    assert_int_equal(off[1], 1);
    assert_int_equal(off[2], 4);
    assert_int_equal(off[3], 5);
    assert_int_equal(off[4], 6);
    free(off);
    off = text_cp_offsets("", &n);
    assert_int_equal(n, 0);
    assert_int_equal(off[0], 0);
    free(off);
}

/* n copies of s. Owned. */
static char *
repeat(const char *s, int n)
{
    struct strbuf sb;

    strbuf_init(&sb);
    strbuf_add(&sb, "", 0);
    while (n-- > 0)
        strbuf_adds(&sb, s);
    return strbuf_detach(&sb);
}

/* Expect text_snippet of text around needle (NULL: none) with flags to be the parts joined. */
static void
expect_snippet(const char *text, const char *needle, int flags, const char *want)
{
    long pos = needle != NULL ? text_find_ci(text, needle) : -1;

    expect_str(text_snippet(text, pos, needle != NULL ? strlen(needle) : 0, flags), want);
}

/* Snippets: the match in 【】 with 20 code points before it, 80 in all, "…" at each cut,
 * line breaks and tabs as spaces; TEXT_SNIPPET_FILL starts earlier near the end. */
static void
test_snippet(void **state)
{
    char *a50 = repeat("甲", 50), *b47 = repeat("乙", 47), *a100 = repeat("甲", 100);
    char *b100 = repeat("乙", 100), *a20 = repeat("甲", 20), *a30 = repeat("甲", 30);
    char *b57 = repeat("乙", 57), *b80 = repeat("乙", 80), *x100 = repeat("x", 100);
    char *text, *want;

    (void)state;
    /* short: no cut, whole match or start */
    expect_snippet("停水通知：\n明天\t停水", "通知", 0, "停水【通知】： 明天 停水");
    expect_snippet("停水通知：\r\n明天停水", NULL, 0, "停水通知：  明天停水");
    expect_snippet("停水通知", "停电", TEXT_SNIPPET_FILL, "停水通知");
    expect_snippet("Reset WiFi", "wifi", 0, "Reset 【WiFi】");
    expect_snippet("", NULL, 0, "");
    expect_snippet("a\xFF\tb", NULL, 0, "a\xFF b");               /* bytes kept, not sanitised */

    /* in the middle of a long text: cut on both sides (80 code points: 20, KEY, 57), the
     * same with FILL */
    text = xasprintf("%sKEY%s", a100, b100);
    want = xasprintf("…%s【KEY】%s…", a20, b57);
    expect_snippet(text, "key", 0, want);
    expect_snippet(text, "key", TEXT_SNIPPET_FILL, want);
    free(text);
    free(want);

    /* near the end: 20 before the match; with FILL 80 code points in all */
    text = xasprintf("%sKEY%s", a50, b47);
    want = xasprintf("…%s【KEY】%s", a20, b47);
    expect_snippet(text, "key", 0, want);
    free(want);
    want = xasprintf("…%s【KEY】%s", a30, b47);
    expect_snippet(text, "key", TEXT_SNIPPET_FILL, want);
    free(want);
    free(text);

    /* no match in a long text: its first 80 code points */
    want = xasprintf("%s…", b80);
    expect_snippet(b100, "key", 0, want);
    expect_snippet(b100, NULL, TEXT_SNIPPET_FILL, want);
    free(want);

    /* a match longer than the snippet is shown whole */
    text = xasprintf("aaaaaaaaaa%s", x100);
    want = xasprintf("aaaaaaaaaa【%s】", x100);
    expect_str(text_snippet(text, 10, 100, 0), want);
    expect_str(text_snippet(text, 10, 100, TEXT_SNIPPET_FILL), want);
    free(want);
    free(text);

    free(a50);
    free(b47);
    free(a100);
    free(b100);
    free(a20);
    free(a30);
    free(b57);
    free(b80);
    free(x100);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8_valid),
        cmocka_unit_test(test_utf8_decode),
        cmocka_unit_test(test_utf8_encode),
        cmocka_unit_test(test_chars),
        cmocka_unit_test(test_cp_width),
        cmocka_unit_test(test_width),
        cmocka_unit_test(test_sanitize_controls),
        cmocka_unit_test(test_sanitize_escapes),
        cmocka_unit_test(test_sanitize_bidi_and_invisible),
        cmocka_unit_test(test_sanitize_combining),
        cmocka_unit_test(test_sanitize_zwj_emoji),
        cmocka_unit_test(test_sanitize_invalid),
        cmocka_unit_test(test_fit),
        cmocka_unit_test(test_truncate),
        cmocka_unit_test(test_mask_phone),
        cmocka_unit_test(test_mask_name),
        cmocka_unit_test(test_random_bytes),
        cmocka_unit_test(test_find_ci),
        cmocka_unit_test(test_cp_offsets),
        cmocka_unit_test(test_snippet),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
