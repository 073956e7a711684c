/* Tests for the input widgets' logic: history, the date-time field with its validation,
 * the checkbox and the dialog's keys. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "hotline/tz.h"
#include "keys.h"
#include "ui/checkbox.h"
#include "ui/datetime.h"
#include "ui/dialog.h"
#include "ui/input.h"

/* A key event as the app would make it. */
static struct key_event
key(wint_t ch, bool keycode)
{
    return keys_resolve(NULL, ch, keycode);
}

/* Up and Down walk the history and come back to the line being typed. */
static void
test_history(void **state)
{
    struct input in;
    struct key_event ev;

    (void)state;
    input_init(&in, 100, 3);
    input_history_add(&in, "a");
    input_history_add(&in, "b");
    input_history_add(&in, "b");
    input_history_add(&in, "");
    assert_int_equal(in.nhist, 2);
    ev = key('x', false);
    assert_int_equal(input_key(&in, &ev), INPUT_CHANGED);
    ev = key(KEY_UP, true);
    assert_int_equal(input_key(&in, &ev), INPUT_HANDLED);
    assert_string_equal(input_text(&in), "b");
    input_key(&in, &ev);
    assert_string_equal(input_text(&in), "a");
    input_key(&in, &ev);
    assert_string_equal(input_text(&in), "a");
    ev = key(KEY_DOWN, true);
    input_key(&in, &ev);
    assert_string_equal(input_text(&in), "b");
    input_key(&in, &ev);
    assert_string_equal(input_text(&in), "x");
    input_key(&in, &ev);
    assert_string_equal(input_text(&in), "x");
    /* The oldest line goes when the history is full. */
    input_history_add(&in, "c");
    input_history_add(&in, "d");
    assert_int_equal(in.nhist, 3);
    assert_string_equal(in.hist[0], "b");
    ev = key('\r', false);
    assert_int_equal(input_key(&in, &ev), INPUT_SUBMIT);
    ev = key(27, false);
    assert_int_equal(input_key(&in, &ev), INPUT_CANCEL);
    ev = key(KEY_F(1), true);
    assert_int_equal(input_key(&in, &ev), INPUT_UNHANDLED);
    ev = key('q', false);     /* 'q' is text in a field, not quit */
    assert_int_equal(input_key(&in, &ev), INPUT_CHANGED);
    assert_string_equal(input_text(&in), "xq");
    input_fini(&in);
}

/* Digits typed at the end get their separators; other characters are refused. */
static void
test_datetime_typing(void **state)
{
    struct datetime_field f;
    const char *digits = "202611221430";
    struct key_event ev;

    (void)state;
    datetime_field_init(&f);
    for (const char *p = digits; *p != '\0'; p++) {
        ev = key((wint_t)*p, false);
        assert_int_equal(datetime_field_key(&f, &ev), EDIT_CHANGED);
    }
    assert_string_equal(edit_text(&f.ed), "2026-11-22 14:30");
    ev = key('5', false);
    assert_int_equal(datetime_field_key(&f, &ev), EDIT_REFUSED);     /* full */
    ev = key('a', false);
    assert_int_equal(datetime_field_key(&f, &ev), EDIT_REFUSED);
    ev = key(127, false);
    assert_int_equal(datetime_field_key(&f, &ev), EDIT_CHANGED);
    assert_string_equal(edit_text(&f.ed), "2026-11-22 14:3");
    datetime_field_fini(&f);
}

