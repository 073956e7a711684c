/* Tests for phone: many spellings of one number give one key; everything else is invalid. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "hotline/phone.h"
#include "hotline/util.h"

/* One input and what it must normalise to. */
struct phone_case {
    const char *in;
    const char *area;           /* default area code, may be NULL */
    enum phone_kind kind;
    const char *number;
    const char *ext;
};

/* Check every case of a table. */
static void
run_cases(const struct phone_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct phone p;
        enum phone_kind kind;

        memset(&p, 0x5A, sizeof p);   /* garbage that must be overwritten */
        kind = phone_normalize(cases[i].in, cases[i].area, &p);
        if (kind != cases[i].kind || p.kind != kind || strcmp(p.number, cases[i].number) != 0
            || strcmp(p.ext, cases[i].ext) != 0) {
            print_error("case %zu \"%s\" (area %s): got kind %d number \"%.24s\" ext \"%.12s\", "
                        "want kind %d number \"%s\" ext \"%s\"\n",
                        i, cases[i].in, cases[i].area != NULL ? cases[i].area : "NULL",
                        (int)kind, p.number, p.ext, (int)cases[i].kind, cases[i].number,
                        cases[i].ext);
            fail();
        }
    }
}

/* Every way of typing one mobile number gives the same key. */
static void
test_mobile_spellings(void **state)
{
    static const struct phone_case cases[] = {
        { "13812345678", NULL, PHONE_MOBILE, "13812345678", "" },
        { "138 1234 5678", NULL, PHONE_MOBILE, "13812345678", "" },
        { "138-1234-5678", NULL, PHONE_MOBILE, "13812345678", "" },
        { "138.1234.5678", NULL, PHONE_MOBILE, "13812345678", "" },
        { "(138)12345678", NULL, PHONE_MOBILE, "13812345678", "" },
        { "  13812345678  ", NULL, PHONE_MOBILE, "13812345678", "" },
        { "+8613812345678", NULL, PHONE_MOBILE, "13812345678", "" },
        { "+86 138 1234 5678", NULL, PHONE_MOBILE, "13812345678", "" },
        { "+86-138-1234-5678", NULL, PHONE_MOBILE, "13812345678", "" },
        { "(+86) 13812345678", NULL, PHONE_MOBILE, "13812345678", "" },
        { "008613812345678", NULL, PHONE_MOBILE, "13812345678", "" },
        { "0086 138 1234 5678", NULL, PHONE_MOBILE, "13812345678", "" },
        { "86 13812345678", NULL, PHONE_MOBILE, "13812345678", "" },
        { "8613812345678", NULL, PHONE_MOBILE, "13812345678", "" },
        { "013812345678", NULL, PHONE_MOBILE, "13812345678", "" },
        /* Full-width digits, plus sign, brackets and the ideographic space. */
        { "１３８１２３４５６７８", NULL, PHONE_MOBILE, "13812345678", "" },
        { "＋８６　１３８－１２３４－５６７８", NULL, PHONE_MOBILE, "13812345678", "" },
        { "（＋86）138 1234 5678", NULL, PHONE_MOBILE, "13812345678", "" },
        { "138\xE2\x80\x94" "1234\xE2\x80\x94" "5678", NULL, PHONE_MOBILE, "13812345678", "" },
        /* Every 1[3-9] prefix; the default area never applies to a mobile. */
        { "13000000000", NULL, PHONE_MOBILE, "13000000000", "" },
        { "19912345678", "010", PHONE_MOBILE, "19912345678", "" },
        { "16612345678", NULL, PHONE_MOBILE, "16612345678", "" },
    };

    (void)state;
    run_cases(cases, ARRAY_SIZE(cases));
}

