-- wrk script: POST /transfers between accounts read from a fixture file, one request per reply
-- on each keep-alive connection (a closed loop: it measures the most the gateway can do).
--   wrk ... -s transfers.lua -- ACCOUNTS_TSV uniform|hot [MERCHANT_ID]
-- ACCOUNTS_TSV lines are "account_id<TAB>token"; token "-" means the gateway issues none.
-- done() prints one machine-readable line that run.sh parses.

local accounts, tokens, count = {}, {}, 0
local mode, merchant

function init(args)
  local path = args[1]
  mode = args[2] or "uniform"
  merchant = args[3]
  for line in io.lines(path) do
    local id, token = line:match("^(%S+)\t(%S+)$")
    if id then
      count = count + 1
      accounts[count] = id
      tokens[count] = token
    end
  end
  if count < 2 then error("need at least 2 accounts in " .. path) end
  if mode == "hot" and not merchant then error("hot mode needs the merchant account id") end
  -- Each wrk thread has its own Lua state; seed each differently so threads pick different pairs.
  math.randomseed(os.time() * 1000 + math.floor(os.clock() * 1e6) + count)
end

function request()
  local a = math.random(count)
  local to
  if mode == "hot" then
    to = merchant
  else
    local b = (a + math.random(count - 1) - 1) % count + 1
    to = accounts[b]
  end
  local headers = { ["Content-Type"] = "application/json", ["Accept"] = "application/json" }
  if tokens[a] ~= "-" then headers["Authorization"] = "Bearer " .. tokens[a] end
  local body = '{"from_account":"' .. accounts[a] .. '","to_account":"' .. to ..
      '","amount":"0.01","currency":"USD","description":"bench"}'
  return wrk.format("POST", "/transfers", headers, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
      "WRK_RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d max_us=%d status_errors=%d socket_errors=%d\n",
      summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
      e.status, e.connect + e.read + e.write + e.timeout))
end
