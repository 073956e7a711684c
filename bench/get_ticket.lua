-- get_ticket.lua: GET /api/v1/tickets/{id} for ids drawn at random from $TICKET_IDS.
package.path = (os.getenv("BENCH_DIR") or ".") .. "/?.lua;" .. package.path
local c = require("common")
local ids

function init(args)
   ids = c.lines(os.getenv("TICKET_IDS"))
   c.seed()
end

function request()
   return wrk.format("GET", "/api/v1/tickets/" .. ids[math.random(#ids)], c.headers())
end

setup = c.setup
done = c.done
