-- wrk script for the benchmarks: requests the paths of a file (one per line) in rotation,
-- accepting gzip, and prints p50/p95/p99 and throughput at the end.
--   wrk ... -s scripts/wrk-rotate.lua URL -- PATHS_FILE
local paths = {}
local i = 0

init = function(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
end

request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i], { ["Accept-Encoding"] = "gzip" })
end

done = function(summary, latency, requests)
  local s = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format("requests: %d in %.1f s, %.0f per s, errors: %d\n",
    summary.requests, s, summary.requests / s, e.connect + e.read + e.write + e.status + e.timeout))
  io.write(string.format("latency: p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms\n",
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
