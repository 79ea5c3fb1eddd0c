-- wrk script for bench_api.py: POST /v1/reports, one report per request, each with its own
-- Idempotency-Key and report_id; args: run id, API token, requests per thread (then it stops).
local thread_ids = 0

function setup(thread)
  thread_ids = thread_ids + 1
  thread:set("tid", thread_ids)
end

function init(args)
  run, token, limit = args[1], args[2], tonumber(args[3])
  sent, answered = 0, 0
  headers = {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}
end

function request()
  sent = sent + 1
  local n = tid .. "-" .. sent
  headers["Idempotency-Key"] = run .. "-" .. n
  local body = string.format('{"report_id":"%s-%s","reporter":"vidchat:viewer%d",' ..
    '"reported":"vidchat:host%d","session_id":"s%s","reported_at":"2026-11-29T10:00:00Z",' ..
    '"reason":"asked my age"}', run, n, sent % 97, sent % 13, n)
  return wrk.format("POST", "/v1/reports", headers, body)
end

function response(status, headers, body)
  answered = answered + 1
  if answered >= limit then wrk.thread:stop() end
end

function done(summary, latency, requests)
  io.write(string.format('WRK {"requests":%d,"duration_us":%d,"status_errors":%d,' ..
    '"socket_errors":%d,"p50_us":%d,"p99_us":%d,"max_us":%d}\n', summary.requests,
    summary.duration, summary.errors.status, summary.errors.connect + summary.errors.read +
    summary.errors.write + summary.errors.timeout, latency:percentile(50),
    latency:percentile(99), latency.max))
end
