-- Loads ITEMS items (keys 0..ITEMS-1, about ITEM_BYTES each) with BatchWriteItem, 25 items a call,
-- each key once; once every key is sent it sends ListTables (cheap) until wrk's duration ends.
-- Unprocessed items are not retried: check the count afterwards (put.lua/get.lua use the same keys).
-- With DONE_FILE set, the file is created once every key is sent (wrk cannot end a run early: a
-- script that waits for it stops wrk then).
package.path = package.path .. ";" .. debug.getinfo(1, "S").source:match("@?(.*/)") .. "?.lua"
local d = require("dynamodb")
local payload = d.payload(math.max(1, d.item_bytes - 16))
local next_key = 0
local done_req -- built at the first use: wrk sets the Host header only after the script loads
request = function()
  if next_key >= d.items then
    if not done_req and os.getenv("DONE_FILE") then
      local f = io.open(os.getenv("DONE_FILE"), "w")
      if f then f:close() end
    end
    done_req = done_req or d.request("ListTables", "{}")
    return done_req
  end
  local puts = {}
  for i = next_key, math.min(next_key + 24, d.items - 1) do
    puts[#puts + 1] = '{"PutRequest":{"Item":{"pk":{"S":"' .. d.key(i) .. '"},"v":{"S":"' .. payload .. '"}}}}'
  end
  next_key = next_key + 25
  return d.request("BatchWriteItem", '{"RequestItems":{"' .. d.table .. '":[' .. table.concat(puts, ",") .. ']}}')
end
response = d.expecting('"UnprocessedItems":{"', "unprocessed items", true)
