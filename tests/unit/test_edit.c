/* Tests for the edit buffer: Chinese, combining marks, paste, limits, width-based scrolling,
 * word motions and the multi-line wrap with up/down keeping the column. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "keys.h"
#include "ui/edit.h"

#define NI "\xE4\xBD\xA0"      /* 你 */
#define HAO "\xE5\xA5\xBD"     /* 好 */
#define ACUTE "\xCC\x81"       /* U+0301 COMBINING ACUTE ACCENT */

/* Insert "你好", move, insert between, backspace by character. */
static void
test_chinese_insert_move_backspace(void **state)
{
    struct edit e;

    (void)state;
    edit_init(&e, 0, false);
    assert_true(edit_insert(&e, 0x4F60));
    assert_true(edit_insert(&e, 0x597D));
    assert_string_equal(edit_text(&e), NI HAO);
    assert_int_equal(e.len, 6);
    assert_int_equal(edit_chars(&e), 2);
    assert_int_equal(e.cur, 6);
    assert_int_equal(edit_cursor_col(&e), 4);
    assert_true(e.modified);
    assert_true(edit_left(&e));
    assert_int_equal(e.cur, 3);
    assert_int_equal(edit_cursor_col(&e), 2);
    assert_true(edit_insert(&e, 'a'));
    assert_string_equal(edit_text(&e), NI "a" HAO);
    assert_int_equal(e.cur, 4);
    assert_true(edit_backspace(&e));
    assert_string_equal(edit_text(&e), NI HAO);
    assert_int_equal(e.cur, 3);
    assert_true(edit_backspace(&e));
    assert_string_equal(edit_text(&e), HAO);
    assert_int_equal(e.cur, 0);
    assert_false(edit_backspace(&e));
    assert_false(edit_left(&e));
    assert_true(edit_right(&e));
    assert_int_equal(e.cur, 3);
    assert_false(edit_right(&e));
    assert_true(edit_home(&e));
    assert_true(edit_delete(&e));
    assert_string_equal(edit_text(&e), "");
    assert_int_equal(edit_chars(&e), 0);
    edit_fini(&e);
}

/* A 10-column window over 12 columns of Chinese keeps the cursor visible by width. */
static void
test_scroll_by_width(void **state)
{
    struct edit e;
    size_t first;
    int x;

    (void)state;
    edit_init(&e, 0, false);
    assert_int_equal(edit_insert_str(&e, NI HAO NI HAO NI HAO), 6);
    edit_view(&e, 10, &first, &x);
    /* 12 columns before the cursor, 9 may show (one cell for the cursor): skip 2 characters. */
    assert_int_equal(first, 6);
    assert_int_equal(x, 8);
    edit_home(&e);
    edit_view(&e, 10, &first, &x);
    assert_int_equal(first, 0);
    assert_int_equal(x, 0);
    edit_end(&e);
    edit_view(&e, 10, &first, &x);
    assert_int_equal(first, 6);
    assert_int_equal(x, 8);
    /* Shorter text scrolls back so the window is not left half empty. */
    edit_backspace(&e);
    edit_backspace(&e);
    edit_view(&e, 10, &first, &x);
    assert_int_equal(first, 0);
    assert_int_equal(x, 8);
    /* Ten ASCII columns with the cursor at the end: one column scrolls off. */
    edit_set(&e, "0123456789");
    assert_false(e.modified);
    edit_view(&e, 10, &first, &x);
    assert_int_equal(first, 1);
    assert_int_equal(x, 9);
    /* Mixed: "ab你好cd" is 8 columns and fits a 10-column window with its cursor. */
    edit_set(&e, "ab" NI HAO "cd");
    edit_view(&e, 10, &first, &x);
    assert_int_equal(first, 0);
    assert_int_equal(x, 8);
    edit_view(&e, 6, &first, &x);
    /* 8 columns, 5 may show: skip "ab" (2) and 你 (2) -> 好cd = 4 columns. */
    assert_int_equal(first, 5);
    assert_int_equal(x, 4);
    edit_fini(&e);
}

