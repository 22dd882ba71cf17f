-- POST confirmation links, each token once.
-- Args: token-file threads origin path-template [accept-marker].
-- Thread i of n takes lines i, i+n, i+2n ...; a thread out of tokens stops itself.
local tokens, index = {}, 0

function init(args)
  local stride, line_no = tonumber(args[2]), 0
  for line in io.lines(args[1]) do
    if line_no % stride == tid - 1 then table.insert(tokens, line) end
    line_no = line_no + 1
  end
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  wrk.headers["Origin"] = args[3]
  wrk.headers["Sec-Fetch-Site"] = "same-origin"
  path_template = args[4]
  accept_marker = args[5]
end

function request()
  index = index + 1
  if index > #tokens then
    wrk.thread:stop()
    index = #tokens
  end
  sent = index
  local path = string.gsub(path_template, "{token}", tokens[index])
  return wrk.format(nil, path)
end
