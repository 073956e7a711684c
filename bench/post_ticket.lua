-- post_ticket.lua: POST /api/v1/tickets, a durable create per request, each with its own
-- Idempotency-Key (never a replay) and its own caller number.
package.path = (os.getenv("BENCH_DIR") or ".") .. "/?.lua;" .. package.path
local c = require("common")
local counter, tag = 0, ""

function init(args)
   c.seed()
   tag = string.format("%d-%d-%d", os.time(), thread_no or 0, math.random(1, 1e9))
end

function request()
   counter = counter + 1
   local phone = string.format("139%08d", ((thread_no or 0) * 10000000 + counter) % 100000000)
   local body = '{"channel":"phone","caller":{"phone":"' .. phone .. '"},' ..
      '"nature":"consult","category":"urban.env.water_supply",' ..
      '"description":"压测工单：来电反映自来水水压不足，请求答复恢复时间。"}'
   return wrk.format("POST", "/api/v1/tickets", c.headers({
      ["Content-Type"] = "application/json",
      ["Idempotency-Key"] = "bench-" .. tag .. "-" .. counter,
   }), body)
end

setup = c.setup
done = c.done
