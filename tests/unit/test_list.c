/* Tests for the list: selection and paging over virtual rows, column layout at 80 and 200
 * columns, and rows cut by display width with CJK. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "ui/list.h"

/* A ticket list's columns. */
static const struct list_column ticket_cols[] = {
    {"ID", 17, 17, 0, false},
    {"Status", 6, 8, 0, false},
    {"Due", 11, 16, 1, false},
    {"Category", 8, 24, 2, false},
    {"Title", 10, 0, 3, false},
    {"Caller", 8, 12, 1, false},
};

/* 80 columns: minimums take 65 with gaps; 15 spare go by flex weight (7 in all). */
static void
test_layout_80(void **state)
{
    int w[6];
    int sum = 0;

    (void)state;
    assert_int_equal(list_layout(ticket_cols, 6, 80, 1, w), 6);
    assert_int_equal(w[0], 17);
    assert_int_equal(w[1], 6);
    assert_int_equal(w[2], 14);
    assert_int_equal(w[3], 12);
    assert_int_equal(w[4], 16);
    assert_int_equal(w[5], 10);
    for (int i = 0; i < 6; i++)
        sum += w[i];
    assert_int_equal(sum + 5, 80);
}

/* 200 columns: capped columns reach their maximum, the title takes the rest. */
static void
test_layout_200(void **state)
{
    int w[6];

    (void)state;
    assert_int_equal(list_layout(ticket_cols, 6, 200, 1, w), 6);
    assert_int_equal(w[0], 17);
    assert_int_equal(w[1], 6);
    assert_int_equal(w[2], 16);
    assert_int_equal(w[3], 24);
    assert_int_equal(w[4], 120);
    assert_int_equal(w[5], 12);
}

/* Too narrow for every minimum: columns drop from the right; the rest still fill the width. */
static void
test_layout_narrow(void **state)
{
    int w[6];
    static const struct list_column fixed[] = {
        {"A", 5, 5, 0, false},
        {"B", 5, 5, 0, false},
    };

    (void)state;
    assert_int_equal(list_layout(ticket_cols, 6, 40, 1, w), 3);
    assert_int_equal(w[0], 17);
    assert_int_equal(w[1], 6);
    assert_int_equal(w[2], 15);
    assert_int_equal(w[3], 0);
    assert_int_equal(w[4], 0);
    assert_int_equal(w[5], 0);
    assert_int_equal(list_layout(ticket_cols, 6, 10, 1, w), 0);
    assert_int_equal(w[0], 0);
    /* No flexible column: the spare room stays unused. */
    assert_int_equal(list_layout(fixed, 2, 30, 2, w), 2);
    assert_int_equal(w[0], 5);
    assert_int_equal(w[1], 5);
}

/* Cells are cut by display width with an ellipsis and padded; numbers right-aligned. */
static void
test_format_row_cjk(void **state)
{
    static const struct list_column cols[] = {
        {"ID", 6, 6, 0, false},
        {"Title", 10, 10, 0, false},
        {"N", 5, 5, 0, true},
    };
    const char *cells[] = {"HL0001", "噪声扰民投诉处理", "12"};
    const char *cells2[] = {"HL\x1b[2J", "ok", NULL};
    int widths[] = {6, 10, 5};
    int skip[] = {6, 0, 5};
    char *row;

    (void)state;
    row = list_format_row(cols, cells, widths, 3, 1);
    /* 16 columns of Chinese in 10: four characters (8) and "…" (1), one space of padding. */
    assert_string_equal(row, "HL0001 噪声扰民… " " " "   12");
    free(row);
    row = list_format_row(cols, cells, skip, 3, 2);
    assert_string_equal(row, "HL0001     12");
    free(row);
    /* Escape sequences from the wire are made visible, never passed through. */
    row = list_format_row(cols, cells2, widths, 3, 1);
    assert_null(strchr(row, '\x1b'));
    assert_true(strncmp(row, "HL\xE2\x90\x9B[2J", 7) == 0);
    free(row);
}

/* Selection, paging (to the page edge first, then a page), home/end over 10,000 virtual rows. */
static void
test_navigation(void **state)
{
    struct list l;

    (void)state;
    list_init(&l);
    assert_false(list_cmd(&l, CMD_DOWN));
    list_set_count(&l, 100);
    list_set_height(&l, 10);
    assert_true(list_cmd(&l, CMD_DOWN));
    assert_int_equal(l.sel, 1);
    assert_true(list_cmd(&l, CMD_PAGE_DOWN));
    assert_int_equal(l.sel, 9);
    assert_int_equal(l.top, 0);
    assert_true(list_cmd(&l, CMD_PAGE_DOWN));
    assert_int_equal(l.sel, 18);
    assert_int_equal(l.top, 9);
    assert_true(list_cmd(&l, CMD_PAGE_UP));
    assert_int_equal(l.sel, 9);
    assert_true(list_cmd(&l, CMD_PAGE_UP));
    assert_int_equal(l.sel, 0);
    assert_int_equal(l.top, 0);
    assert_false(list_cmd(&l, CMD_PAGE_UP));
    assert_false(list_cmd(&l, CMD_UP));
    assert_true(list_cmd(&l, CMD_END));
    assert_int_equal(l.sel, 99);
    assert_int_equal(l.top, 90);
    assert_false(list_cmd(&l, CMD_DOWN));
    list_set_count(&l, 5);
    assert_int_equal(l.sel, 4);
    assert_int_equal(l.top, 0);
    list_set_count(&l, 10000);
    assert_true(list_cmd(&l, CMD_END));
    assert_int_equal(l.sel, 9999);
    assert_int_equal(l.top, 9990);
    assert_true(list_move(&l, -5000));
    assert_int_equal(l.sel, 4999);
    assert_int_equal(l.top, 4999);
    assert_true(list_cmd(&l, CMD_HOME));
    assert_int_equal(l.top, 0);
    assert_false(list_cmd(&l, CMD_ENTER));
    list_set_count(&l, 0);
    assert_int_equal(l.sel, 0);
    assert_false(list_cmd(&l, CMD_END));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout_80),
        cmocka_unit_test(test_layout_200),
        cmocka_unit_test(test_layout_narrow),
        cmocka_unit_test(test_format_row_cjk),
        cmocka_unit_test(test_navigation),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
