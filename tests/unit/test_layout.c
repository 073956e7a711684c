/* Tests for layout without a terminal: screen regions, centred boxes, text wrapping by width,
 * the tab bar, the status bar and dialog sizes. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "hotline/util.h"
#include "ui/dialog.h"
#include "ui/draw.h"
#include "ui/layout.h"
#include "ui/statusbar.h"
#include "ui/tabbar.h"

/* Assert a rectangle. */
static void
check_rect(struct rect r, int y, int x, int h, int w)
{
    assert_int_equal(r.y, y);
    assert_int_equal(r.x, x);
    assert_int_equal(r.h, h);
    assert_int_equal(r.w, w);
}

/* Regions at 80x24 and 120x40; below 80x24 only the message. */
static void
test_regions(void **state)
{
    struct layout l;
    struct rect body = {1, 0, 21, 80};

    (void)state;
    layout_compute(24, 80, &l);
    assert_false(l.too_small);
    check_rect(l.tabbar, 0, 0, 1, 80);
    check_rect(l.body, 1, 0, 21, 80);
    check_rect(l.footer, 22, 0, 1, 80);
    check_rect(l.status, 23, 0, 1, 80);
    layout_compute(40, 120, &l);
    check_rect(l.body, 1, 0, 37, 120);
    check_rect(l.status, 39, 0, 1, 120);
    layout_compute(20, 60, &l);
    assert_true(l.too_small);
    check_rect(l.body, 0, 0, 20, 60);
    layout_compute(24, 79, &l);
    assert_true(l.too_small);
    layout_compute(23, 80, &l);
    assert_true(l.too_small);
    check_rect(layout_center(&body, 10, 40), 6, 20, 10, 40);
    check_rect(layout_center(&body, 30, 100), 1, 0, 21, 80);
}

/* Wrap text and compare lines. */
static void
check_wrap(const char *s, int width, size_t n, const char *const *want)
{
    struct draw_line lines[16];
    size_t got = draw_wrap(s, width, lines, ARRAY_SIZE(lines));

    assert_int_equal(got, n);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(lines[i].len, strlen(want[i]));
        assert_memory_equal(s + lines[i].off, want[i], lines[i].len);
    }
}

static void
test_wrap(void **state)
{
    static const char *const w1[] = {"hello", "world"};
    static const char *const w2[] = {"ab cd", "ef"};
    static const char *const w3[] = {"你好", "世界"};
    static const char *const w4[] = {"a", "b"};
    static const char *const w5[] = {"a", ""};
    static const char *const w6[] = {""};
    static const char *const w7[] = {"abcd", "efgh", "ij"};
    static const char *const w8[] = {"call", "12345 热", "线"};
    static const char *const w9[] = {"未连接：没有配置", "服务器。"};
    struct draw_line l[2];

    (void)state;
    check_wrap("hello world", 5, 2, w1);
    check_wrap("ab cd ef", 5, 2, w2);
    check_wrap("你好世界", 5, 2, w3);
    check_wrap("a\nb", 10, 2, w4);
    check_wrap("a\n", 10, 2, w5);
    check_wrap("", 10, 1, w6);
    check_wrap("abcdefghij", 4, 3, w7);
    check_wrap("call 12345 热线", 8, 3, w8);
    check_wrap("未连接：没有配置服务器。", 16, 2, w9);
    /* Only max lines are filled, the count is still the whole text's. */
    assert_int_equal(draw_wrap("a b c d e", 1, l, 2), 5);
    assert_int_equal(l[1].off, 2);
    assert_int_equal(l[0].width, 1);
}

/* Tabs laid out from the left, each " N label " wide, side by side; they stop at the width. */
static void
test_tabbar(void **state)
{
    const char *en[] = {"Intake", "Tickets", "Knowledge base", "Callbacks"};
    const char *zh[] = {"受理", "工单", "知识库", "回访"};
    int x[TABBAR_MAX];
    int w[TABBAR_MAX];

    (void)state;
    assert_int_equal(tabbar_layout(en, 4, 80, x, w), 4);
    assert_int_equal(x[0], 0);
    assert_int_equal(w[0], 10);
    assert_int_equal(x[1], 10);
    assert_int_equal(w[1], 11);
    assert_int_equal(x[2], 21);
    assert_int_equal(w[2], 18);
    assert_int_equal(x[3], 39);
    assert_int_equal(w[3], 13);
    assert_int_equal(tabbar_layout(zh, 4, 80, x, w), 4);
    assert_int_equal(w[0], 8);
    assert_int_equal(x[1], 8);
    assert_int_equal(x[2], 16);
    assert_int_equal(w[2], 10);
    assert_int_equal(x[3], 26);
    assert_int_equal(tabbar_layout(zh, 4, 20, x, w), 2);
}

/* The status bar: connection left, clock right, the message gets the middle. */
static void
test_statusbar(void **state)
{
    struct statusbar sb;
    struct statusbar_layout l;

    (void)state;
    statusbar_init(&sb);
    statusbar_set_conn(&sb, "no server", SLOT_WARN);
    memcpy(sb.clock, "19:06", 6);
    statusbar_layout(&sb, 80, &l);
    assert_int_equal(l.conn_w, 11);
    assert_int_equal(l.right_w, 6);
    assert_int_equal(l.right_x, 74);
    assert_int_equal(l.msg_x, 12);
    assert_int_equal(l.msg_w, 61);
    statusbar_set_counts(&sb, "outbox: 2 waiting");
    statusbar_layout(&sb, 80, &l);
    assert_int_equal(l.right_w, 25);
    assert_int_equal(l.msg_w, 42);
    statusbar_set_conn(&sb, "未连接", SLOT_WARN);
    statusbar_layout(&sb, 80, &l);
    assert_int_equal(l.conn_w, 8);
    statusbar_set_message(&sb, "x", SLOT_ERROR);
    assert_string_equal(sb.msg, "x");
    statusbar_set_message(&sb, NULL, SLOT_STATUS);
    assert_null(sb.msg);
    statusbar_fini(&sb);
}

/* A dialog is sized by its wrapped message and centred in the body. */
static void
test_dialog_rect(void **state)
{
    struct dialog d;
    struct rect body = {1, 0, 21, 80};

    (void)state;
    dialog_init(&d, DIALOG_YESNO, "Quit", "Quit and lose it?");
    check_rect(dialog_rect(&d, &body), 9, 26, 5, 28);
    dialog_fini(&d);
    /* A long message wraps at 56 columns; the box is its widest line (51) plus the frame. */
    dialog_init(&d, DIALOG_OK, "Error",
                "The server refused the change because another agent saved this ticket first; "
                "both versions are shown.");
    check_rect(dialog_rect(&d, &body), 8, 12, 6, 55);
    dialog_fini(&d);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_regions),
        cmocka_unit_test(test_wrap),
        cmocka_unit_test(test_tabbar),
        cmocka_unit_test(test_statusbar),
        cmocka_unit_test(test_dialog_rect),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
