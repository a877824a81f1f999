-- wrk script for Benchmarks/serve/load.py: POSTs classify bodies, one JSON body a line of the
-- file given after `--` (cycled request by request), and prints one JSON line at the end
-- with the figures load.py reads (latency in microseconds, from wrk's full histogram).
--
--   wrk -t1 -c16 -d10s --latency -s classify.lua http://127.0.0.1:8080/v1/classify -- bodies.jsonl

local bodies = {}
local next_body = 1

function init(args)
  local path = args[1]
  if path == nil then error("classify.lua: give the bodies file after --") end
  for line in io.lines(path) do
    if #line > 0 then bodies[#bodies + 1] = line end
  end
  if #bodies == 0 then error("classify.lua: " .. path .. " has no body") end
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  local body = bodies[next_body]
  next_body = next_body % #bodies + 1
  return wrk.format(nil, nil, nil, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests": %d, "duration_us": %d, "bytes": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, ' ..
    '"max_us": %d, "mean_us": %.1f, "errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}}\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, latency.mean, e.connect, e.read, e.write, e.status, e.timeout))
end
