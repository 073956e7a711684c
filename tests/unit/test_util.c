/* Tests for util: allocation helpers, bounded strings, strbuf and capped file reads. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hotline/text.h"
#include "hotline/util.h"

/* Allocation helpers return usable memory, zeroed where promised. */
static void
test_alloc(void **state)
{
    unsigned char *p;
    char *s;

    (void)state;
    p = xmalloc(0);
    assert_non_null(p);
    free(p);
    p = xcalloc(16, 4);
    for (size_t i = 0; i < 64; i++)
        assert_int_equal(p[i], 0);
    p = xrealloc(p, 4096);
    p[4095] = 0xAB;
    assert_int_equal(p[0], 0);
    free(p);
    p = xcalloc(0, 0);
    assert_non_null(p);
    free(p);

    assert_null(xstrdup(NULL));
    s = xstrdup("工单");
    assert_string_equal(s, "工单");
    free(s);
    s = xstrndup("abcdef", 3);
    assert_string_equal(s, "abc");
    free(s);
    s = xstrndup("ab", 10);
    assert_string_equal(s, "ab");
    free(s);
    s = xstrndup("ab", 0);
    assert_string_equal(s, "");
    free(s);
}

/* xasprintf formats into exactly sized new memory. */
static void
test_xasprintf(void **state)
{
    char *s;
    char big[300];

    (void)state;
    s = xasprintf("HL%08d-%06d", 20261122, 42);
    assert_string_equal(s, "HL20261122-000042");
    free(s);
    s = xasprintf("%s", "");
    assert_string_equal(s, "");
    free(s);
    s = xasprintf("%s|%ld|%.2f", "单号", -7L, 1.5);
    assert_string_equal(s, "单号|-7|1.50");
    free(s);
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    s = xasprintf("<%s>", big);
    assert_int_equal(strlen(s), 301);
    assert_int_equal(s[0], '<');
    assert_int_equal(s[300], '>');
    free(s);
}

/* str_copy copies whole strings and cuts long ones on a character boundary. */
static void
test_str_copy(void **state)
{
    char buf[16];

    (void)state;
    assert_true(str_copy(buf, sizeof buf, "hello"));
    assert_string_equal(buf, "hello");
    assert_true(str_copy(buf, 6, "hello"));              /* exactly fits with its NUL */
    assert_string_equal(buf, "hello");
    assert_false(str_copy(buf, 5, "hello"));
    assert_string_equal(buf, "hell");
    assert_true(str_copy(buf, sizeof buf, NULL));
    assert_string_equal(buf, "");
    assert_true(str_copy(buf, sizeof buf, ""));
    assert_string_equal(buf, "");
    memset(buf, 'x', sizeof buf);
    assert_false(str_copy(buf, 1, "a"));
    assert_string_equal(buf, "");
    assert_true(str_copy(buf, 0, ""));                   /* nothing to write, nothing lost */
    assert_false(str_copy(buf, 0, "a"));
    assert_int_equal(buf[0], '\0');                      /* untouched by size 0 */

    /* "你好" is 6 bytes: 3 per character. */
    assert_true(str_copy(buf, 7, "你好"));
    assert_string_equal(buf, "你好");
    assert_false(str_copy(buf, 6, "你好"));
    assert_string_equal(buf, "你");
    assert_false(str_copy(buf, 5, "你好"));
    assert_string_equal(buf, "你");
    assert_false(str_copy(buf, 4, "你好"));
    assert_string_equal(buf, "你");
    assert_false(str_copy(buf, 3, "你好"));
    assert_string_equal(buf, "");
    /* A 4-byte emoji after ASCII. */
    assert_false(str_copy(buf, 5, "ab\xF0\x9F\x98\x80"));
    assert_string_equal(buf, "ab");
    assert_true(str_copy(buf, 7, "ab\xF0\x9F\x98\x80"));
    assert_string_equal(buf, "ab\xF0\x9F\x98\x80");
    /* A combining sequence may lose its mark but never half of a character. */
    assert_false(str_copy(buf, 3, "e\xCC\x81"));
    assert_string_equal(buf, "e");
}

