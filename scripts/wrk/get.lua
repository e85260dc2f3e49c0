-- GetItem of random keys in 0..ITEMS-1 (eventually consistent unless CONSISTENT=true).
package.path = package.path .. ";" .. debug.getinfo(1, "S").source:match("@?(.*/)") .. "?.lua"
local d = require("dynamodb")
local consistent = os.getenv("CONSISTENT") == "true"
local prefix = '{"TableName":"' .. d.table .. '","Key":{"pk":{"S":"'
local suffix = '"}}' .. (consistent and ',"ConsistentRead":true}' or '}')
math.randomseed(os.time())
request = function()
  return d.request("GetItem", prefix .. d.key(math.random(0, d.items - 1)) .. suffix)
end
response = d.expecting('"Item"', "GetItem found no item")
