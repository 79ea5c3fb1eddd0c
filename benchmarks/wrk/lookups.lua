-- wrk script for bench_api.py: GET /m/lookup (PDQ) over the queries in a file, one per line;
-- args: query file, API token, requests per thread (then it stops).
local thread_ids = 0

function setup(thread)
  thread_ids = thread_ids + 1
  thread:set("tid", thread_ids)
end

function init(args)
  queries = {}
  for line in io.lines(args[1]) do queries[#queries + 1] = line end
  limit = tonumber(args[3])
  headers = {["Authorization"] = "Bearer " .. args[2]}
  sent, answered = tid * 7919, 0
end

function request()
  sent = sent + 1
  return wrk.format("GET", "/m/lookup?signal_type=pdq&signal=" ..
    queries[(sent % #queries) + 1], headers)
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
