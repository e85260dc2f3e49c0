-- PutItem of random keys in 0..ITEMS-1, items of about ITEM_BYTES.
package.path = package.path .. ";" .. debug.getinfo(1, "S").source:match("@?(.*/)") .. "?.lua"
local d = require("dynamodb")
local payload = d.payload(math.max(1, d.item_bytes - 16))
local prefix = '{"TableName":"' .. d.table .. '","Item":{"pk":{"S":"'
local suffix = '"},"v":{"S":"' .. payload .. '"}}}'
math.randomseed(os.time())
request = function()
  return d.request("PutItem", prefix .. d.key(math.random(0, d.items - 1)) .. suffix)
end
response = d.response
