-- stats.lua: GET /api/v1/stats for one of the periods and groupings listed in $BENCH_PATHS
-- (one path per line, e.g. /api/v1/stats?from=2026-11-01&to=2026-11-30&group=unit), at
-- random per request, as a supervisor ($HOTLINE_TOKEN).
package.path = (os.getenv("BENCH_DIR") or ".") .. "/?.lua;" .. package.path
require("common").random_paths()
