/* phone: normalising Chinese phone numbers so a caller is matched however the number was typed.
 *
 * Accepted spellings, all reduced to one key in struct phone.number:
 * - separators: spaces (also U+3000 and no-break space), '-' (and the Unicode dashes),
 *   '.', '(', ')'; full-width forms (U+FF01-FF5E: "１３８", "（０１０）", "＋８６") count as
 *   their ASCII twins;
 * - a country prefix "+86" or "0086" before any mobile, landline or 400/800 number; a bare
 *   "86" only when the number is not valid without it ("86 13812345678",
 *   "86 10 12345678"); after a country prefix the area code may come with or without its
 *   leading 0 ("+86 10 12345678" -> "01012345678"); other country codes are invalid;
 * - mobile: 11 digits 1[3-9]xxxxxxxxx, also with a leading trunk 0 ("013812345678");
 * - landline: 010 or 02x (3 digits) or 0[3-9]xx (4 digits) + a 7-8 digit local number,
 *   stored as area + local ("01012345678", "075512345678");
 * - a local number alone (7-8 digits, not starting with 0 or 1) takes default_area when
 *   one is given (with or without its 0). Without a (valid) default area it is still a
 *   PHONE_LANDLINE, with number = the local digits only: the caller is not turned away,
 *   but such a key only matches the same local number typed without area code. An
 *   invalid default_area is ignored the same way;
 * - service: 400/800 + 7 digits; 95 or 96 + 3-4 digits (95198, 956100); 5-digit short
 *   numbers 10xxx/11xxx/12xxx (10086, 12345, 12315); the 3-digit emergency and public
 *   numbers 110 112 114 117 119 120 121 122. Short numbers are not accepted after a
 *   country prefix;
 * - extension, 1-8 digits, only on a landline or a service number: after "转", "分机",
 *   "ext", "ext.", "x", "#", ",", ";" (a marker may be followed by spaces, '.' or ':'), or a
 *   third dash group after a complete landline whose local group has 7-8 digits
 *   ("010-12345678-123"). That dash rule wins over reading the digits as one longer local
 *   number ("0912-1234567-8" is 09121234567 extension 8);
 * - anything else (letters, other characters, wrong lengths, a mobile with an extension,
 *   more than 128 bytes of input) is PHONE_INVALID.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "hotline/phone.h"
#include "hotline/text.h"
#include "hotline/util.h"

#define MAX_INPUT 128
#define MAX_DIGITS 20
#define MAX_EXT 8
#define EXT_MARK '\001'   /* internal stand-in for "转" and "分机" */

/* Reset a result to PHONE_INVALID with empty fields. */
static void
clear(struct phone *p)
{
    p->kind = PHONE_INVALID;
    p->number[0] = '\0';
    p->ext[0] = '\0';
}

/* True for characters that only separate digit groups. */
static bool
is_sep(char c)
{
    return c == ' ' || c == '\t' || c == '-' || c == '.' || c == '(' || c == ')';
}

/* True when c is an ASCII digit. */
static bool
is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* ASCII spelling of one code point of phone input; 0 when it has none. */
static char
ascii_of(uint32_t cp)
{
    if (cp >= 'A' && cp <= 'Z')
        return (char)(cp - 'A' + 'a');
    if (cp >= 0x20 && cp < 0x7F)
        return (char)cp;
    if (cp == '\t')
        return ' ';
    if (cp >= 0xFF21 && cp <= 0xFF3A)
        return (char)(cp - 0xFF21 + 'a');
    if (cp >= 0xFF01 && cp <= 0xFF5E)
        return (char)(cp - 0xFF01 + 0x21);
    if (cp == 0x3000 || cp == 0x00A0 || cp == 0x202F || (cp >= 0x2000 && cp <= 0x200A))
        return ' ';
    if ((cp >= 0x2010 && cp <= 0x2015) || cp == 0x2212 || cp == 0xFE63)
        return '-';
    if (cp == 0x8F6C)            /* 转 */
        return EXT_MARK;
    return 0;
}

/* Fold the input into lower-case ASCII in buf (size MAX_INPUT + 1); false on foreign characters. */
static bool
fold_input(const char *in, char *buf)
{
    size_t len = strnlen(in, MAX_INPUT + 1);
    size_t i = 0;
    size_t o = 0;

    if (len > MAX_INPUT)
        return false;
    while (i < len) {
        uint32_t cp;
        uint32_t next = 0;
        size_t n = text_utf8_decode(in + i, len - i, &cp);
        char c;

        if (cp == 0xFFFD && n == 1)
            return false;
        i += n;
        if (i < len)
            text_utf8_decode(in + i, len - i, &next);
        if (cp == 0x5206 && next == 0x673A) {        /* 分机, maybe followed by 号 */
            i += 3;
            if (i < len && text_utf8_decode(in + i, len - i, &next) == 3 && next == 0x53F7)
                i += 3;
            c = EXT_MARK;
        } else {
            c = ascii_of(cp);
        }
        if (c == 0)
            return false;
        buf[o++] = c;            /* o <= i <= MAX_INPUT: every character takes at least a byte */
    }
    buf[o] = '\0';
    return true;
}

