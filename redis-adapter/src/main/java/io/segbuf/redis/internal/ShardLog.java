package io.segbuf.redis.internal;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.segbuf.SegbufException;
import io.segbuf.redis.ShardFencedException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * One shard's changelog in Redis as its owner of one epoch sees it: a list at {@code log:<epoch>}, appended with
 * {@code RPUSHX}. Fencing costs nothing per append: {@code RPUSHX} only appends to a list that exists, and the next
 * owner's takeover renames the list to its own epoch, so once it has, this owner's appends answer 0 and are refused.
 * Not thread-safe: its owner calls it under the shard's lock.
 */
public final class ShardLog {
  private static final byte[] TAKEOVER = Resources.read("takeover.lua");
  private static final byte[] START = ChangelogCodec.encode(new ChangelogRecord.Start());
  private static final int PAGE = 1_000;

  private final RedisClusterAsyncCommands<byte[], byte[]> async;
  private final Duration timeout;
  private final int shard;
  private final long epoch;
  private final byte[] key;
  private long records;

  private ShardLog(RedisClusterAsyncCommands<byte[], byte[]> async, Duration timeout, int shard, long epoch,
      byte[] key, long records) {
    this.async = async;
    this.timeout = timeout;
    this.shard = shard;
    this.epoch = epoch;
    this.key = key;
    this.records = records;
  }

  /** Bumps the shard's epoch and moves its changelog to the new epoch's key, creating it for a new shard. */
  public static ShardLog takeOver(RedisClusterAsyncCommands<byte[], byte[]> async, Duration timeout,
      ShardKeys keys, int shard) {
    List<Object> reply = Futures.await(async.eval(TAKEOVER, ScriptOutputType.MULTI,
        new byte[][] {keys.epoch(shard)}, keys.logWithoutEpoch(shard), START), timeout, "takeover of shard " + shard);
    long epoch = (Long) reply.get(0);
    long records = (Long) reply.get(1);
    return new ShardLog(async, timeout, shard, epoch, keys.log(shard, epoch), records);
  }

  public int shard() {
    return shard;
  }

  public long epoch() {
    return epoch;
  }

  /** How many records the changelog holds. */
  public long records() {
    return records;
  }

  /**
   * Appends one record.
   *
   * @throws ShardFencedException when another owner took the shard over
   */
  public void append(byte[] record) {
    long length = Futures.await(async.rpushx(key, record), timeout, "append to shard " + shard);
    if (length == 0) {
      throw fenced();
    }
    records = length;
  }

  /**
   * Reads how many records the changelog holds, after an append whose outcome is unknown.
   *
   * @throws ShardFencedException when another owner took the shard over
   */
  public void refresh() {
    long length = Futures.await(async.llen(key), timeout, "length of shard " + shard);
    if (length == 0) {
      throw fenced();
    }
    records = length;
  }

  private ShardFencedException fenced() {
    return new ShardFencedException("shard " + shard + " was taken over by another owner after epoch " + epoch
        + ": its changelog " + new String(key, StandardCharsets.US_ASCII) + " is gone");
  }

  /** Calls {@code replay} with every record and its offset, in order. */
  public void replay(RecordConsumer replay) {
    for (long from = 0; from < records; from += PAGE) {
      long to = Math.min(records, from + PAGE) - 1;
      List<byte[]> page = Futures.await(async.lrange(key, from, to), timeout, "read of shard " + shard);
      if (page.size() != to - from + 1) {
        throw new ShardFencedException("shard " + shard + " was taken over while epoch " + epoch
            + " read its changelog: " + page.size() + " records at offset " + from + " where " + (to - from + 1)
            + " were expected");
      }
      for (int i = 0; i < page.size(); i++) {
        long offset = from + i;
        ChangelogRecord record;
        try {
          record = ChangelogCodec.decode(page.get(i));
        } catch (UndecodableRecordException e) {
          throw new SegbufException("shard " + shard + " changelog record at offset " + offset + " (epoch " + epoch
              + ") does not decode: " + e.getMessage(), e);
        }
        replay.accept(record, offset);
      }
    }
  }

  /** Receives replayed records. */
  @FunctionalInterface
  public interface RecordConsumer {
    void accept(ChangelogRecord record, long offset);
  }
}
