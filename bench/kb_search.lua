-- kb_search.lua: GET /api/v1/kb?q= with queries of $KB_CHARS characters (1, 2 or 4),
-- drawn at random from a fixed list of terms the synthetic articles contain.
package.path = (os.getenv("BENCH_DIR") or ".") .. "/?.lua;" .. package.path
local c = require("common")
local queries = {
   ["1"] = { "气", "水", "卡", "单", "证", "税", "路", "电" },
   ["2"] = { "停水", "报装", "回访", "工单", "安检", "舱单", "公告", "督办" },
   ["4"] = { "单一窗口", "燃气泄漏", "退回重办", "办理流程", "承办单位", "便民服务", "三方通话", "置换通气" },
}
local list

function init(args)
   list = queries[os.getenv("KB_CHARS") or "2"]
   assert(list, "KB_CHARS must be 1, 2 or 4")
   c.seed()
end

function request()
   local q = list[math.random(#list)]
   return wrk.format("GET", "/api/v1/kb?limit=20&q=" .. c.escape(q), c.headers())
end

setup = c.setup
done = c.done
