-- wrk script of bench/load.py: one endpoint's requests, and a JSON summary at the end.
--
--   wrk -s bench/load.lua URL -- METHOD BODY_FILE CONTENT_TYPE SUBMIT HEADER...
--
-- METHOD is GET or POST; BODY_FILE a file whose bytes are the body ("-" for none) and
-- CONTENT_TYPE its type ("-" for none). SUBMIT is "-", or "KEY_PREFIX,STUDENT_PREFIX,PER_THREAD"
-- for the submit endpoint: BODY_FILE is then the submitted source, sent as a multipart `file`
-- with a `student` field, and every request carries an Idempotency-Key of its own. Thread n
-- submits in turn for its own PER_THREAD students (STUDENT_PREFIX<n*PER_THREAD> onwards): with
-- more students than the thread has connections, two requests in flight rarely number the same
-- student's attempts. The remaining arguments are "Name: value" headers.
--
-- `done` prints one line of JSON: counts, wrk's socket errors, the responses that were not 2xx
-- (wrk itself counts only >= 400) and latency percentiles in microseconds.

local threads = {}
local thread_count = 0

function setup(thread)
   thread:set("id", thread_count)
   thread_count = thread_count + 1
   table.insert(threads, thread)
end

local method, body, content_type
local headers = {}
local submit = nil
local counter = 0
non_2xx = 0

local function read_file(path)
   local file = assert(io.open(path, "rb"))
   local data = file:read("*a")
   file:close()
   return data
end

function init(args)
   method = args[1]
   if args[2] ~= "-" then
      body = read_file(args[2])
   end
   content_type = args[3]
   if args[4] ~= "-" then
      local key_prefix, student_prefix, share = args[4]:match("^([^,]+),([^,]+),(%d+)$")
      share = tonumber(share)
      -- `id` was set by setup(), which wrk runs for a thread before its init().
      submit = {
         key_prefix = key_prefix .. "-t" .. id .. "-",
         student_prefix = student_prefix,
         first = id * share,
         share = share,
         boundary = "courseportal-load-boundary",
      }
   end
   for i = 5, #args do
      local name, value = args[i]:match("^([^:]+):%s*(.*)$")
      headers[name] = value
   end
   if content_type ~= "-" and not submit then
      headers["Content-Type"] = content_type
   end
end

local function multipart(student)
   local b = submit.boundary
   return table.concat({
      "--", b, "\r\n",
      'Content-Disposition: form-data; name="student"\r\n\r\n', student, "\r\n",
      "--", b, "\r\n",
      'Content-Disposition: form-data; name="file"; filename="solution.py"\r\n',
      "Content-Type: text/x-python\r\n\r\n", body, "\r\n",
      "--", b, "--\r\n",
   })
end

function request()
   if not submit then
      return wrk.format(method, nil, headers, body)
   end
   counter = counter + 1
   local student = submit.student_prefix .. (submit.first + counter % submit.share)
   headers["Idempotency-Key"] = submit.key_prefix .. counter
   headers["Content-Type"] = "multipart/form-data; boundary=" .. submit.boundary
   return wrk.format(method, nil, headers, multipart(student))
end

function response(status, response_headers, response_body)
   if status < 200 or status > 299 then
      non_2xx = non_2xx + 1
   end
end

function done(summary, latency, requests)
   local not_2xx = 0
   for _, thread in ipairs(threads) do
      not_2xx = not_2xx + thread:get("non_2xx")
   end
   local e = summary.errors
   io.write(string.format(
      '{"requests": %d, "duration_us": %d, "bytes": %d, "non_2xx": %d, '
         .. '"connect": %d, "read": %d, "write": %d, "timeout": %d, "status_4xx_5xx": %d, '
         .. '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f}\n',
      summary.requests, summary.duration, summary.bytes, not_2xx,
      e.connect, e.read, e.write, e.timeout, e.status,
      latency:percentile(50), latency:percentile(90), latency:percentile(99),
      latency.max, latency.mean
   ))
end
