-- Query of one random partition key of TABLE_query (pk S, sk N), which holds QUERY_ITEMS items per
-- key: each answer must carry them all, in one page.
package.path = package.path .. ";" .. debug.getinfo(1, "S").source:match("@?(.*/)") .. "?.lua"
local d = require("dynamodb")
local prefix = '{"TableName":"' .. d.table .. '_query","KeyConditionExpression":"pk = :p",'
  .. '"ExpressionAttributeValues":{":p":{"S":"'
local suffix = '"}}}'
local whole = '"Count":' .. d.query_items
math.randomseed(os.time())
request = function()
  return d.request("Query", prefix .. d.query_key(math.random(0, d.query_keys - 1)) .. suffix)
end
response = d.expecting(whole, "Query did not return " .. d.query_items .. " items")