/* Split an extension marker off buf (cut in place); ext gets its digits. False when malformed. */
static bool
split_ext(char *buf, char *ext, size_t extsz)
{
    char *mark = NULL;
    char *p;
    size_t n;

    ext[0] = '\0';
    for (p = buf; *p != '\0'; p++) {
        if (*p == EXT_MARK || *p == '#' || *p == ',' || *p == ';' || *p == 'x') {
            mark = p;
            p++;
            break;
        }
        if (strncmp(p, "ext", 3) == 0) {
            mark = p;
            p += 3;
            break;
        }
    }
    if (mark == NULL)
        return true;
    *mark = '\0';
    while (*p == ' ' || *p == '.' || *p == ':')
        p++;
    n = strspn(p, "0123456789");
    if (n == 0 || n > MAX_EXT || n >= extsz)
        return false;
    memcpy(ext, p, n);
    ext[n] = '\0';
    p += n;
    while (*p == ' ')
        p++;
    return *p == '\0';
}

/* Digits of s without separators into d (size MAX_DIGITS + 1); *plus tells a leading '+'. */
static bool
collect_digits(const char *s, char *d, bool *plus)
{
    size_t o = 0;

    *plus = false;
    for (; *s != '\0'; s++) {
        if (is_sep(*s))
            continue;
        if (*s == '+' && o == 0 && !*plus) {
            *plus = true;
            continue;
        }
        if (!is_digit(*s) || o >= MAX_DIGITS)
            return false;
        d[o++] = *s;
    }
    d[o] = '\0';
    return o > 0;
}

/* Length of the area code that starts d ("0..."); 0 when d does not start with one. */
static size_t
area_len(const char *d)
{
    if (d[0] != '0')
        return 0;
    if (d[1] == '1')
        return d[2] == '0' ? 3 : 0;
    if (d[1] == '2')
        return is_digit(d[2]) ? 3 : 0;
    if (d[1] >= '3' && d[1] <= '9')
        return is_digit(d[2]) && is_digit(d[3]) ? 4 : 0;
    return 0;
}

/* Set out to kind and number; returns kind. */
static enum phone_kind
found(struct phone *out, enum phone_kind kind, const char *a, const char *b)
{
    out->kind = kind;
    str_copy(out->number, sizeof out->number, a);
    str_append(out->number, sizeof out->number, b);
    return kind;
}

/* True for 11 digits of a mainland mobile number. */
static bool
is_mobile(const char *d, size_t len)
{
    return len == 11 && d[0] == '1' && d[1] >= '3' && d[1] <= '9';
}

/* True for a service number: 400/800, 95xxx/96xxx, 1xxxx and the 3-digit public numbers. */
static bool
is_service(const char *d, size_t len)
{
    static const char *const three[] = { "110", "112", "114", "117", "119", "120", "121", "122" };

    if (len == 10)
        return strncmp(d, "400", 3) == 0 || strncmp(d, "800", 3) == 0;
    if ((len == 5 || len == 6) && d[0] == '9' && (d[1] == '5' || d[1] == '6'))
        return true;
    if (len == 5)
        return d[0] == '1' && d[1] >= '0' && d[1] <= '2';
    if (len == 3) {
        for (size_t i = 0; i < ARRAY_SIZE(three); i++) {
            if (strcmp(d, three[i]) == 0)
                return true;
        }
    }
    return false;
}

/* Classify d starting with an area code; PHONE_INVALID when the local part is wrong. */
static enum phone_kind
landline(const char *d, struct phone *out)
{
    size_t len = strlen(d);
    size_t area = area_len(d);
    size_t local;

    if (area == 0 || len <= area)
        return PHONE_INVALID;
    local = len - area;
    if (local < 7 || local > 8 || d[area] == '0')
        return PHONE_INVALID;
    return found(out, PHONE_LANDLINE, d, "");
}

/* The default area code in canonical "0..." form into buf (size 8); false when unusable. */
static bool
canonical_area(const char *area, char *buf)
{
    char d[MAX_DIGITS + 1];
    bool plus;
    size_t len;

    if (str_empty(area) || strlen(area) > 16 || !collect_digits(area, d, &plus) || plus)
        return false;
    len = strlen(d);
    if (len > 4)
        return false;
    if (d[0] == '0') {
        memcpy(buf, d, len + 1);
    } else {
        buf[0] = '0';
        memcpy(buf + 1, d, len + 1);
        len++;
    }
    return area_len(buf) == len;
}

