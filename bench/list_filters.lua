-- list_filters.lua: GET one of the request paths listed in $BENCH_PATHS (one per line,
-- e.g. /api/v1/tickets?unit=water&limit=50 or a deep cursor page), at random per request.
-- bench/scale.sh writes one such file per run (filters, cursors, phones, periods).
package.path = (os.getenv("BENCH_DIR") or ".") .. "/?.lua;" .. package.path
require("common").random_paths()
