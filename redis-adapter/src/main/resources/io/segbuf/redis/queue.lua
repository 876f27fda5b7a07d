-- One shard's queue and usage bookkeeping, applied together. Flagged allow-oom: it follows trace scripts that
-- already ran (or repairs them), so Redis at maxmemory must not leave their queue entries or counters half done;
-- its own writes are a few small entries.
-- KEYS[1] the shard's queue, KEYS[2] its usage hash, KEYS[3] its sizes hash (spans and bytes per queued segment).
-- ARGV: n entries, then n (score, member, spans, bytes) quads (spans -1: a guard, which has no size); m removes,
-- then m members.
-- Sizes are absolute: the usage counters move by the difference to the size recorded before. An update lost in a
-- crash (between a trace script and this) is made good by the next update of that segment, or by the repair.
-- Returns { number of members removed from the queue }.
local queue_key, usage_key, sizes_key = KEYS[1], KEYS[2], KEYS[3]
local d_segments, d_spans, d_bytes = 0, 0, 0

-- the size recorded for a member: spans, bytes; nil when there is none
local function recorded(member)
  local v = redis.call('HGET', sizes_key, member)
  if not v then return nil, nil end
  local sp = string.find(v, ' ', 1, true)
  return tonumber(string.sub(v, 1, sp - 1)), tonumber(string.sub(v, sp + 1))
end

local i = 1
local n = tonumber(ARGV[i])
i = i + 1
local zadd = {}
for _ = 1, n do
  local member, spans = ARGV[i + 1], tonumber(ARGV[i + 2])
  zadd[#zadd + 1] = ARGV[i]
  zadd[#zadd + 1] = member
  if spans >= 0 then
    local old_spans, old_bytes = recorded(member)
    if old_spans == nil then
      d_segments = d_segments + 1
      old_spans, old_bytes = 0, 0
    end
    d_spans = d_spans + spans - old_spans
    d_bytes = d_bytes + tonumber(ARGV[i + 3]) - old_bytes
    redis.call('HSET', sizes_key, member, ARGV[i + 2] .. ' ' .. ARGV[i + 3])
  end
  i = i + 4
  if #zadd >= 1000 then
    redis.call('ZADD', queue_key, unpack(zadd))
    zadd = {}
  end
end
if #zadd > 0 then
  redis.call('ZADD', queue_key, unpack(zadd))
end
local removes = tonumber(ARGV[i])
i = i + 1
local removed = 0
for _ = 1, removes do
  local member = ARGV[i]
  i = i + 1
  removed = removed + redis.call('ZREM', queue_key, member)
  local old_spans, old_bytes = recorded(member)
  if old_spans ~= nil then
    d_segments = d_segments - 1
    d_spans = d_spans - old_spans
    d_bytes = d_bytes - old_bytes
    redis.call('HDEL', sizes_key, member)
  end
end
local names = { 'segments', 'spans', 'bytes' }
local deltas = { d_segments, d_spans, d_bytes }
for k = 1, 3 do
  if deltas[k] ~= 0 then
    redis.call('HINCRBY', usage_key, names[k], deltas[k])
  end
end
return { removed }