/* Landlines with or without area code, country prefix and separators. */
static void
test_landline_spellings(void **state)
{
    static const struct phone_case cases[] = {
        { "01012345678", NULL, PHONE_LANDLINE, "01012345678", "" },
        { "010-12345678", NULL, PHONE_LANDLINE, "01012345678", "" },
        { "010 1234 5678", NULL, PHONE_LANDLINE, "01012345678", "" },
        { "(010)12345678", NULL, PHONE_LANDLINE, "01012345678", "" },
        { "(010) 1234-5678", NULL, PHONE_LANDLINE, "01012345678", "" },
        { "（０１０）１２３４５６７８", NULL, PHONE_LANDLINE, "01012345678", "" },
        { "+86 10 12345678", NULL, PHONE_LANDLINE, "01012345678", "" },
        { "+86-10-12345678", NULL, PHONE_LANDLINE, "01012345678", "" },
        { "+86 (0)10 1234 5678", NULL, PHONE_LANDLINE, "01012345678", "" },
        { "+86 010 12345678", NULL, PHONE_LANDLINE, "01012345678", "" },
        { "0086 10 12345678", NULL, PHONE_LANDLINE, "01012345678", "" },
        { "86 10 12345678", NULL, PHONE_LANDLINE, "01012345678", "" },
        { "86 010 12345678", NULL, PHONE_LANDLINE, "01012345678", "" },
        /* Local number alone takes the default area, with or without its 0. */
        { "12345678", "010", PHONE_INVALID, "", "" },          /* locals never start with 1 */
        { "62345678", "010", PHONE_LANDLINE, "01062345678", "" },
        { "6234-5678", "10", PHONE_LANDLINE, "01062345678", "" },
        { "62345678", "(010)", PHONE_LANDLINE, "01062345678", "" },
        /* 02x: 3-digit area codes. */
        { "021-61234567", NULL, PHONE_LANDLINE, "02161234567", "" },
        { "+86 21 6123 4567", NULL, PHONE_LANDLINE, "02161234567", "" },
        { "61234567", "021", PHONE_LANDLINE, "02161234567", "" },
        { "020-8765432", NULL, PHONE_LANDLINE, "0208765432", "" },
        /* 0[3-9]xx: 4-digit area codes with 7 or 8 digit locals. */
        { "0755-86001234", NULL, PHONE_LANDLINE, "075586001234", "" },
        { "0755 8600 1234", NULL, PHONE_LANDLINE, "075586001234", "" },
        { "+86 755 86001234", NULL, PHONE_LANDLINE, "075586001234", "" },
        { "86001234", "0755", PHONE_LANDLINE, "075586001234", "" },
        { "86001234", "755", PHONE_LANDLINE, "075586001234", "" },
        { "0951-5012345", NULL, PHONE_LANDLINE, "09515012345", "" },
        { "5012345", "0951", PHONE_LANDLINE, "09515012345", "" },
        /* An 8-digit local starting with 86 is a local number, not a country prefix. */
        { "86123456", "0755", PHONE_LANDLINE, "075586123456", "" },
        /* No default area: the local number is the key on its own. */
        { "62345678", NULL, PHONE_LANDLINE, "62345678", "" },
        { "62345678", "", PHONE_LANDLINE, "62345678", "" },
        { "5012345", NULL, PHONE_LANDLINE, "5012345", "" },
        /* An unusable default area is ignored. */
        { "62345678", "abc", PHONE_LANDLINE, "62345678", "" },
        { "62345678", "011", PHONE_LANDLINE, "62345678", "" },
        { "62345678", "07555", PHONE_LANDLINE, "62345678", "" },
        /* The brief's example: a local starting with 1 after a full area code is fine. */
        { "010-12345678", "0755", PHONE_LANDLINE, "01012345678", "" },
    };

    (void)state;
    run_cases(cases, ARRAY_SIZE(cases));
}

/* 400/800 numbers, 95xxx/96xxx, 1xxxx and the 3-digit public numbers. */
static void
test_service_numbers(void **state)
{
    static const struct phone_case cases[] = {
        { "4001234567", NULL, PHONE_SERVICE, "4001234567", "" },
        { "400-123-4567", NULL, PHONE_SERVICE, "4001234567", "" },
        { "400 1234 567", NULL, PHONE_SERVICE, "4001234567", "" },
        { "+86 400 123 4567", NULL, PHONE_SERVICE, "4001234567", "" },
        { "８００－８２０－８８２０", NULL, PHONE_SERVICE, "8008208820", "" },
        { "95198", NULL, PHONE_SERVICE, "95198", "" },
        { "956100", NULL, PHONE_SERVICE, "956100", "" },
        { "95588", "010", PHONE_SERVICE, "95588", "" },
        { "96777", NULL, PHONE_SERVICE, "96777", "" },
        { "962999", NULL, PHONE_SERVICE, "962999", "" },
        { "12345", NULL, PHONE_SERVICE, "12345", "" },
        { "12315", NULL, PHONE_SERVICE, "12315", "" },
        { "12110", NULL, PHONE_SERVICE, "12110", "" },
        { "10086", NULL, PHONE_SERVICE, "10086", "" },
        { "11185", NULL, PHONE_SERVICE, "11185", "" },
        { "１２３４５", NULL, PHONE_SERVICE, "12345", "" },
        { "110", NULL, PHONE_SERVICE, "110", "" },
        { "119", NULL, PHONE_SERVICE, "119", "" },
        { "120", "010", PHONE_SERVICE, "120", "" },
        { "122", NULL, PHONE_SERVICE, "122", "" },
        { "95198 转 2", NULL, PHONE_SERVICE, "95198", "2" },
        { "400-123-4567 ext 8", NULL, PHONE_SERVICE, "4001234567", "8" },
    };

    (void)state;
    run_cases(cases, ARRAY_SIZE(cases));
}

