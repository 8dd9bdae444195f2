-- wrk script for bench_vote.py: POST each prepared ballot once, in order, over wrk's connections.
-- Environment: VOTE_BODIES (one JSON body per line), VOTE_PATH (the cast endpoint), VOTE_OUT (a
-- results file written when the last ballot's answer is in; bench_vote.py then stops wrk).
-- Requests past the last ballot are GETs of the same path (405, not counted), one a second per
-- connection, until wrk stops; so is the first, which wrk asks for only to check that the script
-- makes a valid request. VOTE_OUT.progress holds the number of answers so far (every 1,000).
local bodies, path, out = {}, os.getenv("VOTE_PATH"), os.getenv("VOTE_OUT")
local headers = { ["Content-Type"] = "application/json" }
local sent, answered, finished, verified = 0, 0, false, false
local statuses, ids = {}, {}

function init(args)
  for line in io.lines(os.getenv("VOTE_BODIES")) do
    bodies[#bodies + 1] = line
  end
end

function request()
  if not verified then
    verified = true
    return wrk.format("GET", path)
  end
  if sent < #bodies then
    sent = sent + 1
    return wrk.format("POST", path, headers, bodies[sent])
  end
  return wrk.format("GET", path)
end

function delay()
  if sent >= #bodies then
    return 1000
  end
  return 0
end

function response(status, hdrs, body)
  if status == 405 or finished then
    return
  end
  answered = answered + 1
  statuses[status] = (statuses[status] or 0) + 1
  if status == 200 then
    ids[#ids + 1] = body:match('"ballot": ?(%d+)')
  end
  if answered % 1000 == 0 then
    local f = io.open(out .. ".progress", "w")
    f:write(answered, "\n")
    f:close()
  end
  if answered == #bodies then
    finished = true
    local f = io.open(out .. ".part", "w")
    for code, n in pairs(statuses) do
      f:write("status ", code, " ", n, "\n")
    end
    f:write("ids ", table.concat(ids, ","), "\n")
    f:close()
    os.rename(out .. ".part", out)
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local f = io.open(out .. ".latency", "w")
  f:write(string.format("p50 %d\np99 %d\nmean %f\n",
    latency:percentile(50), latency:percentile(99), latency.mean))
  f:close()
end
