/* log: the console's log file under $XDG_STATE_HOME/hotline (never the terminal while curses runs). */
#pragma once

#include <stdio.h>

/* Severity of a log line. */
enum log_level {
    LOG_LEVEL_ERROR,
    LOG_LEVEL_WARN,
    LOG_LEVEL_INFO,
    LOG_LEVEL_DEBUG,
};

/* An open log; embed it (log_init/log_fini). A log whose file could not be opened drops lines. */
struct log {
    FILE *f;
    enum log_level level;   /* lines above this level are dropped */
};

/* Bytes after which log_open moves the old file to "<path>.1" and starts afresh. */
#define LOG_ROTATE_BYTES (1024L * 1024L)

/* A closed log that drops every line. */
void log_init(struct log *lg);
/* Open path for appending (rotating it once when larger than LOG_ROTATE_BYTES), mode 0600;
 * returns 0, or -1 with errno set (the log then drops lines). */
int log_open(struct log *lg, const char *path, enum log_level level);
/* Close the file. */
void log_fini(struct log *lg);
/* Write one line "<UTC time> LEVEL module: message"; module is taken from file (a __FILE__). */
void log_write(struct log *lg, enum log_level level, const char *file, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Log with the calling source file as the module name. */
#define LOG_ERR(lg, ...) log_write((lg), LOG_LEVEL_ERROR, __FILE__, __VA_ARGS__)
#define LOG_WARN(lg, ...) log_write((lg), LOG_LEVEL_WARN, __FILE__, __VA_ARGS__)
#define LOG_INFO(lg, ...) log_write((lg), LOG_LEVEL_INFO, __FILE__, __VA_ARGS__)
#define LOG_DEBUG(lg, ...) log_write((lg), LOG_LEVEL_DEBUG, __FILE__, __VA_ARGS__)
