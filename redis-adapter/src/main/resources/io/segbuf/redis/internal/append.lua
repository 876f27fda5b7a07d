#!lua flags=allow-oom
-- Appends seals or completions to a changelog while it exists (RPUSHX), also when Redis is out of memory: these
-- records are small, and flushing is what lets compaction free memory. Batches of spans use a plain RPUSHX, which
-- Redis refuses when out of memory, so that input waits instead.
-- KEYS: the changelog. ARGV: the records. Returns the changelog's length, 0 when it is gone (the shard was taken).
return redis.call('RPUSHX', KEYS[1], unpack(ARGV))
