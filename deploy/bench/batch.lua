-- wrk script: every request is one JSON-RPC batch of 100 eth_blockNumber calls
local calls = {}
for i = 1, 100 do
  calls[i] = '{"jsonrpc":"2.0","id":' .. i .. ',"method":"eth_blockNumber","params":[]}'
end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = "[" .. table.concat(calls, ",") .. "]"
