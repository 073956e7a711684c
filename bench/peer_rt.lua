-- peer_rt.lua: Request Tracker 5's side of bench/peer.sh (REST2, the session cookie of a
-- login in $RT_COOKIE); $PEER_OP picks the request, the same work as peer_hotlined.lua:
--   get     GET /REST/2.0/ticket/{id}, ids at random from $TICKET_IDS
--   list    GET /REST/2.0/tickets?query=Queue = 'General' AND Status = 'new', newest first, 50
--   search2, search4  the same with query=(Subject LIKE 'q' OR Content LIKE 'q')
--   create  POST /REST/2.0/ticket (SQLite commit)
package.path = (os.getenv("BENCH_DIR") or ".") .. "/?.lua;" .. package.path
local c = require("common")
local t = require("peer_terms")
local hdr = { ["Cookie"] = os.getenv("RT_COOKIE") or "" }
local post_hdr = { ["Cookie"] = hdr["Cookie"], ["Content-Type"] = "application/json" }
local page = "&orderby=id&order=DESC&per_page=50&fields=Subject,Status,Created,LastUpdated"

c.peer({
   get = function(id)
      return wrk.format("GET", "/REST/2.0/ticket/" .. id, hdr)
   end,
   list = function()
      return wrk.format("GET", "/REST/2.0/tickets?query=" ..
                        c.escape("Queue = 'General' AND Status = 'new'") .. page, hdr)
   end,
   search = function(q)
      return wrk.format("GET", "/REST/2.0/tickets?query=" ..
                        c.escape("(Subject LIKE '" .. q .. "' OR Content LIKE '" .. q .. "')") ..
                        page, hdr)
   end,
   create = function()
      local body = '{"Queue":"General","Subject":"' .. t.title .. '","Content":"' ..
         t.description .. '","ContentType":"text/plain"}'
      return wrk.format("POST", "/REST/2.0/ticket", post_hdr, body)
   end,
})
