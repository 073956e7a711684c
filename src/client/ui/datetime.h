/* datetime (ui): a "YYYY-MM-DD HH:MM" input field with validation through the core's datetime. */
#pragma once

#include <curses.h>
#include <stdbool.h>

#include "hotline/datetime.h"
#include "hotline/err.h"
#include "hotline/tz.h"
#include "keys.h"
#include "ui/edit.h"

/* Characters in "YYYY-MM-DD HH:MM". */
#define DATETIME_FIELD_LEN 16

/* A date-time field. */
struct datetime_field {
    struct edit ed;
};

/* An empty field. */
void datetime_field_init(struct datetime_field *f);
/* Free the field. */
void datetime_field_fini(struct datetime_field *f);
/* Apply a key: digits (separators are typed for you at the end of the text), '-', ':', ' ',
 * and editing keys; other printable characters are refused (EDIT_REFUSED). */
enum edit_result datetime_field_key(struct datetime_field *f, const struct key_event *ev);
/* Parse "YYYY-MM-DD HH:MM" into out (seconds 0); HL_EINVAL with a message saying what is wrong. */
int datetime_field_parse(const char *s, struct civil_time *out, struct err *e);
/* The field's instant in zone tz; HL_EINVAL as datetime_field_parse. */
int datetime_field_value(const struct datetime_field *f, const struct tz *tz, hl_time *out,
                         struct err *e);
/* Show an instant in zone tz. */
void datetime_field_set(struct datetime_field *f, const struct tz *tz, hl_time t);
