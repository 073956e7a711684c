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

function M.done(summary, latency, requests)
   local secs = summary.duration / 1e6
   local e = summary.errors
   local errors = e.connect + e.read + e.write + e.status + e.timeout
   io.write(string.format("RESULT %s rps=%.0f p50_ms=%.2f p99_ms=%.2f requests=%d errors=%d\n",
      M.name, summary.requests / secs, latency:percentile(50) / 1000,
      latency:percentile(99) / 1000, summary.requests, errors))
end

return M
