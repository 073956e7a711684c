/* datetime (ui): a "YYYY-MM-DD HH:MM" input field with validation through the core's datetime. */
#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "ui/datetime.h"

void
datetime_field_init(struct datetime_field *f)
{
    edit_init(&f->ed, DATETIME_FIELD_LEN, false);
}

void
datetime_field_fini(struct datetime_field *f)
{
    edit_fini(&f->ed);
}

enum edit_result
datetime_field_key(struct datetime_field *f, const struct key_event *ev)
{
    wint_t c = ev->ch;

    if (!ev->keycode && c >= 32 && c != 127) {
        if (c >= '0' && c <= '9') {
            /* Typing at the end: put in the separator the format needs next. */
            if (f->ed.cur == f->ed.len) {
                static const char seps[] = {[4] = '-', [7] = '-', [10] = ' ', [13] = ':'};
                size_t at = f->ed.len;

                if (at < sizeof seps && seps[at] != '\0' && f->ed.chars + 2 <= DATETIME_FIELD_LEN)
                    edit_insert(&f->ed, (uint32_t)seps[at]);
            }
            return edit_insert(&f->ed, (uint32_t)c) ? EDIT_CHANGED : EDIT_REFUSED;
        }
        if (c == '-' || c == ':' || c == ' ')
            return edit_insert(&f->ed, (uint32_t)c) ? EDIT_CHANGED : EDIT_REFUSED;
        return EDIT_REFUSED;
    }
    return edit_key(&f->ed, c, ev->keycode, 0);
}

/* Read exactly n digits at s into *out. */
static bool
digits(const char *s, int n, int *out)
{
    int v = 0;

    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

int
datetime_field_parse(const char *s, struct civil_time *out, struct err *e)
{
    int y, mo, d, h, mi;

    memset(out, 0, sizeof *out);
    if (strlen(s) != DATETIME_FIELD_LEN || s[4] != '-' || s[7] != '-' || s[10] != ' '
        || s[13] != ':' || !digits(s, 4, &y) || !digits(s + 5, 2, &mo) || !digits(s + 8, 2, &d)
        || !digits(s + 11, 2, &h) || !digits(s + 14, 2, &mi))
        return err_set(e, HL_EINVAL, "datetime",
                       _("'%s' is not a date and time like 2026-11-22 14:30"), s);
    if (y < 1900 || y > 9999)
        return err_set(e, HL_EINVAL, "datetime", _("year %d is out of range"), y);
    if (!datetime_valid_date(y, mo, d))
        return err_set(e, HL_EINVAL, "datetime", _("%04d-%02d-%02d is not a date"), y, mo, d);
    if (h > 23 || mi > 59)
        return err_set(e, HL_EINVAL, "datetime", _("%02d:%02d is not a time of day"), h, mi);
    out->year = y;
    out->month = mo;
    out->day = d;
    out->hour = h;
    out->minute = mi;
    out->weekday = datetime_weekday(datetime_days_from_civil(y, mo, d));
    return HL_OK;
}

int
datetime_field_value(const struct datetime_field *f, const struct tz *tz, hl_time *out,
                     struct err *e)
{
    struct civil_time ct;
    int rc = datetime_field_parse(edit_text(&f->ed), &ct, e);

    if (rc != HL_OK)
        return rc;
    *out = tz_from_civil(tz, ct.year, ct.month, ct.day, ct.hour, ct.minute, 0);
    return HL_OK;
}

void
datetime_field_set(struct datetime_field *f, const struct tz *tz, hl_time t)
{
    struct civil_time ct;
    char buf[32];

    tz_to_civil(tz, t, &ct);
    snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d", ct.year, ct.month, ct.day, ct.hour,
             ct.minute);
    edit_set(&f->ed, buf);
}
