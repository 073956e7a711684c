/* fuzz_config: config_parse (the console's settings file, INI) on the bytes; every value it
 * keeps passes the checks it promises. */
#include <stdlib.h>
#include <string.h>

#include "../../src/client/config.h"  /* not the build's config.h */
#include "fuzz.h"
#include "hotline/text.h"
#include "hotline/util.h"

/* One input: a config file. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_cstr(data, size);
    struct config c;
    struct err e;
    int rc;

    config_init(&c);
    err_clear(&e);
    rc = config_parse(&c, text, "config", &e);
    if (rc != HL_OK) {
        FUZZ_CHECK(rc == e.code && e.msg[0] != '\0', "config refused without a message");
        FUZZ_CHECK(strncmp(e.msg, "config:", 7) == 0, "config error \"%s\" not located", e.msg);
    }
    /* Whatever was kept (all of it, or the lines before an error) is valid. */
    if (c.server_url != NULL) {
        struct err e2;

        FUZZ_CHECK(config_check_url(c.server_url, &e2) == HL_OK, "kept bad URL \"%s\"",
                   c.server_url);
    }
    FUZZ_CHECK(c.max_tickets >= CONFIG_MAX_TICKETS_MIN && c.max_tickets <= CONFIG_MAX_TICKETS_MAX,
               "max_tickets %ld", c.max_tickets);
    FUZZ_CHECK(c.theme != NULL && c.lang != NULL && c.timezone != NULL, "lost a default");
    FUZZ_CHECK(c.timezone[0] != '\0' && c.timezone[0] != '/' && strstr(c.timezone, "..") == NULL,
               "kept bad time zone \"%s\"", c.timezone);
    config_fini(&c);
    free(text);
    return 0;
}
