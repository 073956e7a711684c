-- common.lua: shared by the hotlined benchmark scripts (wrk 4, LuaJIT).
-- Reads HOTLINE_TOKEN from the environment and prints one machine-readable RESULT line
-- per run from done(): name, requests/s, p50 and p99 latency (ms), requests, errors.
local M = {}

M.token = os.getenv("HOTLINE_TOKEN") or ""
M.name = os.getenv("BENCH_NAME") or "run"

function M.headers(extra)
   local h = { ["Authorization"] = "Bearer " .. M.token }
   for k, v in pairs(extra or {}) do h[k] = v end
   return h
end

-- Lines of a file (empty lines skipped).
function M.lines(path)
   local out = {}
   local f = assert(io.open(path, "r"), "cannot open " .. tostring(path))
   for line in f:lines() do
      if line ~= "" then out[#out + 1] = line end
   end
   f:close()
   assert(#out > 0, "no lines in " .. path)
   return out
end

-- Percent-encode a query value (UTF-8 bytes).
function M.escape(s)
   return (s:gsub("[^A-Za-z0-9%-_%.~]", function(c)
      return string.format("%%%02X", string.byte(c))
   end))
end

-- Number each thread (runs in wrk's main state) so each seeds and tags differently.
-- No response() hook: it would make wrk parse every body; answers >= 400 are counted
-- by wrk itself as status errors.
local threads = 0
function M.setup(thread)
   threads = threads + 1
   thread:set("thread_no", threads)
end

-- Seed the thread's random numbers.
function M.seed()
   math.randomseed(os.time() * 100 + (thread_no or 0))
end

-- Print the run's RESULT line (wrk's done hook).
function M.done(summary, latency, requests)
   local secs = summary.duration / 1e6
   local e = summary.errors
   local errors = e.connect + e.read + e.write + e.status + e.timeout
   io.write(string.format("RESULT %s rps=%.0f p50_ms=%.2f p99_ms=%.2f requests=%d errors=%d\n",
      M.name, summary.requests / secs, latency:percentile(50) / 1000,
      latency:percentile(99) / 1000, summary.requests, errors))
end

-- Make the script GET one path of $BENCH_PATHS (one per line) at random per request: sets
-- wrk's init, request, setup and done (list_filters.lua, stats.lua).
function M.random_paths()
   local paths = M.lines(assert(os.getenv("BENCH_PATHS"), "BENCH_PATHS is not set"))
   init = function() M.seed() end
   request = function()
      return wrk.format("GET", paths[math.random(#paths)], M.headers())
   end
   setup = M.setup
   done = M.done
end

-- A POST /api/v1/tickets maker (post_ticket.lua, peer_hotlined.lua): each request has its
-- own caller number (PHONE_PREFIX, then 8 digits from the thread and a counter) and
-- Idempotency-Key (KEY_PREFIX-tag-counter, never a replay); FIELDS is the JSON of the text
-- ('"title":"...","description":"..."'). Call .init() from init, after seeding.
function M.ticket_create(phone_prefix, key_prefix, fields)
   local p = {}
   local counter, tag = 0, ""
   function p.init()
      tag = string.format("%d-%d-%d", os.time(), thread_no or 0, math.random(1, 1e9))
   end
   function p.request()
      counter = counter + 1
      local phone = string.format(phone_prefix .. "%08d",
         ((thread_no or 0) * 10000000 + counter) % 100000000)
      local body = '{"channel":"phone","caller":{"phone":"' .. phone .. '"},' ..
         '"nature":"consult","category":"urban.env.water_supply",' .. fields .. '}'
      return wrk.format("POST", "/api/v1/tickets", M.headers({
         ["Content-Type"] = "application/json",
         ["Idempotency-Key"] = key_prefix .. "-" .. tag .. "-" .. counter,
      }), body)
   end
   return p
end

-- Make the script one side of bench/peer.sh: $PEER_OP picks SIDE.get(id) (ids at random
-- from $TICKET_IDS), SIDE.list(), SIDE.search(term) for search2 and search4 (the terms of
-- peer_terms.lua) or, for any other operation, SIDE.create(); SIDE.init, if any, runs in
-- init after seeding. Sets wrk's init, request, setup and done.
function M.peer(side)
   local op = os.getenv("PEER_OP") or "get"
   local terms = require("peer_terms").for_op(op)
   local ids
   init = function(args)
      M.seed()
      if op == "get" then ids = M.lines(os.getenv("TICKET_IDS")) end
      if side.init then side.init() end
   end
   if op == "get" then
      request = function() return side.get(ids[math.random(#ids)]) end
   elseif op == "list" then
      request = side.list
   elseif terms then
      request = function() return side.search(terms[math.random(#terms)]) end
   else
      request = side.create
   end
   setup = M.setup
   done = M.done
end

return M
