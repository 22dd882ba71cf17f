-- Pages of /api/v2/people as Parsons asks for them, with the token in OSDI-API-Token.
-- Args: token, pages, [fixed-page]. Without fixed-page, pages 1..pages are asked in order
-- (one wrk thread: the connections share this counter), starting over after the last;
-- with it, that one page is asked again and again.
function init(args)
  token = args[1]
  pages = tonumber(args[2])
  fixed = tonumber(args[3] or "0")
  asked = 0
end

function request()
  asked = asked + 1
  sent = sent + 1
  local page = fixed > 0 and fixed or ((asked - 1) % pages) + 1
  return wrk.format("GET", "/api/v2/people?page=" .. page .. "&per_page=25",
                    {["OSDI-API-Token"] = token})
end
