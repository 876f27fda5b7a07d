-- Adds one trace's spans of a batch (DESIGN.md section 2): union-find over span ids, spans kept per tree.
-- KEYS[1] node hash, KEYS[2] meta hash of the trace; every other key of the trace starts with ARGV[1].
-- ARGV: base, now, shard, timeout, rootTimeout, maxLifetime (-1: none), maxSegmentBytes, ttl seconds,
--       a block list, then the blocks. The client orders a batch's spans into blocks (the subsegments the batch
--       itself proves: a top span first, then the spans whose parent chain reaches it inside the batch). The
--       block list is 'F' (blocks are exact) or 'S' (take the span-by-span path), then "count bytes" per block.
--       Then n pairs (span id, header), block by block, and the n stored payloads in the same order. A header is
--       'L' .. parent16 .. digest16 .. kind .. size [.. '/' .. label16], kind 'r' root, 'e' explicit segment
--       id (label), 'c' child; it starts as a link node does, so that it is stored as the node of a block member.
-- Returns { duplicate indexes (by position in the blocks), records } with 5 values per touched segment:
--       segment id, shard, queue score (-1: remove), spans and bytes it now holds (open and sealed).
local nodes_key, metas_key = KEYS[1], KEYS[2]
local base = ARGV[1]
local now = tonumber(ARGV[2])
local shard = tonumber(ARGV[3])
local timeout, root_timeout = tonumber(ARGV[4]), tonumber(ARGV[5])
local max_lifetime, max_bytes, ttl = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])

local nodes, dirty_nodes = {}, {}
local metas, meta_order = {}, {}
local pending = {}
local MAX_STEPS = 100000000

local function get_node(id)
  local n = nodes[id]
  if n == nil then
    local v = redis.call('HGET', nodes_key, id)
    if v then n = parse_node(id, v) else n = false end
    nodes[id] = n
  end
  return n
end

local function touch(n)
  dirty_nodes[n.id] = n
end

