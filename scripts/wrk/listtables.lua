-- ListTables: what a server's HTTP and JSON layers cost with no data behind them (its ceiling).
package.path = package.path .. ";" .. debug.getinfo(1, "S").source:match("@?(.*/)") .. "?.lua"
local d = require("dynamodb")
local req = d.request("ListTables", "{}")
request = function() return req end
response = d.response
