-- Anonymous GETs of one path (the URL given to wrk); no cookie, nothing but the request.
-- Args: [pause-ms]: each connection waits that long between requests, so that the
-- latency is measured at a chosen rate (connections * 1000 / pause-ms) rather than flat out.
function init(args)
  local pause = tonumber(args[1] or "0")
  if pause > 0 then
    delay = function() return pause end
  end
end

function request()
  sent = sent + 1
  return wrk.format("GET")
end
