-- Seals a segment's open spans as one generation, or returns the generation already sealed.
-- KEYS[1] node hash, KEYS[2] meta hash. ARGV: base, segment id, ttl seconds.
-- Returns { generation, spans, bytes, chunked, shard }, or { -2, shard } when the segment holds nothing,
-- or { -1 } when the trace holds no such segment.
local nodes_key, metas_key = KEYS[1], KEYS[2]
local base, label, ttl = ARGV[1], ARGV[2], tonumber(ARGV[3])
local v = redis.call('HGET', metas_key, label)
if not v then return { -1 } end
local m = parse_meta(v)
if m.s >= 0 then
  redis.call('EXPIRE', base .. 'g:' .. label .. ':' .. m.s, ttl)
  return { m.s, m.sc, m.sb, m.k, m.h }
end
if m.c <= 0 then return { -2, m.h } end
local gen = m.g
local gkey = base .. 'g:' .. label .. ':' .. gen
local trees = {}
for rep_id in pairs(m.trees) do
  local raw = redis.call('HGET', nodes_key, rep_id)
  if raw then
    local n = parse_node(rep_id, raw)
    if n.rep and n.cnt > 0 then trees[#trees + 1] = n end
  end
end
table.sort(trees, function(a, b) return a.cnt > b.cnt end)
local flat = {}
for i, n in ipairs(trees) do
  local skey = base .. 's:' .. n.id
  if i == 1 then
    redis.call('RENAME', skey, gkey)
  else
    append_list(skey, gkey)
    redis.call('DEL', skey)
  end
  n.cnt, n.bytes, n.first = 0, 0, -1
  flat[#flat + 1] = n.id
  flat[#flat + 1] = node_string(n)
end
hset_pages(nodes_key, flat)
redis.call('EXPIRE', gkey, ttl)
m.g = gen + 1
m.s = gen
m.sc, m.sb = m.c, m.b
m.c, m.b, m.f = 0, 0, -1
m.sd, m.sw = m.od, m.ow
redis.call('HSET', metas_key, label, meta_string(m))
return { gen, m.sc, m.sb, m.k, m.h }