/* Parsing says exactly what is wrong; the value is the instant in the given zone. */
static void
test_datetime_parse(void **state)
{
    struct datetime_field f;
    struct civil_time ct;
    struct err e;
    struct tz *cst = tz_fixed("CST", 8 * 3600);
    hl_time t;

    (void)state;
    err_clear(&e);
    assert_int_equal(datetime_field_parse("2026-11-22 14:30", &ct, &e), HL_OK);
    assert_int_equal(ct.year, 2026);
    assert_int_equal(ct.month, 11);
    assert_int_equal(ct.day, 22);
    assert_int_equal(ct.hour, 14);
    assert_int_equal(ct.minute, 30);
    assert_int_equal(ct.weekday, 7);
    assert_int_equal(datetime_field_parse("2026-02-30 10:00", &ct, &e), HL_EINVAL);
    assert_string_equal(e.msg, "2026-02-30 is not a date");
    assert_int_equal(datetime_field_parse("2026-11-22 24:00", &ct, &e), HL_EINVAL);
    assert_string_equal(e.msg, "24:00 is not a time of day");
    assert_int_equal(datetime_field_parse("2026-11-2", &ct, &e), HL_EINVAL);
    assert_string_equal(e.msg, "'2026-11-2' is not a date and time like 2026-11-22 14:30");
    assert_int_equal(datetime_field_parse("2026/11/22 14:30", &ct, &e), HL_EINVAL);
    assert_int_equal(datetime_field_parse("1899-12-31 23:59", &ct, &e), HL_EINVAL);
    assert_string_equal(e.msg, "year 1899 is out of range");
    datetime_field_init(&f);
    edit_set(&f.ed, "2026-11-22 14:30");
    assert_int_equal(datetime_field_value(&f, cst, &t, &e), HL_OK);
    assert_int_equal(t, 1795329000);
    datetime_field_set(&f, cst, 1795329000 + 3600 * 10);
    assert_string_equal(edit_text(&f.ed), "2026-11-23 00:30");
    datetime_field_fini(&f);
    tz_free(&cst);
}

/* Space and Enter toggle a checkbox; other keys do not. */
static void
test_checkbox(void **state)
{
    struct checkbox cb = {false};
    struct key_event ev;

    (void)state;
    ev = key(' ', false);
    assert_true(checkbox_key(&cb, &ev));
    assert_true(cb.checked);
    ev = key('\r', false);
    assert_true(checkbox_key(&cb, &ev));
    assert_false(cb.checked);
    ev = key('x', false);
    assert_false(checkbox_key(&cb, &ev));
    assert_false(cb.checked);
}

/* A question defaults to No; y/n answer at once; arrows switch; Esc is No. A message's keys. */
static void
test_dialog_keys(void **state)
{
    struct dialog d;
    struct key_event ev;

    (void)state;
    dialog_init(&d, DIALOG_YESNO, "Quit", "Quit?");
    ev = key('\r', false);
    assert_int_equal(dialog_key(&d, &ev), DIALOG_NO);
    ev = key(KEY_RIGHT, true);
    assert_int_equal(dialog_key(&d, &ev), DIALOG_OPEN);
    assert_int_equal(d.sel, 0);
    ev = key('\r', false);
    assert_int_equal(dialog_key(&d, &ev), DIALOG_YES);
    ev = key('n', false);
    assert_int_equal(dialog_key(&d, &ev), DIALOG_NO);
    ev = key('Y', false);
    assert_int_equal(dialog_key(&d, &ev), DIALOG_YES);
    ev = key(27, false);
    assert_int_equal(dialog_key(&d, &ev), DIALOG_NO);
    ev = key('x', false);
    assert_int_equal(dialog_key(&d, &ev), DIALOG_OPEN);
    dialog_fini(&d);
    dialog_init(&d, DIALOG_OK, "Note", "Saved.");
    ev = key('y', false);
    assert_int_equal(dialog_key(&d, &ev), DIALOG_OPEN);
    ev = key(27, false);
    assert_int_equal(dialog_key(&d, &ev), DIALOG_YES);
    ev = key('\r', false);
    assert_int_equal(dialog_key(&d, &ev), DIALOG_YES);
    dialog_fini(&d);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_history),
        cmocka_unit_test(test_datetime_typing),
        cmocka_unit_test(test_datetime_parse),
        cmocka_unit_test(test_checkbox),
        cmocka_unit_test(test_dialog_keys),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
