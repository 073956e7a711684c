-- list_tickets.lua: GET /api/v1/tickets (the first page, newest first, 50 tickets).
package.path = (os.getenv("BENCH_DIR") or ".") .. "/?.lua;" .. package.path
local c = require("common")

function request()
   return wrk.format("GET", "/api/v1/tickets?limit=50", c.headers())
end

setup = c.setup
done = c.done
