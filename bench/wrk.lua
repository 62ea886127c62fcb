-- wrk script for bench/run.sh: POSTs $BODY_FILE as JSON (GET when unset) and prints one
-- line "RESULT requests=.. rps=.. p50_us=.. p99_us=.. errors=.." at the end.
local body_file = os.getenv("BODY_FILE")
if body_file and body_file ~= "" then
  local f = assert(io.open(body_file, "rb"))
  wrk.body = f:read("*a")
  f:close()
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
else
  wrk.method = "GET"
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT requests=%d seconds=%.3f bytes=%d rps=%.1f p50_us=%d p99_us=%d errors=%d\n",
    summary.requests, summary.duration / 1e6, summary.bytes, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.status + e.timeout))
end
