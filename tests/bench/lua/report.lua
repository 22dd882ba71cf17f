-- Shared by every scenario (run.py prepends it): per-thread tallies and one JSON line.
-- Each wrk thread has its own Lua state, so tallies are read back through thread:get.
local threads = {}
statuses = {}
sent = 0
accepted = 0
accept_marker = nil  -- a scenario may set it: a 2xx whose body holds it is "accepted"

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status < 300 and accept_marker and body and string.find(body, accept_marker, 1, true) then
    accepted = accepted + 1
  end
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
  local merged, total_sent, total_accepted = {}, 0, 0
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses") or {}) do
      merged[status] = (merged[status] or 0) + n
    end
    total_sent = total_sent + (thread:get("sent") or 0)
    total_accepted = total_accepted + (thread:get("accepted") or 0)
  end
  local e = summary.errors
  local result = {
    duration_us = summary.duration, requests = summary.requests, bytes = summary.bytes,
    sent = total_sent, accepted = total_accepted, statuses = merged,
    errors = {connect = e.connect, read = e.read, write = e.write, status = e.status,
              timeout = e.timeout},
    latency_us = {mean = latency.mean, max = latency.max, p50 = latency:percentile(50),
                  p95 = latency:percentile(95), p99 = latency:percentile(99)},
  }
  io.write("WRK_JSON " .. encode(result) .. "\n")
end
