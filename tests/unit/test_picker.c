/* Tests for the picker: incremental filtering over the real category tree (Chinese labels and
 * dotted codes), selection and the keys. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hotline/util.h"
#include "ui/picker.h"

/* The category tree flattened into picker items (strings owned by the cJSON tree). */
struct tree {
    cJSON *root;
    struct picker_item items[512];
    size_t n;
};

/* Append a node and its children. */
static void
walk(struct tree *t, const cJSON *arr, int depth)
{
    const cJSON *c;

    cJSON_ArrayForEach(c, arr) {
        assert_true(t->n < ARRAY_SIZE(t->items));
        t->items[t->n].code = cJSON_GetObjectItem(c, "code")->valuestring;
        t->items[t->n].label = cJSON_GetObjectItem(c, "label")->valuestring;
        t->items[t->n].depth = depth;
        t->n++;
        walk(t, cJSON_GetObjectItem(c, "children"), depth + 1);
    }
}

/* Load data/categories-cn.json. */
static int
setup(void **state)
{
    struct tree *t = xcalloc(1, sizeof *t);
    const char *dir = getenv("HOTLINE_DATA");
    char *path = xasprintf("%s/categories-cn.json", dir != NULL ? dir : "data");
    size_t len;
    char *text = file_read_all(path, 4 << 20, &len);

    assert_non_null(text);
    t->root = cJSON_Parse(text);
    assert_non_null(t->root);
    walk(t, cJSON_GetObjectItem(t->root, "content_categories"), 0);
    free(text);
    free(path);
    *state = t;
    return 0;
}

/* Free the tree. */
static int
teardown(void **state)
{
    struct tree *t = *state;

    cJSON_Delete(t->root);
    free(t);
    return 0;
}

/* "噪声" finds the four noise categories by label, in tree order. */
static void
test_chinese_label(void **state)
{
    struct tree *t = *state;
    struct picker p;

    assert_int_equal(t->n, 168);
    picker_init(&p, t->items, t->n);
    assert_int_equal(picker_count(&p), 168);
    picker_set_filter(&p, "噪声");
    assert_int_equal(picker_count(&p), 4);
    assert_string_equal(picker_match(&p, 0)->code, "urban.env.night_construction_noise");
    assert_string_equal(picker_match(&p, 1)->code, "urban.env.social_noise");
    assert_string_equal(picker_match(&p, 2)->code, "urban.env.industrial_noise");
    assert_string_equal(picker_match(&p, 3)->code, "justice.civil.entertainment_noise");
    assert_null(picker_match(&p, 4));
    assert_string_equal(picker_selected(&p)->label, "夜间施工噪声");
    /* A single character narrows as well: 噪 appears only in those four. */
    picker_set_filter(&p, "噪");
    assert_int_equal(picker_count(&p), 4);
    picker_set_filter(&p, "没有这个");
    assert_int_equal(picker_count(&p), 0);
    assert_null(picker_selected(&p));
    picker_fini(&p);
}

/* "urban.env" matches codes; terms combine; ASCII ignores case; Chinese and code mix. */
static void
test_codes_and_terms(void **state)
{
    struct tree *t = *state;
    struct picker p;

    picker_init(&p, t->items, t->n);
    picker_set_filter(&p, "urban.env");
    assert_int_equal(picker_count(&p), 36);
    assert_string_equal(picker_match(&p, 0)->code, "urban.env");
    assert_string_equal(picker_match(&p, 0)->label, "城建环保");
    assert_int_equal(picker_match(&p, 0)->depth, 0);
    assert_int_equal(picker_match(&p, 1)->depth, 1);
    picker_set_filter(&p, "URBAN.ENV noise");
    assert_int_equal(picker_count(&p), 3);
    picker_set_filter(&p, "  噪声   urban ");
    assert_int_equal(picker_count(&p), 3);
    assert_string_equal(picker_match(&p, 2)->code, "urban.env.industrial_noise");
    picker_set_filter(&p, "");
    assert_int_equal(picker_count(&p), 168);
    picker_fini(&p);
}

/* picker_matches on hand-made items. */
static void
test_matches(void **state)
{
    struct picker_item gas = {"urban.env.gas_supply", "供气", 1};
    struct picker_item none = {NULL, NULL, 0};

    (void)state;
    assert_true(picker_matches(&gas, ""));
    assert_true(picker_matches(&gas, "供气"));
    assert_true(picker_matches(&gas, "Gas"));
    assert_true(picker_matches(&gas, "气 supply"));
    assert_false(picker_matches(&gas, "气 water"));
    assert_false(picker_matches(&gas, "燃气"));
    assert_false(picker_matches(&none, "x"));
    assert_true(picker_matches(&none, " "));
}

/* Typing filters, arrows move, Enter chooses, Esc cancels, Backspace widens again. */
static void
test_keys(void **state)
{
    struct tree *t = *state;
    struct picker p;
    struct key_event ev;

    picker_init(&p, t->items, t->n);
    ev = keys_resolve(NULL, 0x566A, false);     /* 噪 */
    assert_int_equal(picker_key(&p, &ev), PICKER_NONE);
    ev = keys_resolve(NULL, 0x58F0, false);     /* 声 */
    assert_int_equal(picker_key(&p, &ev), PICKER_NONE);
    assert_string_equal(input_text(&p.filter), "噪声");
    assert_int_equal(picker_count(&p), 4);
    ev = keys_resolve(NULL, KEY_DOWN, true);
    assert_int_equal(picker_key(&p, &ev), PICKER_NONE);
    assert_string_equal(picker_selected(&p)->code, "urban.env.social_noise");
    /* 'j' is text here, not a movement. */
    ev = keys_resolve(NULL, 'j', false);
    picker_key(&p, &ev);
    assert_int_equal(picker_count(&p), 0);
    ev = keys_resolve(NULL, '\r', false);
    assert_int_equal(picker_key(&p, &ev), PICKER_NONE);
    ev = keys_resolve(NULL, 127, false);
    picker_key(&p, &ev);
    assert_int_equal(picker_count(&p), 4);
    ev = keys_resolve(NULL, '\r', false);
    assert_int_equal(picker_key(&p, &ev), PICKER_CHOSEN);
    assert_string_equal(picker_selected(&p)->code, "urban.env.night_construction_noise");
    ev = keys_resolve(NULL, 27, false);
    assert_int_equal(picker_key(&p, &ev), PICKER_CANCEL);
    ev = keys_resolve(NULL, KEY_F(5), true);
    assert_int_equal(picker_key(&p, &ev), PICKER_UNHANDLED);
    picker_fini(&p);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_chinese_label, setup, teardown),
        cmocka_unit_test_setup_teardown(test_codes_and_terms, setup, teardown),
        cmocka_unit_test(test_matches),
        cmocka_unit_test_setup_teardown(test_keys, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
