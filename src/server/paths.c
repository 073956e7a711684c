/* paths: where hotlined finds its data files (holiday calendar, categories, KPIs). */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "config.h"
#include "hotline/util.h"
#include "paths.h"

/* True when path names an existing directory. */
static bool
is_dir(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Build the path of a data file. */
bool
data_path(const char *file, char *buf, size_t sz)
{
    const char *dir = getenv("HOTLINE_DATA");
    int n;

    if (buf == NULL || sz == 0)
        return false;
    if (str_empty(dir)) {
        if (util_running_from_build_tree() && is_dir(HOTLINE_SOURCE_DIR "/data"))
            dir = HOTLINE_SOURCE_DIR "/data";
        else
            dir = HOTLINE_DATADIR;
    }
    n = snprintf(buf, sz, "%s/%s", dir, file != NULL ? file : "");
    return n >= 0 && (size_t)n < sz;
}
