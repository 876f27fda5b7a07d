-- Takes a shard: bumps its epoch and moves its changelog to the new epoch's key, in one step. From then on an
-- append by the former owner (RPUSHX to the old key) finds no key and is refused; everything it appended before is
-- in the moved log, which the new owner replays.
-- KEYS[1]: the shard's epoch counter. ARGV[1]: the changelog key without its epoch. ARGV[2]: a Start record.
-- Returns {new epoch, records in the changelog}.
local old = tonumber(redis.call('GET', KEYS[1]) or '0')
local new = old + 1
local from = ARGV[1] .. old
local to = ARGV[1] .. new
if redis.call('EXISTS', from) == 1 then
  redis.call('RENAME', from, to)
elseif old > 0 then
  return redis.error_reply('SEGBUF_NO_LOG the changelog ' .. from .. ' of epoch ' .. old .. ' is gone')
else
  redis.call('RPUSH', to, ARGV[2])
end
redis.call('SET', KEYS[1], new)
return {new, redis.call('LLEN', to)}
