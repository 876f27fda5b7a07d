#!lua flags=allow-oom
-- Takes a shard: moves its epoch to the next one and its changelog to the new epoch's key, in one step. From then
-- on an append by the former owner (to the old key, only while it exists) is refused; everything it appended before is
-- in the moved log, which the new owner replays. Allowed when Redis is out of memory: the new owner must be able
-- to flush what the shard holds, which is what frees memory.
-- KEYS: the shard's epoch counter, the changelog of the epoch read, the changelog of the next epoch.
-- ARGV: the epoch read (0 when there is none), a Start record, the next epoch. Returns the records in the new
-- changelog, or -1 when the epoch moved.
if tonumber(redis.call('GET', KEYS[1]) or '0') ~= tonumber(ARGV[1]) then
  return -1
end
if redis.call('EXISTS', KEYS[2]) == 1 then
  redis.call('RENAME', KEYS[2], KEYS[3])
elseif tonumber(ARGV[1]) > 0 then
  return redis.error_reply('SEGBUF_NO_LOG the changelog ' .. KEYS[2] .. ' of epoch ' .. ARGV[1] .. ' is gone')
else
  redis.call('RPUSH', KEYS[3], ARGV[2])
end
redis.call('SET', KEYS[1], ARGV[3])
return redis.call('LLEN', KEYS[3])