/* A base and its combining marks are one character for moving and deleting. */
static void
test_combining_marks(void **state)
{
    struct edit e;

    (void)state;
    edit_init(&e, 0, false);
    assert_false(edit_insert(&e, 0x0301));       /* nothing to sit on */
    assert_true(edit_insert(&e, 'e'));
    assert_true(edit_insert(&e, 0x0301));
    assert_string_equal(edit_text(&e), "e" ACUTE);
    assert_int_equal(edit_chars(&e), 2);
    assert_int_equal(edit_cursor_col(&e), 1);
    assert_true(edit_left(&e));
    assert_int_equal(e.cur, 0);
    assert_true(edit_right(&e));
    assert_int_equal(e.cur, 3);
    assert_true(edit_insert(&e, 'b'));
    edit_home(&e);
    assert_true(edit_delete(&e));
    assert_string_equal(edit_text(&e), "b");
    assert_int_equal(edit_chars(&e), 1);
    edit_set(&e, "a" ACUTE ACUTE "b");
    assert_int_equal(edit_chars(&e), 4);
    assert_true(edit_left(&e));
    assert_int_equal(e.cur, 5);
    assert_true(edit_backspace(&e));
    assert_string_equal(edit_text(&e), "b");
    /* Invisible format characters are refused: they would not draw as stored. */
    edit_set(&e, "x");
    assert_false(edit_insert(&e, 0x200B));       /* zero-width space */
    assert_false(edit_insert(&e, 0x202E));       /* right-to-left override */
    assert_false(edit_insert(&e, 0x1B));         /* ESC */
    assert_false(edit_insert(&e, '\n'));         /* one-line buffer */
    assert_string_equal(edit_text(&e), "x");
    edit_fini(&e);
}

/* A paste is filtered: tabs and newlines become spaces in one line, controls go away. */
static void
test_paste_mixed(void **state)
{
    struct edit e;

    (void)state;
    edit_init(&e, 0, false);
    assert_int_equal(edit_insert_str(&e, "\xE5\xB7\xA5\xE5\x8D\x95\tHL2026\r\nok\x1b[31m"), 16);
    assert_string_equal(edit_text(&e), "\xE5\xB7\xA5\xE5\x8D\x95 HL2026 ok[31m");
    assert_int_equal(edit_chars(&e), 16);
    edit_set(&e, "x\xFFy");
    assert_string_equal(edit_text(&e), "x\xEF\xBF\xBDy");
    assert_int_equal(edit_chars(&e), 3);
    edit_fini(&e);

    edit_init(&e, 0, true);
    assert_int_equal(edit_insert_str(&e, "a\r\nb\rc\n"), 6);
    assert_string_equal(edit_text(&e), "a\nb\nc\n");
    edit_fini(&e);
}

/* The limit counts code points; a full buffer refuses more until something is deleted. */
static void
test_max_length(void **state)
{
    struct edit e;

    (void)state;
    edit_init(&e, 5, false);
    assert_int_equal(edit_insert_str(&e, "\xE4\xBD\xA0\xE5\xA5\xBD\xE4\xB8\x96\xE7\x95\x8C"
                                         "\xE5\x92\x8C\xE5\xB9\xB3"), 5);     /* 你好世界和平 */
    assert_string_equal(edit_text(&e), "\xE4\xBD\xA0\xE5\xA5\xBD\xE4\xB8\x96\xE7\x95\x8C"
                                       "\xE5\x92\x8C");
    assert_false(edit_insert(&e, 'x'));
    assert_int_equal(edit_key(&e, 'x', false, 0), EDIT_REFUSED);
    assert_true(edit_backspace(&e));
    assert_true(edit_insert(&e, 'x'));
    assert_int_equal(edit_chars(&e), 5);
    edit_fini(&e);
}

