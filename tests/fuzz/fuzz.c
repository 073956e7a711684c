/* fuzz: helpers shared by the libFuzzer targets (invariant checks, data files, input slicing). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fuzz.h"
#include "hotline/text.h"
#include "hotline/util.h"

/* Report a broken invariant and abort. */
void
fuzz_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "\n==fuzz== invariant broken at %s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}

/* A NUL-terminated copy of the input. */
char *
fuzz_cstr(const uint8_t *data, size_t size)
{
    char *s = xmalloc(size + 1);

    if (size > 0)
        memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

/* Path of a data file. */
char *
fuzz_data_path(const char *name)
{
    const char *dir = getenv("HOTLINE_DATA");

    if (str_empty(dir))
        return xasprintf("%s/data/%s", HOTLINE_SOURCE_DIR, name);
    return xasprintf("%s/%s", dir, name);
}

/* Contents of a data file; aborts when it cannot be read. */
char *
fuzz_data_file(const char *name, size_t *len)
{
    char *path = fuzz_data_path(name);
    char *text = file_read_all(path, 16u * 1024u * 1024u, len);

    if (text == NULL) {
        fprintf(stderr, "fuzz: cannot read %s (set HOTLINE_DATA to the data directory)\n",
                path);
        abort();
    }
    free(path);
    return text;
}

/* True when s is valid UTF-8 without control characters (but those in allowed). */
bool
fuzz_clean_text(const char *s, const char *allowed)
{
    size_t len = strlen(s);
    size_t i = 0;

    if (!text_utf8_valid(s, len))
        return false;
    while (i < len) {
        uint32_t cp;

        i += text_utf8_decode(s + i, len - i, &cp);
        if (cp < 0x20 && (cp == 0 || allowed == NULL || strchr(allowed, (int)cp) == NULL))
            return false;
        if (cp >= 0x7F && cp <= 0x9F)
            return false;
    }
    return true;
}

/* FNV-1a over the input. */
uint64_t
fuzz_hash(const uint8_t *data, size_t size)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    size_t i;

    for (i = 0; i < size; i++) {
        h ^= data[i];
        h *= UINT64_C(0x100000001b3);
    }
    return h;
}

/* splitmix64. */
uint64_t
fuzz_next(uint64_t *state)
{
    uint64_t z;

    *state += UINT64_C(0x9e3779b97f4a7c15);
    z = *state;
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}
