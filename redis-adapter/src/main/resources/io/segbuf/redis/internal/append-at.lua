#!lua
-- Appends records only while the changelog holds as many records as its owner expects: a command sent again after
-- its answer was lost (the client sends it again on its next connection) finds more and is refused, instead of being
-- applied twice. Refused when Redis is out of memory, as batches of spans are, so that input waits; ShardLog runs
-- it for seals and completions with the allow-oom flag added, as these records are small and flushing is what lets
-- compaction free memory.
-- KEYS: the changelog. ARGV: the length expected, then the records. Returns the new length, 0 when the changelog is
-- gone (the shard was taken over), minus the length found when it is not the one expected.
local length = redis.call('LLEN', KEYS[1])
if length == 0 then
  return 0
end
if length ~= tonumber(ARGV[1]) then
  return -length
end
for from = 2, #ARGV, 1000 do
  length = redis.call('RPUSH', KEYS[1], unpack(ARGV, from, math.min(from + 999, #ARGV)))
end
return length
