-- Shared by every scenario (run.py prepends it): per-thread tallies and one JSON line.
-- Each wrk thread has its own Lua state, so tallies are read back through thread:get.
local threads = {}
statuses = {}
sent = 0

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

local function encode(value)
  if type(value) == "table" then
    local parts = {}
    for k, v in pairs(value) do
      table.insert(parts, string.format("%q:%s", tostring(k), encode(v)))
    end
    return "{" .. table.concat(parts, ",") .. "}"
  end
  return tostring(value)
end

function done(summary, latency, requests)
  local merged, total_sent = {}, 0
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses") or {}) do
      merged[status] = (merged[status] or 0) + n
    end
    total_sent = total_sent + (thread:get("sent") or 0)
  end
  local e = summary.errors
  local result = {
    duration_us = summary.duration, requests = summary.requests, bytes = summary.bytes,
    sent = total_sent, statuses = merged,
    errors = {connect = e.connect, read = e.read, write = e.write, status = e.status,
              timeout = e.timeout},
    latency_us = {mean = latency.mean, max = latency.max, p50 = latency:percentile(50),
                  p95 = latency:percentile(95), p99 = latency:percentile(99)},
  }
  io.write("WRK_JSON " .. encode(result) .. "\n")
end
