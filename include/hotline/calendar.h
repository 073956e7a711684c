/* calendar: the official holiday calendar with make-up working days, working-day arithmetic and deadlines. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hotline/datetime.h"
#include "hotline/err.h"
#include "hotline/tz.h"

struct calendar;

/* What kind of day a date is. */
enum day_kind {
    DAY_WORKDAY,          /* Monday-Friday, no holiday */
    DAY_WEEKEND,          /* Saturday or Sunday, not a make-up day */
    DAY_HOLIDAY,          /* inside an official holiday range */
    DAY_MAKEUP_WORKDAY,   /* weekend day worked in exchange (调休上班) */
};

/* How "N working days" ends. */
enum deadline_mode {
    DEADLINE_END_OF_DAY,  /* 23:59:59 local on the Nth working day after the day of acceptance */
    DEADLINE_SAME_TIME,   /* the acceptance clock time on that day */
};

/* Parse the holiday calendar JSON (format of data/holidays-cn.json). NULL + e on error. */
struct calendar *calendar_parse(const char *json, size_t len, struct err *e);
/* Load the holiday calendar from a file; errors name the file. */
struct calendar *calendar_load(const char *path, struct err *e);
/* Free a calendar and NULL the pointer; accepts NULL. */
void calendar_free(struct calendar **cal);
/* Version tag recorded on each ticket's deadline, e.g. "holidays-cn/1:2024-2026"; borrowed. */
const char *calendar_version(const struct calendar *cal);
/* True when the year is loaded. */
bool calendar_has_year(const struct calendar *cal, int year);
/* First and last loaded years (0 when empty). */
void calendar_year_range(const struct calendar *cal, int *first, int *last);
/* True when a year is loaded but marked unconfirmed. */
bool calendar_year_unconfirmed(const struct calendar *cal, int year);
/* Kind of a day number; *fallback (may be NULL) is set true when its year is not loaded
 * and the plain Monday-Friday rule was used, false otherwise. holiday_name (may be NULL) gets the
 * Chinese holiday name for DAY_HOLIDAY (borrowed), else NULL. */
enum day_kind calendar_day_kind(const struct calendar *cal, int64_t day, bool *fallback,
                                const char **holiday_name);
/* True when the day number is a working day (see calendar_day_kind for fallback). */
bool calendar_is_workday(const struct calendar *cal, int64_t day, bool *fallback);
/* The nth working day strictly after day (n >= 1); n == 0 returns day itself; n < 0 gives
 * the |n|th working day strictly before day. *fallback is set true when any day examined
 * lies outside the loaded years, false otherwise. */
int64_t calendar_add_workdays(const struct calendar *cal, int64_t day, int n, bool *fallback);
/* Number of working days strictly after from_day up to and including to_day (0 when to <= from). */
int calendar_workdays_between(const struct calendar *cal, int64_t from_day, int64_t to_day,
                              bool *fallback);

/* One official holiday range (inclusive day numbers); strings borrowed from the calendar. */
struct calendar_holiday {
    int64_t from, to;
    const char *name_zh;    /* "春节" */
    const char *name_en;    /* "Spring Festival", or NULL when the file has none */
};

/* Number of holiday ranges loaded, all years together. */
size_t calendar_holiday_count(const struct calendar *cal);
/* The i-th holiday range in order of start date; false when i is out of range. */
bool calendar_holiday_get(const struct calendar *cal, size_t i, struct calendar_holiday *out);

/* A computed deadline. */
struct deadline {
    hl_time due;            /* the instant */
    bool fallback;          /* a year outside the calendar was involved */
    char warning[192];      /* set when fallback: a sentence the caller can show */
};

/* Deadline n working days after instant from, in zone tz (NULL: UTC), per mode: the Nth
 * working day strictly after the local date of from (n <= 0: that date itself). */
void calendar_deadline(const struct calendar *cal, const struct tz *tz, hl_time from, int n,
                       enum deadline_mode mode, struct deadline *out);