/* For every buffer size the copy is a valid UTF-8 prefix of the source. */
static void
test_str_copy_never_cuts(void **state)
{
    static const char src[] = "受理12345热线\xF0\x9F\x93\x9E" "call é ok 回访";
    char buf[sizeof src + 4];

    (void)state;
    for (size_t sz = 1; sz <= sizeof buf; sz++) {
        bool whole = str_copy(buf, sz, src);
        size_t n = strlen(buf);

        assert_true(n < sz);
        assert_true(text_utf8_valid(buf, n));
        assert_memory_equal(buf, src, n);
        assert_int_equal(whole, sz > strlen(src));
        if (!whole)
            assert_true(sz - 1 - n <= 3);                /* at most a partial sequence dropped */
    }
}

/* str_append appends within the buffer, with the same boundary rule. */
static void
test_str_append(void **state)
{
    char buf[10];

    (void)state;
    str_copy(buf, sizeof buf, "ab");
    assert_true(str_append(buf, sizeof buf, "cd"));
    assert_string_equal(buf, "abcd");
    assert_true(str_append(buf, sizeof buf, ""));
    assert_string_equal(buf, "abcd");
    assert_false(str_append(buf, sizeof buf, "你好"));   /* room for 5 bytes: one character */
    assert_string_equal(buf, "abcd你");
    assert_false(str_append(buf, sizeof buf, "xyz"));    /* room for 2 more bytes */
    assert_string_equal(buf, "abcd你xy");
    assert_false(str_append(buf, sizeof buf, "z"));      /* full */
    assert_string_equal(buf, "abcd你xy");
    assert_true(str_append(buf, sizeof buf, NULL));
    /* A destination without a NUL inside its size is refused. */
    memset(buf, 'x', sizeof buf);
    assert_false(str_append(buf, sizeof buf, "y"));
}

/* str_to_long accepts whole decimal numbers in range and nothing else. */
static void
test_str_to_long(void **state)
{
    long v = 0;
    char buf[64];

    (void)state;
    assert_true(str_to_long("0", 0, 10, &v));
    assert_int_equal(v, 0);
    assert_true(str_to_long("42", 0, 100, &v));
    assert_int_equal(v, 42);
    assert_true(str_to_long("-17", -100, 100, &v));
    assert_int_equal(v, -17);
    assert_true(str_to_long("+5", 0, 10, &v));
    assert_int_equal(v, 5);
    assert_true(str_to_long("007", 0, 10, &v));          /* decimal, not octal */
    assert_int_equal(v, 7);
    /* Range bounds are inclusive. */
    assert_true(str_to_long("1", 1, 7, &v));
    assert_int_equal(v, 1);
    assert_true(str_to_long("7", 1, 7, &v));
    assert_int_equal(v, 7);
    v = 99;
    assert_false(str_to_long("0", 1, 7, &v));
    assert_false(str_to_long("8", 1, 7, &v));
    assert_int_equal(v, 99);                             /* untouched on failure */
    /* Extremes of long and one past them. */
    snprintf(buf, sizeof buf, "%ld", LONG_MAX);
    assert_true(str_to_long(buf, LONG_MIN, LONG_MAX, &v));
    assert_true(v == LONG_MAX);
    snprintf(buf, sizeof buf, "%ld", LONG_MIN);
    assert_true(str_to_long(buf, LONG_MIN, LONG_MAX, &v));
    assert_true(v == LONG_MIN);
    v = 99;
    assert_false(str_to_long("9223372036854775808", LONG_MIN, LONG_MAX, &v));
    assert_false(str_to_long("-9223372036854775809", LONG_MIN, LONG_MAX, &v));
    assert_false(str_to_long("99999999999999999999999", LONG_MIN, LONG_MAX, &v));
    assert_int_equal(v, 99);
    /* Junk anywhere. */
    assert_false(str_to_long(NULL, 0, 10, &v));
    assert_false(str_to_long("", 0, 10, &v));
    assert_false(str_to_long("-", -10, 10, &v));
    assert_false(str_to_long("+", -10, 10, &v));
    assert_false(str_to_long("12a", 0, 100, &v));
    assert_false(str_to_long("a12", 0, 100, &v));
    assert_false(str_to_long("1.5", 0, 100, &v));
    assert_false(str_to_long("0x10", 0, 100, &v));
    assert_false(str_to_long("1e3", 0, 10000, &v));
    assert_false(str_to_long("12 ", 0, 100, &v));
    assert_false(str_to_long(" 12", 0, 100, &v));
    assert_false(str_to_long("\t12", 0, 100, &v));
    assert_false(str_to_long("\n12", 0, 100, &v));
    assert_false(str_to_long("- 5", -10, 10, &v));
    assert_false(str_to_long("--5", -10, 10, &v));
    assert_false(str_to_long("１２", 0, 100, &v));      /* full-width digits are not decimal here */
    assert_int_equal(v, 99);
}

