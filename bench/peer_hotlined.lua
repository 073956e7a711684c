-- peer_hotlined.lua: hotlined's side of bench/peer.sh; $PEER_OP picks the request:
--   get     GET /api/v1/tickets/{id}, ids at random from $TICKET_IDS
--   list    GET /api/v1/tickets?status=accepted&limit=50 (first page, filtered)
--   search2, search4  GET /api/v1/tickets?q=<2 or 4 Chinese characters>&limit=50
--   create  POST /api/v1/tickets, durable commit, its own Idempotency-Key
package.path = (os.getenv("BENCH_DIR") or ".") .. "/?.lua;" .. package.path
local c = require("common")
local t = require("peer_terms")
local create = c.ticket_create("138", "peer",
   '"title":"' .. t.title .. '","description":"' .. t.description .. '"')

c.peer({
   init = create.init,
   get = function(id)
      return wrk.format("GET", "/api/v1/tickets/" .. id, c.headers())
   end,
   list = function()
      return wrk.format("GET", "/api/v1/tickets?status=accepted&limit=50", c.headers())
   end,
   search = function(q)
      return wrk.format("GET", "/api/v1/tickets?limit=50&q=" .. c.escape(q), c.headers())
   end,
   create = create.request,
})
