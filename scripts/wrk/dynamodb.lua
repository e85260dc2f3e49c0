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

-- Counts non-200 answers; wrk prints them as "Non-2xx or 3xx responses" too.
M.errors = 0
function M.response(status, headers, body)
  if status ~= 200 then
    M.errors = M.errors + 1
    if M.errors <= 3 then io.stderr:write("status " .. status .. ": " .. body .. "\n") end
  end
end

-- A response handler that also counts a 200 whose body lacks `needle` as an error, saying `what`.
function M.expecting(needle, what)
  return function(status, headers, body)
    M.response(status, headers, body)
    if status == 200 and not body:find(needle, 1, true) then
      M.errors = M.errors + 1
      if M.errors <= 3 then io.stderr:write(what .. ": " .. body:sub(1, 200) .. "\n") end
    end
  end
end

return M
