-- Shared by the wrk scripts: one DynamoDB JSON 1.0 request per call, with the headers every
-- DynamoDB-compatible server accepts (an Authorization header of the SigV4 form; none of the
-- servers measured here checks the signature).
--
-- Environment: TABLE (the table), ITEMS (keys 0..ITEMS-1, default 10000), ITEM_BYTES (default 1000).
local M = {}

M.table = os.getenv("TABLE") or "wrkbench"
M.items = tonumber(os.getenv("ITEMS") or "10000")
M.item_bytes = tonumber(os.getenv("ITEM_BYTES") or "1000")

local auth = "AWS4-HMAC-SHA256 Credential=dynalogbench/20260101/us-east-1/dynamodb/aws4_request, "
  .. "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature="
  .. string.rep("0", 64)

function M.request(operation, body)
  return wrk.format("POST", "/", {
    ["Content-Type"] = "application/x-amz-json-1.0",
    ["X-Amz-Target"] = "DynamoDB_20120810." .. operation,
    ["X-Amz-Date"] = "20260101T000000Z",
    ["Authorization"] = auth,
  }, body)
end

-- A fixed payload of about item_bytes: the same bytes every call, so that building a request
-- costs the client next to nothing.
function M.payload(bytes)
  local chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
  local out = {}
  for i = 1, bytes do
    local c = (i * 7919) % #chars + 1
    out[i] = chars:sub(c, c)
  end
  return table.concat(out)
end

-- Keys as `dynalog bench` writes them: a prefix and the index, zero-padded to the width of the largest.
local function key_format(prefix, count)
  return prefix .. "%0" .. #tostring(math.max(0, count - 1)) .. "d"
end
local item_key = key_format("k", M.items)
function M.key(i)
  return string.format(item_key, i)
end
M.query_items = tonumber(os.getenv("QUERY_ITEMS") or "100")
M.query_keys = math.max(1, math.floor((M.items + M.query_items - 1) / M.query_items))
local query_key = key_format("q", M.query_keys)
function M.query_key(i)
  return string.format(query_key, i)
end

-- Failed calls: non-200 answers (which wrk counts as "Non-2xx or 3xx responses" too) and 200s whose
-- body is wrong. Each thread counts its own in the global `failed_calls`; `done` (on wrk's main
-- thread) prints their sum as "Failed calls: N", which scripts/wrk-bench.sh reports.
failed_calls = 0
local function fail(what)
  failed_calls = failed_calls + 1
  if failed_calls <= 3 then io.stderr:write(what .. "\n") end
end

function M.response(status, headers, body)
  if status ~= 200 then fail("status " .. status .. ": " .. body) end
end

-- A response handler that also fails a 200 whose body lacks `needle` (or, with `absent`, has it), saying `what`.
function M.expecting(needle, what, absent)
  return function(status, headers, body)
    if status ~= 200 then return fail("status " .. status .. ": " .. body) end
    if (body:find(needle, 1, true) ~= nil) == (absent == true) then fail(what .. ": " .. body:sub(1, 200)) end
  end
end

local threads = {}
function setup(thread)
  threads[#threads + 1] = thread
end

function done(summary, latency, requests)
  local failed = 0
  for _, thread in ipairs(threads) do failed = failed + (thread:get("failed_calls") or 0) end
  io.write("Failed calls: " .. failed .. "\n")
end

return M
