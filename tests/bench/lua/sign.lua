-- POST the sign form (or the baseline) with a unique email per request:
-- run id, thread id and a per-thread counter. Args: run-id country origin [accept-marker].
local counter = 0

function init(args)
  run_id = args[1] or "run"
  country = args[2] or "FR"
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  wrk.headers["Origin"] = args[3]
  wrk.headers["Sec-Fetch-Site"] = "same-origin"
  accept_marker = args[4]
end

function request()
  counter = counter + 1
  sent = counter
  local body = string.format(
    "name=Signer+%d+%d&email=s-%s-%d-%d%%40example.org&country=%s",
    tid, counter, run_id, tid, counter, country)
  return wrk.format(nil, nil, nil, body)
end