/* Every extension spelling splits off the same digits. */
static void
test_extensions(void **state)
{
    static const struct phone_case cases[] = {
        { "010-12345678转123", NULL, PHONE_LANDLINE, "01012345678", "123" },
        { "010-12345678 转 123", NULL, PHONE_LANDLINE, "01012345678", "123" },
        { "010-12345678分机123", NULL, PHONE_LANDLINE, "01012345678", "123" },
        { "010-12345678 分机号 123", NULL, PHONE_LANDLINE, "01012345678", "123" },
        { "010-12345678 ext 123", NULL, PHONE_LANDLINE, "01012345678", "123" },
        { "010-12345678 ext.123", NULL, PHONE_LANDLINE, "01012345678", "123" },
        { "010-12345678 EXT. 123", NULL, PHONE_LANDLINE, "01012345678", "123" },
        { "010-12345678 ext:123", NULL, PHONE_LANDLINE, "01012345678", "123" },
        { "010-12345678x123", NULL, PHONE_LANDLINE, "01012345678", "123" },
        { "010-12345678 X 123", NULL, PHONE_LANDLINE, "01012345678", "123" },
        { "010-12345678#123", NULL, PHONE_LANDLINE, "01012345678", "123" },
        { "010-12345678,123", NULL, PHONE_LANDLINE, "01012345678", "123" },
        { "010-12345678;123", NULL, PHONE_LANDLINE, "01012345678", "123" },
        { "01012345678，123", NULL, PHONE_LANDLINE, "01012345678", "123" },   /* full-width comma */
        { "010-12345678＃１２３", NULL, PHONE_LANDLINE, "01012345678", "123" },
        { "010-12345678 ｅｘｔ 123", NULL, PHONE_LANDLINE, "01012345678", "123" },
        { "010-12345678-123", NULL, PHONE_LANDLINE, "01012345678", "123" },
        { "010 - 12345678 - 123", NULL, PHONE_LANDLINE, "01012345678", "123" },
        { "+86-10-12345678-123", NULL, PHONE_LANDLINE, "01012345678", "123" },
        { "0755-86001234-8001", NULL, PHONE_LANDLINE, "075586001234", "8001" },
        { "0912-1234567-8", NULL, PHONE_LANDLINE, "09121234567", "8" },
        { "62345678转5", "010", PHONE_LANDLINE, "01062345678", "5" },
        { "62345678-5", "010", PHONE_INVALID, "", "" },         /* needs a complete landline */
        { "010-12345678转12345678", NULL, PHONE_LANDLINE, "01012345678", "12345678" },
        /* Dashes inside a number are not an extension. */
        { "010-1234-5678", NULL, PHONE_LANDLINE, "01012345678", "" },
        { "021-6123-4567", NULL, PHONE_LANDLINE, "02161234567", "" },
        { "0755-8600-1234", NULL, PHONE_LANDLINE, "075586001234", "" },
    };

    (void)state;
    run_cases(cases, ARRAY_SIZE(cases));
}

