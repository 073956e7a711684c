/* phone: normalising Chinese phone numbers so a caller is matched however the number was typed. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* What a number is. */
enum phone_kind {
    PHONE_INVALID = 0,
    PHONE_MOBILE,      /* 1[3-9]x, 11 digits */
    PHONE_LANDLINE,    /* area code + local number, stored as "0" + area + local */
    PHONE_SERVICE,     /* 400/800 numbers, 95xxx/96xxx and 1xxxx short service numbers */
};

/* A normalised number. */
struct phone {
    enum phone_kind kind;
    char number[24];   /* canonical digits: the key for matching ("13812345678", "01012345678") */
    char ext[12];      /* extension digits, "" when none */
};

/* Normalise a typed number: drops spaces, dashes, dots, brackets, a +86 / 0086 / 86 prefix,
 * splits an extension ("ext", "x", "转", "#", or a trailing "-NNNN" after a full landline).
 * A landline given without area code gets default_area ("010", may be NULL or "").
 * Returns the kind; PHONE_INVALID leaves out empty. */
enum phone_kind phone_normalize(const char *in, const char *default_area, struct phone *out);
/* Canonical text: number plus ",ext" when there is an extension (buf >= 40). */
void phone_format(const struct phone *p, char *buf, size_t sz);
