/* tz: IANA time zones read from the system's TZif files, independent of TZ and the machine's zone. */
#pragma once

#include "hotline/datetime.h"
#include "hotline/err.h"

struct tz;

/* Load a zone by IANA name ("Asia/Shanghai") from $TZDIR or /usr/share/zoneinfo; names
 * starting with '/' or containing ".." are refused. "UTC" works without zoneinfo files.
 * Returns NULL and fills e when the name is unknown or the file is bad. Free with tz_free. */
struct tz *tz_load(const char *name, struct err *e);
/* Parse TZif data (RFC 8536, versions 1-4; the footer TZ string of version 2+ serves
 * instants past the last transition). name is kept for tz_name and error messages.
 * Returns NULL and fills e when the data is malformed. Free with tz_free. */
struct tz *tz_parse(const char *name, const unsigned char *data, size_t len, struct err *e);
/* A zone with a fixed offset in seconds east of UTC (for tests and "UTC"). */
struct tz *tz_fixed(const char *name, int offset);
/* Free a zone and NULL the pointer; accepts NULL. */
void tz_free(struct tz **tz);
/* The zone's name; borrowed, valid while the zone lives. */
const char *tz_name(const struct tz *tz);
/* UTC offset in seconds in force at an instant. */
int tz_offset_at(const struct tz *tz, hl_time t);
/* Local civil time of an instant. */
void tz_to_civil(const struct tz *tz, hl_time t, struct civil_time *out);
/* Instant of a local civil time; in a gap the time is moved forward past it,
 * in an overlap the earlier instant is taken. */
hl_time tz_from_civil(const struct tz *tz, int year, int month, int day,
                      int hour, int minute, int second);
/* Format an instant as RFC 3339 with the zone's offset at that instant (buf >= 26). */
void tz_format_rfc3339(const struct tz *tz, hl_time t, char *buf, size_t sz);