local function get_meta(label)
  local m = metas[label]
  if m == nil then
    local v = redis.call('HGET', metas_key, label)
    if v then m = parse_meta(v) else m = new_meta(shard) end
    m.was_active = is_active(m)
    metas[label] = m
    meta_order[#meta_order + 1] = label
  end
  return m
end

local function new_rep(id, label)
  local n = { id = id, rep = true, ref = label, dig = '', cnt = 0, bytes = 0, first = -1 }
  nodes[id] = n
  touch(n)
  get_meta(label).trees[id] = true
  return n
end

-- The representative of id's set, with path compression.
local function find(id)
  local n = get_node(id)
  local path = {}
  local steps = 0
  while not n.rep do
    path[#path + 1] = n
    n = get_node(n.ref)
    steps = steps + 1
    if steps > MAX_STEPS then error('segbuf: union-find path does not end at ' .. id) end
  end
  for i = 1, #path - 1 do
    local p = path[i]
    if p.ref ~= n.id then
      p.ref = n.id
      touch(p)
    end
  end
  return n
end

-- Earliest first insert among a segment's trees.
local function recompute_first(m)
  local f = -1
  for rep in pairs(m.trees) do
    local t = get_node(rep)
    if t and t.rep then f = min_first(f, t.first) end
  end
  m.f = f
end

-- Moves a tree (with its open spans) to the segment of another label.
local function relabel(rep, label)
  local old = rep.ref
  if old == label then return end
  local mo = get_meta(old)
  mo.trees[rep.id] = nil
  mo.c = mo.c - rep.cnt
  mo.b = mo.b - rep.bytes
  recompute_first(mo)
  local mn = get_meta(label)
  mn.trees[rep.id] = true
  mn.c = mn.c + rep.cnt
  mn.b = mn.b + rep.bytes
  mn.f = min_first(mn.f, rep.first)
  rep.ref = label
  touch(rep)
end

-- Joins the child's tree to the parent's: the smaller span list is appended to the larger one.
local function link(rc, rp)
  local lc, lp = rc.ref, rp.ref
  local mc = get_meta(lc)
  mc.trees[rc.id] = nil
  if lc ~= lp then
    mc.c = mc.c - rc.cnt
    mc.b = mc.b - rc.bytes
    recompute_first(mc)
    local mp = get_meta(lp)
    mp.c = mp.c + rc.cnt
    mp.b = mp.b + rc.bytes
    mp.f = min_first(mp.f, rc.first)
  end
  local pc_list, pp_list = pending[rc.id], pending[rp.id]
  local pc = rc.cnt - (pc_list and #pc_list or 0)
  local pp = rp.cnt - (pp_list and #pp_list or 0)
  if pc > 0 then
    local sc, sp = base .. 's:' .. rc.id, base .. 's:' .. rp.id
    if pp == 0 then
      redis.call('RENAME', sc, sp)
    elseif pc <= pp then
      append_list(sc, sp)
      redis.call('DEL', sc)
    else
      append_list(sp, sc)
      redis.call('RENAME', sc, sp)
    end
  end
  if pc_list then
    if not pp_list then
      pending[rp.id] = pc_list
    else
      local small, large = pc_list, pp_list
      if #small > #large then small, large = large, small end
      for i = 1, #small do large[#large + 1] = small[i] end
      pending[rp.id] = large
    end
    pending[rc.id] = nil
  end
  rp.cnt = rp.cnt + rc.cnt
  rp.bytes = rp.bytes + rc.bytes
  rp.first = min_first(rp.first, rc.first)
  rc.rep = false
  rc.ref = rp.id
  rc.cnt, rc.bytes, rc.first = 0, 0, -1
  touch(rc)
  touch(rp)
end

local function push(rep, payload, size)
  local list = pending[rep.id]
  if not list then
    list = {}
    pending[rep.id] = list
  end
  list[#list + 1] = payload
  rep.cnt = rep.cnt + 1
  rep.bytes = rep.bytes + size
  rep.first = min_first(rep.first, now)
  touch(rep)
  local m = get_meta(rep.ref)
  m.c = m.c + 1
  m.b = m.b + size
  m.f = min_first(m.f, now)
  m.l = math.max(m.l, now)
  m.grown = true
end

local blocks = split(ARGV[9])
local exact = blocks[1] == 'F'
local FIRST = 10

local function parse_header(h)
  local kind = string.sub(h, 34, 34)
  local size, label = string.match(string.sub(h, 35), '^(%d+)/?(%x*)$')
  return kind, string.sub(h, 2, 17), string.sub(h, 18, 33), tonumber(size), label
end

local total = 0
for b = 2, #blocks, 2 do total = total + tonumber(blocks[b]) end
local PAYLOADS = FIRST + 2 * total

-- One HMGET for every span id and every top's parent: commands inside a script cost far more than Lua.
local all_new = true
do
  local ids, seen = {}, {}
  for q = 0, total - 1 do
    local id = ARGV[FIRST + 2 * q]
    if not seen[id] then
      seen[id] = true
      ids[#ids + 1] = id
    end
  end
  local pos = 0
  for b = 2, #blocks, 2 do
    local h = ARGV[FIRST + 2 * pos + 1]
    if string.sub(h, 34, 34) == 'c' then
      local parent = string.sub(h, 2, 17)
      if not seen[parent] then
        seen[parent] = true
        ids[#ids + 1] = parent
      end
    end
    pos = pos + tonumber(blocks[b])
  end
  local i = 1
  while i <= #ids do
    local j = math.min(i + 999, #ids)
    local values = redis.call('HMGET', nodes_key, unpack(ids, i, j))
    for q = i, j do
      local v = values[q - i + 1]
      if v then
        nodes[ids[q]] = parse_node(ids[q], v)
        all_new = false
      else
        nodes[ids[q]] = false
      end
    end
    i = j + 1
  end
  if not all_new then
    -- only a top's parent may exist for the fast path
    all_new = true
    for q = 0, total - 1 do
      if nodes[ARGV[FIRST + 2 * q]] then
        all_new = false
        break
      end
    end
  end
end

-- A span that is not in the trace yet: a new node, joined to its tree. Returns the tree's representative.
local function add_new(id, kind, parent, label)
  if kind == 'c' then
    if not get_node(parent) then new_rep(parent, parent) end
    local rep = find(parent)
    nodes[id] = { id = id, rep = false, ref = rep.id, dig = '', cnt = 0, bytes = 0, first = -1 }
    return rep
  end
  if kind ~= 'e' then label = id end
  local rep = new_rep(id, label)
  if id == label then get_meta(label).r = 1 end
  return rep
end

local duplicates = {}
if exact and all_new then
  -- Every span is new: the tops join their trees; every other span's header is stored as its link node as it
  -- is, and payloads go to their tree's list in as few commands as the order of the blocks allows.
  local reps, sums, trees = {}, {}, {}
  local pos = 0
  for b = 2, #blocks, 2 do
    local k, bytes = tonumber(blocks[b]), tonumber(blocks[b + 1])
    local h = ARGV[FIRST + 2 * pos + 1]
    local rep
    if string.sub(h, 34, 34) == 'c' then
      -- the top's header, stored below, is already its link node: a link to its parent
      local parent = string.sub(h, 2, 17)
      if not get_node(parent) then new_rep(parent, parent) end
      rep = find(parent)
    else
      local id = ARGV[FIRST + 2 * pos]
      local kind, parent, dig, _, label = parse_header(h)
      rep = add_new(id, kind, parent, label)
      local top = nodes[id]
      top.dig = dig
      touch(top)
    end
    local sum = sums[rep.id]
    if not sum then
      sum = { 0, 0 }
      sums[rep.id] = sum
      trees[#trees + 1] = rep
    end
    sum[1] = sum[1] + k
    sum[2] = sum[2] + bytes
    reps[#reps + 1] = rep.id
    pos = pos + k
  end
  for _, rep in ipairs(trees) do
    local sum = sums[rep.id]
    pending[rep.id] = pending[rep.id] or {}
    rep.cnt = rep.cnt + sum[1]
    rep.bytes = rep.bytes + sum[2]
    rep.first = min_first(rep.first, now)
    touch(rep)
    local m = get_meta(rep.ref)
    m.c = m.c + sum[1]
    m.b = m.b + sum[2]
    m.f = min_first(m.f, now)
    m.l = math.max(m.l, now)
    m.grown = true
  end
  local i = FIRST
  while i < PAYLOADS do
    local j = math.min(i + 999, PAYLOADS - 1)
    redis.call('HSET', nodes_key, unpack(ARGV, i, j))
    i = j + 1
  end
  -- runs of blocks with the same tree share one RPUSH
  local run_start, run_rep = PAYLOADS, reps[1]
  pos = 0
  for r = 1, #reps + 1 do
    if r > #reps or reps[r] ~= run_rep then
      local last = PAYLOADS + pos - 1
      local skey = base .. 's:' .. run_rep
      local q = run_start
      while q <= last do
        local j = math.min(q + 499, last)
        redis.call('RPUSH', skey, unpack(ARGV, q, j))
        q = j + 1
      end
      if r <= #reps then
        run_start, run_rep = PAYLOADS + pos, reps[r]
      end
    end
    if r <= #reps then pos = pos + tonumber(blocks[2 * r]) end
  end
else
  for pos = 0, total - 1 do
    local id, h, payload = ARGV[FIRST + 2 * pos], ARGV[FIRST + 2 * pos + 1], ARGV[PAYLOADS + pos]
    local kind, parent, dig, size, label = parse_header(h)
    local n = get_node(id)
    if n and n.dig ~= '' then
      local rep = find(id)
      if n.dig == dig then
        duplicates[#duplicates + 1] = pos
        get_meta(rep.ref) -- reported again, so that a redelivery repairs a lost queue update
      else
        push(rep, payload, size)
      end
    elseif not n then
      local rep = add_new(id, kind, parent, label)
      n = nodes[id]
      n.dig = dig
      touch(n)
      push(rep, payload, size)
    else
      local rep
      if kind == 'c' then
        if not get_node(parent) then new_rep(parent, parent) end
        rep = find(parent)
        local rc = find(id)
        if rc ~= rep then link(rc, rep) end
      else
        if kind ~= 'e' then label = id end
        rep = find(id)
        relabel(rep, label)
        if id == label then get_meta(label).r = 1 end
      end
      n.dig = dig
      touch(n)
      push(rep, payload, size)
    end
  end
end

for rep_id, list in pairs(pending) do
  local key = base .. 's:' .. rep_id
  if #list > 0 then rpush_pages(key, list) end
  redis.call('EXPIRE', key, ttl)
end

local flat = {}
for id, n in pairs(dirty_nodes) do
  flat[#flat + 1] = id
  flat[#flat + 1] = node_string(n)
end
hset_pages(nodes_key, flat)

local records = {}
local active_delta = 0
local meta_flat = {}
for _, label in ipairs(meta_order) do
  local m = metas[label]
  if m.grown then
    local hr = m.r == 1
    if m.b >= max_bytes then
      m.od, m.ow = m.l, 3
    else
      local idle = m.l + (hr and root_timeout or timeout)
      m.od, m.ow = idle, hr and 0 or 1
      if max_lifetime >= 0 and m.f + max_lifetime < idle then
        m.od, m.ow = m.f + max_lifetime, 2
      end
    end
  end
  local active = is_active(m)
  if active or m.g > 0 or m.k > 0 or next(m.trees) ~= nil then
    meta_flat[#meta_flat + 1] = label
    meta_flat[#meta_flat + 1] = meta_string(m)
  else
    redis.call('HDEL', metas_key, label)
  end
  if active or m.was_active then
    local d = (active and 1 or 0) - (m.was_active and 1 or 0)
    active_delta = active_delta + d
    records[#records + 1] = label
    records[#records + 1] = m.h
    records[#records + 1] = score(m)
    records[#records + 1] = m.c + m.sc
    records[#records + 1] = m.b + m.sb
  end
end
hset_pages(metas_key, meta_flat)
if active_delta ~= 0 then redis.call('HINCRBY', metas_key, '#a', active_delta) end
-- A hash kept compact (listpack) is searched linearly: past 64 span ids, one value longer than the compact
-- limit makes Redis convert it to a hash table for good, so lookups stay constant time in big traces.
if redis.call('HLEN', nodes_key) >= 64 and redis.call('HEXISTS', nodes_key, '#') == 0 then
  redis.call('HSET', nodes_key, '#', string.rep('-', 128))
end
redis.call('EXPIRE', nodes_key, ttl)
redis.call('EXPIRE', metas_key, ttl)
return { duplicates, records }