/* Letters, junk, wrong lengths and foreign numbers are refused, with out left empty. */
static void
test_invalid(void **state)
{
    static const struct phone_case cases[] = {
        { NULL, NULL, PHONE_INVALID, "", "" },
        { "", NULL, PHONE_INVALID, "", "" },
        { "   ", NULL, PHONE_INVALID, "", "" },
        { "---", NULL, PHONE_INVALID, "", "" },
        { "abc", NULL, PHONE_INVALID, "", "" },
        { "138123456ab", NULL, PHONE_INVALID, "", "" },
        { "tel:13812345678", NULL, PHONE_INVALID, "", "" },
        { "1381234567", NULL, PHONE_INVALID, "", "" },          /* 10 digits */
        { "138123456789", NULL, PHONE_INVALID, "", "" },        /* 12 digits */
        { "12812345678", NULL, PHONE_INVALID, "", "" },         /* 12x is no mobile prefix */
        { "10012345678", NULL, PHONE_INVALID, "", "" },
        { "1", NULL, PHONE_INVALID, "", "" },
        { "12", NULL, PHONE_INVALID, "", "" },
        { "123", NULL, PHONE_INVALID, "", "" },                 /* not a public number */
        { "1234", NULL, PHONE_INVALID, "", "" },
        { "123456", NULL, PHONE_INVALID, "", "" },
        { "9519", NULL, PHONE_INVALID, "", "" },
        { "9519812", NULL, PHONE_LANDLINE, "9519812", "" },     /* 7 digits: a local number */
        { "97123", NULL, PHONE_INVALID, "", "" },
        { "0123456789", NULL, PHONE_INVALID, "", "" },          /* 012 is no area code */
        { "010-123456", NULL, PHONE_INVALID, "", "" },          /* local too short */
        { "010-123456789", NULL, PHONE_INVALID, "", "" },       /* local too long */
        { "010-02345678", NULL, PHONE_INVALID, "", "" },        /* local starts with 0 */
        { "0755-123456", NULL, PHONE_INVALID, "", "" },
        { "00123456789", NULL, PHONE_INVALID, "", "" },
        { "+1 415 555 0100", NULL, PHONE_INVALID, "", "" },     /* other country */
        { "+852 2123 4567", NULL, PHONE_INVALID, "", "" },
        { "+86 12345", NULL, PHONE_INVALID, "", "" },           /* short numbers stay national */
        { "+86 62345678", NULL, PHONE_INVALID, "", "" },        /* no area code after +86 */
        { "++8613812345678", NULL, PHONE_INVALID, "", "" },
        { "138+12345678", NULL, PHONE_INVALID, "", "" },
        { "4001234567890", NULL, PHONE_INVALID, "", "" },
        { "400123456", NULL, PHONE_INVALID, "", "" },          /* 9 digits */
        { "40012345", NULL, PHONE_LANDLINE, "40012345", "" },  /* 8 digits: a local number */
        /* Extensions: empty, too long, trailing junk, on a mobile, twice. */
        { "010-12345678转", NULL, PHONE_INVALID, "", "" },
        { "010-12345678 ext", NULL, PHONE_INVALID, "", "" },
        { "010-12345678#", NULL, PHONE_INVALID, "", "" },
        { "010-12345678转123456789", NULL, PHONE_INVALID, "", "" },
        { "010-12345678转12a", NULL, PHONE_INVALID, "", "" },
        { "010-12345678转1#2", NULL, PHONE_INVALID, "", "" },
        { "010-12345678-123 转 4", NULL, PHONE_INVALID, "", "" },
        { "13812345678转1", NULL, PHONE_INVALID, "", "" },
        { "13812345678-1", NULL, PHONE_INVALID, "", "" },
        { "#123", NULL, PHONE_INVALID, "", "" },
        { "转123", NULL, PHONE_INVALID, "", "" },
        /* Characters that have no business in a number. */
        { "138\x1b[2J12345678", NULL, PHONE_INVALID, "", "" },
        { "1381234567\xFF", NULL, PHONE_INVALID, "", "" },
        { "138\xE2\x80\x8B" "12345678", NULL, PHONE_INVALID, "", "" },   /* zero-width space */
        { "一三八12345678", NULL, PHONE_INVALID, "", "" },
        { "138/1234/5678", NULL, PHONE_INVALID, "", "" },
    };

    (void)state;
    run_cases(cases, ARRAY_SIZE(cases));
}

