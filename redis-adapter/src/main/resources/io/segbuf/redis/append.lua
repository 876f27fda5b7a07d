-- Appends a seal or completion record to a trace log. Flagged allow-oom: flushes free memory, so they must go on
-- when Redis is at maxmemory; a record is a few bytes.
-- KEYS[1] the trace log; ARGV[1] the record; ARGV[2] the log's expiry in milliseconds.
-- Returns { the log's length after the record }.
local length = redis.call('APPEND', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return { length }
