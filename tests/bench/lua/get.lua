-- Anonymous GETs of one path (the URL given to wrk); no cookie, nothing but the request.
function request()
  sent = sent + 1
  return wrk.format("GET")
end
