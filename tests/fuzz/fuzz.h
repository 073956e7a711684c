/* fuzz: helpers shared by the libFuzzer targets (invariant checks, data files, input slicing). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The entry point every target defines. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Report a broken invariant on stderr and abort, so libFuzzer saves the input. */
void fuzz_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4), noreturn));

/* Abort with a message when cond is false. */
#define FUZZ_CHECK(cond, ...)                                   \
    do {                                                        \
        if (!(cond))                                            \
            fuzz_fail(__FILE__, __LINE__, __VA_ARGS__);         \
    } while (0)

/* A NUL-terminated copy of size bytes (embedded NULs stay and end the C string early).
 * Caller frees. */
char *fuzz_cstr(const uint8_t *data, size_t size);
/* Contents of a file of the data directory ($HOTLINE_DATA, else <source>/data), NUL
 * terminated; aborts when it cannot be read (a broken setup, not a finding). Caller frees. */
char *fuzz_data_file(const char *name, size_t *len);
/* Path of a file of the data directory. Caller frees. */
char *fuzz_data_path(const char *name);
/* True when the NUL-terminated s is valid UTF-8 with no C0 control other than those in
 * allowed (e.g. "\n"), no DEL and no C1 control. */
bool fuzz_clean_text(const char *s, const char *allowed);
/* A 64-bit hash of size bytes (FNV-1a), to derive extra parameters from an input. */
uint64_t fuzz_hash(const uint8_t *data, size_t size);
/* Next value of a small generator seeded with fuzz_hash (splitmix64). */
uint64_t fuzz_next(uint64_t *state);