/* Input longer than any number is refused without reading it all into a number. */
static void
test_long_input(void **state)
{
    char buf[400];
    struct phone p;

    (void)state;
    memset(buf, '1', sizeof buf - 1);
    buf[sizeof buf - 1] = '\0';
    assert_int_equal(phone_normalize(buf, NULL, &p), PHONE_INVALID);
    assert_string_equal(p.number, "");
    /* Many separators around a real number are fine up to the input cap... */
    memset(buf, ' ', 100);
    memcpy(buf + 100, "13812345678", 12);
    assert_int_equal(phone_normalize(buf, NULL, &p), PHONE_MOBILE);
    assert_string_equal(p.number, "13812345678");
    /* ...and beyond it the input is refused. */
    memset(buf, ' ', 300);
    memcpy(buf + 300, "13812345678", 12);
    assert_int_equal(phone_normalize(buf, NULL, &p), PHONE_INVALID);
    /* Too many digits even within the cap. */
    memset(buf, '0', 60);
    buf[60] = '\0';
    assert_int_equal(phone_normalize(buf, NULL, &p), PHONE_INVALID);
    /* A NULL out is tolerated. */
    assert_int_equal(phone_normalize("13812345678", NULL, NULL), PHONE_MOBILE);
}

/* The canonical text is the key plus ",ext"; it normalises back to itself. */
static void
test_format(void **state)
{
    static const char *const inputs[] = {
        "+86 138 1234 5678", "(010) 1234-5678 转 88", "400-123-4567", "95198",
        "0755-86001234-8001", "62345678",
    };
    static const char *const want[] = {
        "13812345678", "01012345678,88", "4001234567", "95198",
        "075586001234,8001", "62345678",
    };
    char buf[40];
    struct phone p;
    struct phone q;

    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(inputs); i++) {
        assert_int_not_equal(phone_normalize(inputs[i], NULL, &p), PHONE_INVALID);
        phone_format(&p, buf, sizeof buf);
        assert_string_equal(buf, want[i]);
        assert_int_equal(phone_normalize(buf, NULL, &q), p.kind);
        assert_string_equal(q.number, p.number);
        assert_string_equal(q.ext, p.ext);
    }
    /* Invalid or missing numbers format as "". */
    memset(buf, 'x', sizeof buf);
    assert_int_equal(phone_normalize("abc", NULL, &p), PHONE_INVALID);
    phone_format(&p, buf, sizeof buf);
    assert_string_equal(buf, "");
    memset(buf, 'x', sizeof buf);
    phone_format(NULL, buf, sizeof buf);
    assert_string_equal(buf, "");
    /* A small buffer is cut, never overrun. */
    assert_int_equal(phone_normalize("010-12345678转88", NULL, &p), PHONE_LANDLINE);
    phone_format(&p, buf, 6);
    assert_string_equal(buf, "01012");
    phone_format(&p, buf, 0);                          /* writes nothing */
    phone_format(&p, NULL, 10);
}