/* Word motions over ASCII words, Chinese runs and Chinese punctuation; Ctrl-W, Ctrl-U, Ctrl-K. */
static void
test_words(void **state)
{
    struct edit e;

    (void)state;
    edit_init(&e, 0, false);
    edit_set(&e, "hello world");
    assert_true(edit_word_left(&e));
    assert_int_equal(e.cur, 6);
    assert_true(edit_word_left(&e));
    assert_int_equal(e.cur, 0);
    assert_false(edit_word_left(&e));
    assert_true(edit_word_right(&e));
    assert_int_equal(e.cur, 6);
    assert_true(edit_word_right(&e));
    assert_int_equal(e.cur, 11);
    /* 你好，世界: a CJK run, full-width punctuation, a CJK run. */
    edit_set(&e, NI HAO "\xEF\xBC\x8C\xE4\xB8\x96\xE7\x95\x8C");
    assert_true(edit_word_left(&e));
    assert_int_equal(e.cur, 9);
    assert_true(edit_word_left(&e));
    assert_int_equal(e.cur, 6);
    assert_true(edit_word_left(&e));
    assert_int_equal(e.cur, 0);
    edit_set(&e, "foo bar");
    assert_true(edit_delete_word(&e));
    assert_string_equal(edit_text(&e), "foo ");
    assert_int_equal(e.cur, 4);
    edit_set(&e, "foo bar");
    edit_word_left(&e);
    assert_true(edit_kill_end(&e));
    assert_string_equal(edit_text(&e), "foo ");
    assert_true(edit_kill_start(&e));
    assert_string_equal(edit_text(&e), "");
    edit_fini(&e);
}

/* Keys map to editing operations; non-editing keys pass through. */
static void
test_keys(void **state)
{
    struct edit e;

    (void)state;
    edit_init(&e, 0, false);
    assert_int_equal(edit_key(&e, 'q', false, 0), EDIT_CHANGED);
    assert_int_equal(edit_key(&e, 0x4F60, false, 0), EDIT_CHANGED);
    assert_string_equal(edit_text(&e), "q" NI);
    assert_int_equal(edit_key(&e, KEY_LEFT, true, 0), EDIT_MOVED);
    assert_int_equal(edit_key(&e, KEYS_CTRL('a'), false, 0), EDIT_MOVED);
    assert_int_equal(e.cur, 0);
    assert_int_equal(edit_key(&e, KEY_LEFT, true, 0), EDIT_REFUSED);
    assert_int_equal(edit_key(&e, KEY_END, true, 0), EDIT_MOVED);
    assert_int_equal(edit_key(&e, 127, false, 0), EDIT_CHANGED);
    assert_string_equal(edit_text(&e), "q");
    assert_int_equal(edit_key(&e, '\r', false, 0), EDIT_UNHANDLED);
    assert_int_equal(edit_key(&e, KEY_UP, true, 0), EDIT_UNHANDLED);
    assert_int_equal(edit_key(&e, KEY_F(1), true, 0), EDIT_UNHANDLED);
    assert_int_equal(edit_key(&e, '\t', false, 0), EDIT_UNHANDLED);
    assert_int_equal(edit_key(&e, KEYS_WORD_LEFT, true, 0), EDIT_MOVED);
    assert_int_equal(e.cur, 0);
    edit_fini(&e);
}