/* Classify national digits d; intl when a country prefix came before them. */
static enum phone_kind
national(const char *d, bool intl, const char *default_area, struct phone *out)
{
    size_t len = strlen(d);
    char area[8];
    char with0[MAX_DIGITS + 2];

    if (len == 0)
        return PHONE_INVALID;
    if (is_mobile(d, len))
        return found(out, PHONE_MOBILE, d, "");
    if (d[0] == '0' && is_mobile(d + 1, len - 1))
        return found(out, PHONE_MOBILE, d + 1, "");
    if (len == 10 && is_service(d, len))
        return found(out, PHONE_SERVICE, d, "");
    if (d[0] == '0')
        return landline(d, out);
    if (intl) {
        if (len >= sizeof with0 - 1)
            return PHONE_INVALID;
        with0[0] = '0';
        memcpy(with0 + 1, d, len + 1);
        return landline(with0, out);
    }
    if ((len == 7 || len == 8) && d[0] >= '2' && d[0] <= '9') {
        if (canonical_area(default_area, area))
            return found(out, PHONE_LANDLINE, area, d);
        return found(out, PHONE_LANDLINE, d, "");
    }
    if (is_service(d, len))
        return found(out, PHONE_SERVICE, d, "");
    return PHONE_INVALID;
}

/* Classify a main part (no extension marker) with its separators. */
static enum phone_kind
classify(const char *s, const char *default_area, struct phone *out)
{
    char d[MAX_DIGITS + 1];
    bool plus;
    enum phone_kind kind;

    if (!collect_digits(s, d, &plus))
        return PHONE_INVALID;
    if (plus) {
        if (strncmp(d, "86", 2) != 0)
            return PHONE_INVALID;
        return national(d + 2, true, NULL, out);
    }
    if (strncmp(d, "0086", 4) == 0)
        return national(d + 4, true, NULL, out);
    kind = national(d, false, default_area, out);
    if (kind == PHONE_INVALID && strncmp(d, "86", 2) == 0 && strlen(d) >= 11)
        kind = national(d + 2, true, NULL, out);
    return kind;
}

/* Split "010-12345678-123" style extensions off s (cut in place) into ext. */
static void
split_dash_ext(char *s, char *ext, size_t extsz)
{
    char *last = strrchr(s, '-');
    char *prev;
    char *tail;
    size_t n;
    size_t digits = 0;
    struct phone probe;

    if (last == NULL || last == s)
        return;
    *last = '\0';
    prev = strrchr(s, '-');
    *last = '-';
    if (prev == NULL)
        return;
    tail = last + 1;
    while (*tail == ' ')
        tail++;
    n = strspn(tail, "0123456789");
    if (n == 0 || n > MAX_EXT || n >= extsz || strspn(tail + n, " ") != strlen(tail + n))
        return;
    for (const char *p = prev + 1; p < last; p++) {
        if (is_digit(*p))
            digits++;
        else if (*p != ' ')
            return;
    }
    if (digits < 7 || digits > 8)
        return;
    *last = '\0';
    clear(&probe);
    if (classify(s, NULL, &probe) != PHONE_LANDLINE || strlen(probe.number) <= 8) {
        *last = '-';
        return;
    }
    memcpy(ext, tail, n);
    ext[n] = '\0';
}

enum phone_kind
phone_normalize(const char *in, const char *default_area, struct phone *out)
{
    char buf[MAX_INPUT + 1];
    char ext[sizeof out->ext];
    struct phone res;
    struct phone scratch;
    enum phone_kind kind = PHONE_INVALID;

    if (out == NULL)
        out = &scratch;
    clear(out);
    clear(&res);
    if (in == NULL || !fold_input(in, buf))
        goto out;
    if (!split_ext(buf, ext, sizeof ext))
        goto out;
    if (ext[0] == '\0')
        split_dash_ext(buf, ext, sizeof ext);
    kind = classify(buf, default_area, &res);
    if (kind == PHONE_MOBILE && ext[0] != '\0')
        kind = PHONE_INVALID;
    if (kind == PHONE_INVALID)
        goto out;
    res.kind = kind;
    str_copy(res.ext, sizeof res.ext, ext);
    *out = res;
out:
    return kind;
}

void
phone_format(const struct phone *p, char *buf, size_t sz)
{
    if (buf == NULL || sz == 0)
        return;
    buf[0] = '\0';
    if (p == NULL || p->kind == PHONE_INVALID)
        return;
    if (p->ext[0] != '\0')
        snprintf(buf, sz, "%s,%s", p->number, p->ext);
    else
        str_copy(buf, sz, p->number);
}
