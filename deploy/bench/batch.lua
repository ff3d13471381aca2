-- wrk script: every request is one JSON-RPC batch of 100 eth_blockNumber calls. Counts the calls
-- answered with a result and with an error, so a run that mostly measured refusals shows it.
local calls = {}
for i = 1, 100 do
  calls[i] = '{"jsonrpc":"2.0","id":' .. i .. ',"method":"eth_blockNumber","params":[]}'
end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = "[" .. table.concat(calls, ",") .. "]"

local threads = {}
function setup(thread)
  table.insert(threads, thread)
end

results, errors = 0, 0
function response(status, headers, body)
  local _, r = string.gsub(body, '"result":', '')
  local _, e = string.gsub(body, '"error":', '')
  results = results + r
  errors = errors + e
end

function done(summary, latency, requests)
  local r, e = 0, 0
  for _, t in ipairs(threads) do
    r = r + t:get("results")
    e = e + t:get("errors")
  end
  print(string.format("calls answered: %d with a result, %d with an error", r, e))
end
