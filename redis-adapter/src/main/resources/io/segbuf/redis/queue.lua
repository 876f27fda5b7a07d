-- One shard's queue and usage bookkeeping, applied together. Flagged allow-oom: it follows trace scripts that
-- already ran (or repairs them), so Redis at maxmemory must not leave their queue entries or counters half done;
-- its own writes are a few small entries.
-- KEYS[1] the shard's queue, KEYS[2] its usage hash.
-- ARGV: n adds, then n (score, member) pairs; m removes, then m members; segments, spans and bytes deltas.
local queue_key, usage_key = KEYS[1], KEYS[2]
local i = 1
local adds = tonumber(ARGV[i])
i = i + 1
for p = 0, adds - 1, 500 do
  local n = math.min(500, adds - p)
  redis.call('ZADD', queue_key, unpack(ARGV, i, i + 2 * n - 1))
  i = i + 2 * n
end
local removes = tonumber(ARGV[i])
i = i + 1
for p = 0, removes - 1, 500 do
  local n = math.min(500, removes - p)
  redis.call('ZREM', queue_key, unpack(ARGV, i, i + n - 1))
  i = i + n
end
local names = { 'segments', 'spans', 'bytes' }
for k = 1, 3 do
  local delta = tonumber(ARGV[i + k - 1])
  if delta ~= 0 then
    redis.call('HINCRBY', usage_key, names[k], delta)
  end
end
return { adds, removes }