/* Spellings that mean the same caller meet on one key; different callers do not. */
static void
test_same_key(void **state)
{
    static const char *const same[][5] = {
        { "13812345678", "+86 138-1234-5678", "0086 13812345678", "１３８ １２３４ ５６７８",
          "86-138-1234-5678" },
        { "010-62345678", "(010)62345678", "+86 10 6234 5678", "62345678", "０１０－６２３４５６７８" },
    };
    struct phone a;
    struct phone b;

    (void)state;
    for (size_t g = 0; g < ARRAY_SIZE(same); g++) {
        assert_int_not_equal(phone_normalize(same[g][0], "010", &a), PHONE_INVALID);
        for (size_t i = 1; i < ARRAY_SIZE(same[g]); i++) {
            assert_int_equal(phone_normalize(same[g][i], "010", &b), a.kind);
            assert_string_equal(b.number, a.number);
        }
    }
    phone_normalize("010-62345678", NULL, &a);
    phone_normalize("021-62345678", NULL, &b);
    assert_string_not_equal(a.number, b.number);
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

/* Append n random digits, some of them full-width, some followed by a separator when spaced. */
static void
add_digits(struct strbuf *sb, uint32_t *seed, size_t n, bool spaced)
{
    static const char *const seps[] = { " ", "-", ".", "　", "－" };

    for (size_t i = 0; i < n; i++) {
        uint32_t r = next_rand(seed);
        char d = (char)('0' + r % 10);

        if ((r >> 8) % 5 == 0)
            strbuf_addf(sb, "\xEF\xBC%c", (char)(0x90 + (d - '0')));   /* U+FF10 + d */
        else
            strbuf_addc(sb, d);
        if (spaced && i + 1 < n && (r >> 12) % 6 == 0)
            strbuf_adds(sb, seps[(r >> 16) % ARRAY_SIZE(seps)]);
    }
}

/* Build one random input: phone-shaped most of the time, junk some of the time. */
static void
random_input(struct strbuf *sb, uint32_t *seed)
{
    static const char *const junk[] = {
        "0", "1", "86", "+", "0086", "-", " ", "(", ")", ".", "#", ",", "x", "ext", "转",
        "分机", "１", "（", "\xFF", "\xE4\xBD", "a", "\x1b",
    };
    static const char *const prefixes[] = { "", "", "", "+86 ", "0086", "86-", "(+86)" };
    static const char *const exts[] = { "", "", "", " 转 ", "ext.", "x", "#", ",", "-" };
    uint32_t r = next_rand(seed);

    switch (r % 8) {
    case 0:                                    /* junk */
        for (size_t i = next_rand(seed) % 16; i > 0; i--)
            strbuf_adds(sb, junk[next_rand(seed) % ARRAY_SIZE(junk)]);
        return;
    case 1:                                    /* mobile */
    case 2:
        strbuf_adds(sb, prefixes[(r >> 4) % ARRAY_SIZE(prefixes)]);
        strbuf_addc(sb, '1');
        strbuf_addc(sb, (char)('3' + (r >> 8) % 7));
        add_digits(sb, seed, 9, true);
        break;
    case 3:                                    /* landline with area code */
    case 4:
        strbuf_adds(sb, prefixes[(r >> 4) % ARRAY_SIZE(prefixes)]);
        strbuf_adds(sb, (r >> 8) % 2 ? "010-" : "(0755)");
        strbuf_addc(sb, (char)('2' + (r >> 12) % 8));
        add_digits(sb, seed, 6 + (r >> 16) % 2, true);
        break;
    case 5:                                    /* local number */
        strbuf_addc(sb, (char)('2' + (r >> 12) % 8));
        add_digits(sb, seed, 6 + (r >> 16) % 2, true);
        break;
    case 6:                                    /* service */
        strbuf_adds(sb, (r >> 8) % 2 ? "400" : "95");
        add_digits(sb, seed, (r >> 8) % 2 ? 7 : 3 + (r >> 12) % 2, true);
        break;
    default:                                   /* random digits */
        add_digits(sb, seed, next_rand(seed) % 14, true);
        break;
    }
    r = next_rand(seed);
    strbuf_adds(sb, exts[r % ARRAY_SIZE(exts)]);
    if (sb->len > 0 && (r % ARRAY_SIZE(exts)) >= 3)
        add_digits(sb, seed, 1 + (r >> 8) % 5, false);
}

/* Random phone-like input never crashes, and every accepted number formats and re-parses to itself. */
static void
test_random_input(void **state)
{
    uint32_t seed = 956100;
    int accepted = 0;

    (void)state;
    for (int round = 0; round < 3000; round++) {
        struct strbuf sb;
        struct phone p;
        struct phone q;
        char buf[40];
        enum phone_kind kind;

        strbuf_init(&sb);
        strbuf_add(&sb, "", 0);
        random_input(&sb, &seed);
        kind = phone_normalize(sb.buf, (round & 1) ? "0755" : NULL, &p);
        assert_int_equal(kind, p.kind);
        if (kind == PHONE_INVALID) {
            assert_string_equal(p.number, "");
            assert_string_equal(p.ext, "");
        } else {
            accepted++;
            assert_true(strlen(p.number) >= 3 && strlen(p.number) <= 12);
            assert_int_equal(strspn(p.number, "0123456789"), strlen(p.number));
            assert_int_equal(strspn(p.ext, "0123456789"), strlen(p.ext));
            assert_true(kind != PHONE_MOBILE || p.ext[0] == '\0');
            phone_format(&p, buf, sizeof buf);
            assert_int_equal(phone_normalize(buf, NULL, &q), kind);
            assert_string_equal(q.number, p.number);
            assert_string_equal(q.ext, p.ext);
        }
        strbuf_fini(&sb);
    }
    /* Most generated inputs are well-formed numbers (hand-checked seed). */
    assert_true(accepted > 1500);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mobile_spellings),
        cmocka_unit_test(test_landline_spellings),
        cmocka_unit_test(test_service_numbers),
        cmocka_unit_test(test_extensions),
        cmocka_unit_test(test_invalid),
        cmocka_unit_test(test_long_input),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_same_key),
        cmocka_unit_test(test_random_input),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
