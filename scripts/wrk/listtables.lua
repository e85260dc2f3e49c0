-- ListTables: what a server's HTTP and JSON layers cost with no data behind them (its ceiling).
package.path = package.path .. ";" .. debug.getinfo(1, "S").source:match("@?(.*/)") .. "?.lua"
local d = require("dynamodb")
-- Built at the first call, not at load: wrk sets the Host header only after the script loads.
local req
request = function()
  req = req or d.request("ListTables", "{}")
  return req
end
response = d.response
