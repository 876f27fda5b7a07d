-- Lists the queue entries of every buffered segment of a trace, to repair a queue update lost in a crash.
-- KEYS[1] node hash, KEYS[2] meta hash. Returns 5 values per buffered segment: segment id, shard, score, and
-- the spans and bytes it holds (open and sealed).
local metas_key = KEYS[2]
local all = redis.call('HGETALL', metas_key)
local out = {}
for i = 1, #all, 2 do
  local label = all[i]
  if string.sub(label, 1, 1) ~= '#' then
    local m = parse_meta(all[i + 1])
    if is_active(m) then
      out[#out + 1] = label
      out[#out + 1] = m.h
      out[#out + 1] = score(m)
      out[#out + 1] = m.c + m.sc
      out[#out + 1] = m.b + m.sb
    end
  end
end
return out
