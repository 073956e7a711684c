-- post_ticket.lua: POST /api/v1/tickets, a durable create per request, each with its own
-- Idempotency-Key (never a replay) and its own caller number.
package.path = (os.getenv("BENCH_DIR") or ".") .. "/?.lua;" .. package.path
local c = require("common")
local create = c.ticket_create("139", "bench",
   '"description":"压测工单：来电反映自来水水压不足，请求答复恢复时间。"')

function init(args)
   c.seed()
   create.init()
end

request = create.request
setup = c.setup
done = c.done
