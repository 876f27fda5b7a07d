#!lua flags=allow-oom
-- Replaces a changelog by one snapshot record while it exists, also when Redis is out of memory: compaction is what
-- frees memory. Used only when Redis refused the plain RPUSHX and LTRIM that compaction uses otherwise (Lua copies a
-- script's arguments twice). KEYS: the changelog. ARGV: the snapshot record. Returns 1, or 0 when the changelog is
-- gone (the shard was taken over).
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
redis.call('DEL', KEYS[1])
redis.call('RPUSH', KEYS[1], ARGV[1])
return 1