/* str_empty and str_starts_with. */
static void
test_str_predicates(void **state)
{
    (void)state;
    assert_true(str_empty(NULL));
    assert_true(str_empty(""));
    assert_false(str_empty(" "));
    assert_true(str_starts_with("HL20261122-000042", "HL"));
    assert_true(str_starts_with("abc", ""));
    assert_true(str_starts_with("abc", "abc"));
    assert_false(str_starts_with("abc", "abcd"));
    assert_false(str_starts_with("ab", "b"));
    assert_true(str_starts_with("工单", "工"));
}

/* A strbuf grows from empty through many doublings and stays NUL-terminated. */
static void
test_strbuf_growth(void **state)
{
    struct strbuf sb;
    size_t last_cap = 0;
    int grew = 0;
    char *s;

    (void)state;
    strbuf_init(&sb);
    assert_null(sb.buf);
    assert_int_equal(sb.len, 0);
    assert_int_equal(sb.cap, 0);
    for (int i = 0; i < 5000; i++) {
        strbuf_addc(&sb, (char)('a' + i % 26));
        assert_int_equal(sb.len, (size_t)i + 1);
        assert_true(sb.cap > sb.len);
        assert_int_equal(sb.buf[sb.len], '\0');
        if (sb.cap != last_cap) {
            grew++;
            last_cap = sb.cap;
        }
    }
    assert_true(grew >= 7 && grew <= 10);                /* doubling, not one step per byte */
    assert_int_equal(sb.buf[0], 'a');
    assert_int_equal(sb.buf[25], 'z');
    assert_int_equal(sb.buf[26], 'a');
    assert_int_equal(sb.buf[4999], (char)('a' + 4999 % 26));

    /* Reset keeps the memory and empties the string. */
    strbuf_reset(&sb);
    assert_int_equal(sb.len, 0);
    assert_int_equal(sb.cap, last_cap);
    assert_string_equal(sb.buf, "");
    strbuf_adds(&sb, "受理");
    strbuf_add(&sb, "abc", 2);
    strbuf_addf(&sb, "-%03d-%s", 7, "x");
    strbuf_addf(&sb, "%s", "");
    assert_string_equal(sb.buf, "受理ab-007-x");
    assert_int_equal(sb.len, strlen("受理ab-007-x"));

    /* Bytes after an embedded NUL are kept and counted. */
    strbuf_reset(&sb);
    strbuf_add(&sb, "a\0b", 3);
    assert_int_equal(sb.len, 3);
    assert_memory_equal(sb.buf, "a\0b", 4);

    /* Room reserved once: the appends it covers do not move the buffer. */
    strbuf_fini(&sb);
    strbuf_adds(&sb, "{");
    strbuf_reserve(&sb, 70000);
    assert_true(sb.cap >= 70002);
    last_cap = sb.cap;
    s = sb.buf;
    for (int i = 0; i < 70; i++) {
        char block[1000];

        memset(block, 'a' + i % 26, sizeof block);
        strbuf_add(&sb, block, sizeof block);
    }
    assert_ptr_equal(sb.buf, s);
    assert_int_equal(sb.cap, last_cap);
    assert_int_equal(sb.len, 70001);
    assert_int_equal(sb.buf[0], '{');
    assert_int_equal(sb.buf[70000], 'a' + 69 % 26);
    assert_int_equal(sb.buf[70001], '\0');
    strbuf_reserve(&sb, 0);
    assert_int_equal(sb.cap, last_cap);

    /* Detach hands over the string and leaves an empty buffer. */
    strbuf_reset(&sb);
    strbuf_adds(&sb, "done");
    s = strbuf_detach(&sb);
    assert_string_equal(s, "done");
    assert_null(sb.buf);
    assert_int_equal(sb.len, 0);
    assert_int_equal(sb.cap, 0);
    free(s);
    s = strbuf_detach(&sb);                               /* empty: still a string */
    assert_string_equal(s, "");
    free(s);

    /* One large formatted append bigger than the current capacity. */
    strbuf_adds(&sb, "x");
    strbuf_addf(&sb, "%0500d", 1);
    assert_int_equal(sb.len, 501);
    assert_int_equal(sb.buf[500], '1');
    assert_int_equal(sb.buf[501], '\0');
    strbuf_fini(&sb);
    assert_null(sb.buf);
    strbuf_fini(&sb);                                     /* twice is harmless */
}

