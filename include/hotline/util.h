/* util: allocation that aborts on exhaustion, bounded strings, a growable buffer. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hotline/err.h"

/* Number of elements of a true array. */
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* malloc that aborts with a message when memory is exhausted; never returns NULL. */
void *xmalloc(size_t n);
/* calloc that aborts on exhaustion. */
void *xcalloc(size_t count, size_t n);
/* realloc that aborts on exhaustion. */
void *xrealloc(void *p, size_t n);
/* strdup that aborts on exhaustion; NULL in gives NULL out. Caller owns. */
char *xstrdup(const char *s);
/* strndup that aborts on exhaustion. Caller owns. */
char *xstrndup(const char *s, size_t n);
/* Formatted string, newly allocated. Caller owns. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Copy src into dst of size dstsz, always NUL-terminated; true when nothing was cut.
 * Never cuts inside a UTF-8 sequence. */
bool str_copy(char *dst, size_t dstsz, const char *src);
/* Append src to the string in dst; true when nothing was cut. */
bool str_append(char *dst, size_t dstsz, const char *src);
/* Parse a whole decimal integer in [min,max]; false on junk, overflow or range. */
bool str_to_long(const char *s, long min, long max, long *out);
/* True when s is NULL or "". */
bool str_empty(const char *s);
/* True when a starts with prefix. */
bool str_starts_with(const char *a, const char *prefix);

/* A growable byte buffer. buf is NULL until the first add, then always NUL-terminated;
 * read it with strbuf_str. Embed it; init/fini. */
struct strbuf {
    char *buf;
    size_t len;
    size_t cap;
};

/* Initialise an empty buffer. */
void strbuf_init(struct strbuf *sb);
/* Release the buffer's memory and reset it. */
void strbuf_fini(struct strbuf *sb);
/* Make room for extra more bytes at once (appends up to that many do not reallocate). */
void strbuf_reserve(struct strbuf *sb, size_t extra);
/* Append n bytes. */
void strbuf_add(struct strbuf *sb, const char *s, size_t n);
/* Append a NUL-terminated string. */
void strbuf_adds(struct strbuf *sb, const char *s);
/* Append one byte. */
void strbuf_addc(struct strbuf *sb, char c);
/* Append formatted text. */
void strbuf_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The text so far: "" before the first add; borrowed until the next change. */
const char *strbuf_str(const struct strbuf *sb);
/* Empty the buffer, keeping its memory. */
void strbuf_reset(struct strbuf *sb);
/* Hand the string to the caller (who owns it) and reset the buffer. */
char *strbuf_detach(struct strbuf *sb);

/* Read a whole file (at most max bytes) into a new NUL-terminated buffer.
 * Returns NULL with errno set (EFBIG when larger than max). Caller owns. */
char *file_read_all(const char *path, size_t max, size_t *len_out);
/* file_read_all for data files: on failure fills e with "PATH: cannot read: why"
 * (what names the file's role, e.g. "holiday calendar"; HL_ENOENT when missing,
 * HL_EINVAL when larger than max, else HL_EIO) and returns NULL. Caller owns. */
char *file_load(const char *path, const char *what, size_t max, size_t *len_out, struct err *e);
/* True when the running program is the one in the build tree it was compiled in
 * (so it should read data and themes from the source tree, not the installed ones). */
bool util_running_from_build_tree(void);
