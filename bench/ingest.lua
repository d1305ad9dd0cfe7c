-- wrk script: a realistic Alertmanager mix against /hooks/<key>/.
-- 60% new alerts (each a new fingerprint, ten to a notification group), 25% repeat notifications of
-- a recent alert, 15% resolves of a recent alert. Every body is one Alertmanager v4 notification.
local counter = 0
local thread_id = 0
local run = "r0"
local threads = {}

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  thread_id = tid
  run = args[1] or "r0"
  math.randomseed(os.time() + thread_id * 7919)
end

local function body(fp_index, status)
  local fp = string.format("%s%02x%010x", run, thread_id, fp_index)
  local group = string.format("bench-%s-%d-%d", run, thread_id, math.floor(fp_index / 10))
  local ends = status == "resolved" and "2026-03-10T15:00:00Z" or "0001-01-01T00:00:00Z"
  return string.format(
    '{"version":"4","status":"%s","receiver":"bench","groupKey":"%s","truncatedAlerts":0,' ..
    '"alerts":[{"status":"%s","labels":{"alertname":"BenchAlert","instance":"%s","severity":"warning"},' ..
    '"annotations":{"summary":"Bench alert %s"},"startsAt":"2026-03-10T14:02:31Z","endsAt":"%s",' ..
    '"fingerprint":"%s"}]}',
    status, group, status, fp, fp, ends, fp)
end

function request()
  local r = math.random()
  local index
  local status = "firing"
  if counter < 20 or r < 0.60 then
    counter = counter + 1
    index = counter
  elseif r < 0.85 then
    index = counter - math.random(0, math.min(counter - 1, 40))
  else
    index = counter - math.random(0, math.min(counter - 1, 40))
    status = "resolved"
  end
  return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, body(index, status))
end
