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
local PAGE = 500
local d_segments, d_spans, d_bytes = 0, 0, 0

-- calls command(key, list[first..last]) a page at a time; sums numeric replies, collects table replies
local function paged(command, key, list, out)
  local total = 0
  for p = 1, #list, PAGE do
    local r = redis.call(command, key, unpack(list, p, math.min(p + PAGE - 1, #list)))
    if type(r) == 'table' then
      for _, v in ipairs(r) do out[#out + 1] = v end
    else
      total = total + r
    end
  end
  return total
end

-- the sizes recorded for members, as { spans, bytes } or false where there is none
local function recorded(members)
  local raw = {}
  if #members > 0 then paged('HMGET', sizes_key, members, raw) end
  local out = {}
  for k = 1, #members do
    local v = raw[k]
    if v then
      local sp = string.find(v, ' ', 1, true)
      out[k] = { tonumber(string.sub(v, 1, sp - 1)), tonumber(string.sub(v, sp + 1)) }
    else
      out[k] = false
    end
  end
  return out
end

local i = 1
local n = tonumber(ARGV[i])
i = i + 1
local zadd, sized, sizes, fields = {}, {}, {}, {}
for _ = 1, n do
  zadd[#zadd + 1] = ARGV[i]
  zadd[#zadd + 1] = ARGV[i + 1]
  if tonumber(ARGV[i + 2]) >= 0 then
    sized[#sized + 1] = ARGV[i + 1]
    sizes[#sizes + 1] = { tonumber(ARGV[i + 2]), tonumber(ARGV[i + 3]) }
    fields[#fields + 1] = ARGV[i + 1]
    fields[#fields + 1] = ARGV[i + 2] .. ' ' .. ARGV[i + 3]
  end
  i = i + 4
end
if #zadd > 0 then paged('ZADD', queue_key, zadd, {}) end
local before = recorded(sized)
for k = 1, #sized do
  local old = before[k] or { 0, 0 }
  if not before[k] then d_segments = d_segments + 1 end
  d_spans = d_spans + sizes[k][1] - old[1]
  d_bytes = d_bytes + sizes[k][2] - old[2]
end
if #fields > 0 then paged('HSET', sizes_key, fields, {}) end

local removes = tonumber(ARGV[i])
local members = {}
for k = 1, removes do
  members[k] = ARGV[i + k]
end
local removed = 0
if removes > 0 then
  removed = paged('ZREM', queue_key, members, {})
  local gone = recorded(members)
  for k = 1, removes do
    if gone[k] then
      d_segments = d_segments - 1
      d_spans = d_spans - gone[k][1]
      d_bytes = d_bytes - gone[k][2]
    end
  end
  paged('HDEL', sizes_key, members, {})
end
local names = { 'segments', 'spans', 'bytes' }
local deltas = { d_segments, d_spans, d_bytes }
for k = 1, 3 do
  if deltas[k] ~= 0 then
    redis.call('HINCRBY', usage_key, names[k], deltas[k])
  end
end
return { removed }