/* Write len bytes of data to path. */
static void
write_file(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");

    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* file_read_all reads whole files up to the cap and refuses larger ones with EFBIG. */
static void
test_file_read_all(void **state)
{
    char dir[] = "/tmp/hotline-test-util-XXXXXX";
    char *path;
    char *big;
    char *s;
    size_t len = 12345;
    const size_t big_len = 20000;   /* more than one internal read chunk */

    (void)state;
    assert_non_null(mkdtemp(dir));
    path = xasprintf("%s/f.txt", dir);

    write_file(path, "你好\nworld", 12);
    s = file_read_all(path, 1024, &len);
    assert_non_null(s);
    assert_int_equal(len, 12);
    assert_string_equal(s, "你好\nworld");
    free(s);
    s = file_read_all(path, 12, &len);                    /* exactly the cap */
    assert_non_null(s);
    assert_int_equal(len, 12);
    free(s);
    len = 777;
    errno = 0;
    assert_null(file_read_all(path, 11, &len));           /* one byte over */
    assert_int_equal(errno, EFBIG);
    assert_int_equal(len, 777);                           /* untouched on failure */
    s = file_read_all(path, 100, NULL);                   /* len_out may be NULL */
    assert_string_equal(s, "你好\nworld");
    free(s);

    /* Empty file: an empty string, not NULL. */
    write_file(path, "", 0);
    s = file_read_all(path, 0, &len);
    assert_non_null(s);
    assert_int_equal(len, 0);
    assert_string_equal(s, "");
    free(s);

    /* Embedded NUL bytes are read and counted; the result is NUL-terminated. */
    write_file(path, "a\0b", 3);
    s = file_read_all(path, 10, &len);
    assert_int_equal(len, 3);
    assert_memory_equal(s, "a\0b", 4);
    free(s);

    /* Larger than one read chunk. */
    big = xmalloc(big_len);
    for (size_t i = 0; i < big_len; i++)
        big[i] = (char)('0' + i % 10);
    write_file(path, big, big_len);
    s = file_read_all(path, big_len, &len);
    assert_non_null(s);
    assert_int_equal(len, big_len);
    assert_memory_equal(s, big, big_len);
    assert_int_equal(s[big_len], '\0');
    free(s);
    errno = 0;
    assert_null(file_read_all(path, big_len - 1, &len));
    assert_int_equal(errno, EFBIG);
    errno = 0;
    assert_null(file_read_all(path, 100, &len));
    assert_int_equal(errno, EFBIG);
    free(big);

    /* Missing file and directory. */
    assert_int_equal(unlink(path), 0);
    errno = 0;
    assert_null(file_read_all(path, 100, &len));
    assert_int_equal(errno, ENOENT);
    errno = 0;
    assert_null(file_read_all(dir, 100, &len));
    assert_int_not_equal(errno, 0);

    assert_int_equal(rmdir(dir), 0);
    free(path);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alloc),
        cmocka_unit_test(test_xasprintf),
        cmocka_unit_test(test_str_copy),
        cmocka_unit_test(test_str_copy_never_cuts),
        cmocka_unit_test(test_str_append),
        cmocka_unit_test(test_str_to_long),
        cmocka_unit_test(test_str_predicates),
        cmocka_unit_test(test_strbuf_growth),
        cmocka_unit_test(test_file_read_all),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
