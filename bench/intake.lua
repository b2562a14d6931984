-- wrk script for POST /api/v1/workorders/ at saturation (see bench/intake.py).
-- Arguments after "--": token, number of customers, run id, path of the generated mix file.
-- The mix file returns { {business_type, topic, weight, description}, ... } (written by intake.py from
-- bench/seed.py's MIX, so traffic looks like the seeded history).
-- ~80 % of requests pick a random customer and a weighted topic; ~20 % repeat a customer+topic this
-- thread used moments ago, so the intake links them to the order it just opened.

local PREFIXES = {"30", "31", "32", "33", "35", "36", "37", "38", "39", "50", "51", "52", "55", "58", "59",
                  "86", "87", "88", "89"}
local REPEAT_SHARE = 0.2
local RECENT = 200

local threads = {}
local next_id = 1

function setup(thread)
   thread:set("thread_id", next_id)
   next_id = next_id + 1
   table.insert(threads, thread)
end

local token, customers, run_id, mix, total_weight
local recent, recent_n, recent_pos = {}, 0, 0
local seq = 0
ok_count, bad_count, repeat_sent = 0, 0, 0

function init(args)
   token, customers, run_id = args[1], tonumber(args[2]), args[3]
   mix = dofile(args[4])
   total_weight = 0
   for _, m in ipairs(mix) do total_weight = total_weight + m[3] end
   math.randomseed(os.time() * 1000 + thread_id)
end

local function pick_mix()
   local r = math.random() * total_weight
   for i, m in ipairs(mix) do
      r = r - m[3]
      if r <= 0 then return i end
   end
   return #mix
end

local function json_escape(s)
   return (s:gsub('[%c"\\]', function(c) return string.format("\\u%04x", c:byte()) end))
end

function request()
   seq = seq + 1
   local customer, mi, prefix
   if recent_n > 0 and math.random() < REPEAT_SHARE then
      local pair = recent[math.random(recent_n)]
      customer, mi = pair[1], pair[2]
      prefix = "客户再次来电催促："
      repeat_sent = repeat_sent + 1
   else
      customer, mi = math.random(customers), pick_mix()
      prefix = ""
      recent_pos = recent_pos % RECENT + 1
      recent[recent_pos] = {customer, mi}
      if recent_n < RECENT then recent_n = recent_n + 1 end
   end
   local m = mix[mi]
   local phone = "1" .. PREFIXES[customer % #PREFIXES + 1] .. string.format("%08d", customer)
   local body = string.format(
      '{"business_type":"%s","topic":"%s","channel":"95598","customer":"%d","caller_phone":"%s","description":"%s"}',
      m[1], m[2], 3100000000 + customer, phone, json_escape(prefix .. m[4]))
   local headers = {
      ["Authorization"] = "Token " .. token,
      ["Idempotency-Key"] = string.format("wrk-%s-%d-%d", run_id, thread_id, seq),
      ["Content-Type"] = "application/json",
      ["Accept"] = "application/json",
   }
   return wrk.format("POST", nil, headers, body)
end

function response(status, headers, body)
   if status >= 200 and status < 300 then
      ok_count = ok_count + 1
   else
      bad_count = bad_count + 1
      if bad_count <= 3 then io.stderr:write("HTTP " .. status .. ": " .. string.sub(body or "", 1, 300) .. "\n") end
   end
end

function done(summary, latency, requests)
   local ok, bad, repeats = 0, 0, 0
   for _, t in ipairs(threads) do
      ok = ok + t:get("ok_count")
      bad = bad + t:get("bad_count")
      repeats = repeats + t:get("repeat_sent")
   end
   local e = summary.errors
   io.write(string.format(
      'WRKJSON {"requests":%d,"duration_us":%d,"ok":%d,"non_2xx":%d,"intended_repeats":%d,' ..
      '"connect_errors":%d,"read_errors":%d,"write_errors":%d,"timeouts":%d,' ..
      '"p50_ms":%.2f,"p95_ms":%.2f,"p99_ms":%.2f,"max_ms":%.2f,"mean_ms":%.2f}\n',
      summary.requests, summary.duration, ok, bad, repeats, e.connect, e.read, e.write, e.timeout,
      latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
      latency.max / 1000, latency.mean / 1000))
end
