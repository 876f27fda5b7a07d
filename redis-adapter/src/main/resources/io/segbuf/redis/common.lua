-- Shared helpers of the segbuf scripts (prepended to each script when it is loaded).
--
-- Node (field of the trace's node hash, named by the span id in 16 hex digits):
--   'R' .. label16 .. digest .. '|' .. count .. '|' .. bytes .. '|' .. first   a set representative (a tree)
--   'L' .. parent16 .. digest [.. anything]                                  a link towards the representative
-- digest is 16 hex digits for a span that arrived, empty for a missing parent (a placeholder).
-- count, bytes and first describe the tree's open spans, kept in the list <base>s:<representative>.
--
-- Segment meta (field of the trace's meta hash, named by the segment id in 16 hex digits):
--   c b f l r g s sc sb k h od ow sd sw [trees...]   space separated; see parse_meta.

local function split(s)
  local t = {}
  for w in string.gmatch(s, '%S+') do t[#t + 1] = w end
  return t
end

local function parse_node(id, v)
  local kind = string.sub(v, 1, 1)
  local n = { id = id, ref = string.sub(v, 2, 17) }
  if kind == 'L' then
    n.rep = false
    n.dig = string.sub(v, 18, 33)
    n.cnt, n.bytes, n.first = 0, 0, -1
  else
    n.rep = true
    local d, c, b, f = string.match(string.sub(v, 18), '^(%x*)|(%d+)|(%d+)|(%-?%d+)$')
    n.dig, n.cnt, n.bytes, n.first = d, tonumber(c), tonumber(b), tonumber(f)
  end
  return n
end

local function node_string(n)
  if n.rep then
    return 'R' .. n.ref .. n.dig .. '|' .. n.cnt .. '|' .. n.bytes .. '|' .. n.first
  end
  return 'L' .. n.ref .. n.dig
end

local function new_meta(shard)
  return { c = 0, b = 0, f = -1, l = -1, r = 0, g = 0, s = -1, sc = 0, sb = 0, k = 0, h = shard,
           od = 0, ow = 1, sd = 0, sw = 1, trees = {} }
end

local function parse_meta(v)
  local t = split(v)
  local m = { c = tonumber(t[1]), b = tonumber(t[2]), f = tonumber(t[3]), l = tonumber(t[4]),
              r = tonumber(t[5]), g = tonumber(t[6]), s = tonumber(t[7]), sc = tonumber(t[8]),
              sb = tonumber(t[9]), k = tonumber(t[10]), h = tonumber(t[11]), od = tonumber(t[12]),
              ow = tonumber(t[13]), sd = tonumber(t[14]), sw = tonumber(t[15]), trees = {} }
  for i = 16, #t do m.trees[t[i]] = true end
  return m
end

local function meta_string(m)
  local parts = { string.format('%d %d %d %d %d %d %d %d %d %d %d %d %d %d %d',
    m.c, m.b, m.f, m.l, m.r, m.g, m.s, m.sc, m.sb, m.k, m.h, m.od, m.ow, m.sd, m.sw) }
  for rep in pairs(m.trees) do parts[#parts + 1] = rep end
  return table.concat(parts, ' ')
end

local function is_active(m)
  return m.c > 0 or m.s >= 0
end

-- The queue score: deadline * 8 + reason ordinal, or -1 when the segment holds nothing.
local function score(m)
  if m.s >= 0 then return m.sd * 8 + m.sw end
  if m.c > 0 then return m.od * 8 + m.ow end
  return -1
end

local function min_first(a, b)
  if a < 0 then return b end
  if b < 0 then return a end
  return math.min(a, b)
end

-- Appends the list at 'from' to the list at 'to' in pages (unpack has a bounded stack).
local function append_list(from, to)
  local start = 0
  while true do
    local page = redis.call('LRANGE', from, start, start + 499)
    if #page == 0 then return end
    redis.call('RPUSH', to, unpack(page))
    if #page < 500 then return end
    start = start + 500
  end
end

-- Calls cmd(key, list[i..j]) a page of at most 'page' elements at a time (unpack has a bounded stack).
local function call_pages(cmd, key, list, page)
  for i = 1, #list, page do
    redis.call(cmd, key, unpack(list, i, math.min(i + page - 1, #list)))
  end
end

-- (field, value) pairs; pages of an even size keep the pairs whole.
local function hset_pages(key, flat)
  call_pages('HSET', key, flat, 1000)
end

local function rpush_pages(key, list)
  call_pages('RPUSH', key, list, 500)
end
