-- peer_terms.lua: what bench/peer.sh sends to both hotlined and its peer (wrk 4, LuaJIT).
-- Search terms of 2 and 4 characters the generated tickets contain (bench/gen_kb.py; the
-- lists of kb_search.lua), and the text of a new ticket.
local M = {}

M.terms = {
   ["2"] = { "停水", "报装", "回访", "工单", "安检", "舱单", "公告", "督办" },
   ["4"] = { "单一窗口", "燃气泄漏", "退回重办", "办理流程", "承办单位", "便民服务", "三方通话", "置换通气" },
}

-- The term list of a PEER_OP "search2" or "search4" (nil for other operations).
function M.for_op(op)
   return M.terms[op:match("^search(%d)$") or ""]
end
M.title = "压测工单：自来水水压不足"
M.description = "压测工单：来电反映自来水水压不足，请求答复恢复时间。"

return M
