-- Deletes a sealed generation once it was flushed.
-- KEYS[1] node hash, KEYS[2] meta hash. ARGV: base, segment id, generation, chunked (0/1), retention seconds.
-- Returns { shard, queue score (-1: remove), spans and bytes the segment still holds (open) },
-- or { -1 } when that generation is not sealed (completed already).
local nodes_key, metas_key = KEYS[1], KEYS[2]
local base, label, gen = ARGV[1], ARGV[2], tonumber(ARGV[3])
local chunked, retention = tonumber(ARGV[4]), tonumber(ARGV[5])
local v = redis.call('HGET', metas_key, label)
if not v then return { -1 } end
local m = parse_meta(v)
if m.s ~= gen then return { -1 } end
redis.call('DEL', base .. 'g:' .. label .. ':' .. gen)
m.s, m.sc, m.sb = -1, 0, 0
if chunked == 1 then m.k = 1 end
redis.call('HSET', metas_key, label, meta_string(m))
local d = is_active(m) and 0 or -1
if d ~= 0 then
  local left = redis.call('HINCRBY', metas_key, '#a', d)
  if left <= 0 then
    -- nothing buffered: remember the trace's span ids for late spans only for the retention time
    redis.call('EXPIRE', nodes_key, retention)
    redis.call('EXPIRE', metas_key, retention)
  end
end
return { m.h, score(m), m.c, m.b }