/* Wrapping by width: CJK rows, a full row gets an empty row for the cursor, trailing newline. */
static void
test_wrap(void **state)
{
    struct edit e;
    struct edit_row *rows;
    size_t n;
    size_t row;
    int col;

    (void)state;
    edit_init(&e, 0, true);
    edit_set(&e, NI HAO NI HAO NI HAO);
    rows = edit_wrap(&e, 10, &n);
    assert_int_equal(n, 2);
    assert_int_equal(rows[0].start, 0);
    assert_int_equal(rows[0].end, 15);
    assert_int_equal(rows[0].width, 10);
    assert_false(rows[0].last_of_line);
    assert_int_equal(rows[1].start, 15);
    assert_int_equal(rows[1].end, 18);
    assert_int_equal(rows[1].width, 2);
    assert_true(rows[1].last_of_line);
    free(rows);
    edit_cursor_rc(&e, 10, &row, &col);
    assert_int_equal(row, 1);
    assert_int_equal(col, 2);

    /* Nine columns: a wide character never splits, the row keeps a gap. */
    rows = edit_wrap(&e, 9, &n);
    assert_int_equal(n, 2);
    assert_int_equal(rows[0].end, 12);
    assert_int_equal(rows[0].width, 8);
    free(rows);

    edit_set(&e, "abcd");
    rows = edit_wrap(&e, 4, &n);
    assert_int_equal(n, 2);
    assert_int_equal(rows[0].end, 4);
    assert_false(rows[0].last_of_line);
    assert_int_equal(rows[1].start, 4);
    assert_int_equal(rows[1].end, 4);
    free(rows);
    edit_cursor_rc(&e, 4, &row, &col);
    assert_int_equal(row, 1);
    assert_int_equal(col, 0);
    edit_home(&e);
    edit_cursor_rc(&e, 4, &row, &col);
    assert_int_equal(row, 0);

    edit_set(&e, "ab\n");
    rows = edit_wrap(&e, 10, &n);
    assert_int_equal(n, 2);
    assert_int_equal(rows[0].end, 2);
    assert_int_equal(rows[1].start, 3);
    free(rows);

    edit_set(&e, "");
    rows = edit_wrap(&e, 10, &n);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].end, 0);
    free(rows);
    edit_fini(&e);
}

/* Up and down keep the column across a short line and wide characters. */
static void
test_up_down(void **state)
{
    struct edit e;

    (void)state;
    edit_init(&e, 0, true);
    edit_set(&e, "abcdefgh\nab\nabcdefgh");
    assert_int_equal(e.cur, 20);
    assert_true(edit_up(&e, 20));
    assert_int_equal(e.cur, 11);          /* end of "ab" */
    assert_true(edit_up(&e, 20));
    assert_int_equal(e.cur, 8);           /* column 8 again */
    assert_false(edit_up(&e, 20));
    assert_true(edit_down(&e, 20));
    assert_int_equal(e.cur, 11);
    assert_true(edit_down(&e, 20));
    assert_int_equal(e.cur, 20);
    assert_false(edit_down(&e, 20));
    assert_int_equal(edit_key(&e, KEY_DOWN, true, 20), EDIT_UNHANDLED);

    /* Wide characters: column 2 of the last row is column 2 above (after 你). */
    edit_set(&e, NI HAO NI HAO NI HAO);
    assert_true(edit_up(&e, 10));
    assert_int_equal(e.cur, 3);
    assert_true(edit_down(&e, 10));
    assert_int_equal(e.cur, 18);
    /* Column 3 falls inside a wide character: the cursor stops before it. */
    edit_set(&e, "abc\n" NI HAO);
    edit_home(&e);
    edit_right(&e);
    edit_up(&e, 10);
    edit_end(&e);
    assert_int_equal(e.cur, 3);
    assert_true(edit_down(&e, 10));
    assert_int_equal(e.cur, 7);
    /* Enter inserts a newline in a multi-line buffer. */
    assert_int_equal(edit_key(&e, '\r', false, 10), EDIT_CHANGED);
    assert_string_equal(edit_text(&e), "abc\n" NI "\n" HAO);
    assert_int_equal(edit_scroll_rows(&e, 10, 2), 1);
    edit_fini(&e);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chinese_insert_move_backspace),
        cmocka_unit_test(test_scroll_by_width),
        cmocka_unit_test(test_combining_marks),
        cmocka_unit_test(test_paste_mixed),
        cmocka_unit_test(test_max_length),
        cmocka_unit_test(test_words),
        cmocka_unit_test(test_keys),
        cmocka_unit_test(test_wrap),
        cmocka_unit_test(test_up_down),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
