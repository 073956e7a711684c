-- peer_redmine.lua: Redmine's side of bench/peer.sh (its REST API, key in $REDMINE_KEY);
-- $PEER_OP picks the request, the same work as peer_hotlined.lua:
--   get     GET /issues/{id}.json?include=journals, ids at random from $TICKET_IDS
--   list    GET /issues.json?project_id=P&status_id=open&sort=id:desc&limit=50
--   search2, search4  GET /search.json?q=<2 or 4 Chinese characters>&issues=1&limit=50
--           (Redmine searches subject and description with LIKE)
--   create  POST /issues.json (SQLite commit)
package.path = (os.getenv("BENCH_DIR") or ".") .. "/?.lua;" .. package.path
local c = require("common")
local t = require("peer_terms")
local project = os.getenv("REDMINE_PROJECT") or "1"
local tracker = os.getenv("REDMINE_TRACKER") or "3"
local hdr = { ["X-Redmine-API-Key"] = os.getenv("REDMINE_KEY") or "" }
local post_hdr = { ["X-Redmine-API-Key"] = hdr["X-Redmine-API-Key"],
                   ["Content-Type"] = "application/json" }

c.peer({
   get = function(id)
      return wrk.format("GET", "/issues/" .. id .. ".json?include=journals", hdr)
   end,
   list = function()
      return wrk.format("GET", "/issues.json?project_id=" .. project ..
                        "&status_id=open&sort=id:desc&limit=50", hdr)
   end,
   search = function(q)
      return wrk.format("GET", "/search.json?issues=1&limit=50&q=" .. c.escape(q), hdr)
   end,
   create = function()
      local body = '{"issue":{"project_id":' .. project .. ',"tracker_id":' .. tracker ..
         ',"subject":"' .. t.title .. '","description":"' .. t.description .. '"}}'
      return wrk.format("POST", "/issues.json", post_hdr, body)
   end,
})
