package io.segbuf.redis.internal;

import io.segbuf.SegbufException;
import io.segbuf.redis.ShardFencedException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One shard's changelog in Redis as its owner of one epoch sees it: a list at {@code log:<epoch>}. Fencing costs
 * nothing per append: every append is an {@code RPUSHX}, which only appends to a list that exists, and the next
 * owner's takeover renames the list to its own epoch's key, so once it has, this owner's appends answer 0 and are
 * refused. Keeps count of the changelog's bytes for compaction. Not thread-safe: its owner calls it under the
 * shard's lock.
 */
public final class ShardLog {
  private static final Logger LOG = LoggerFactory.getLogger(ShardLog.class);
  private static final Script TAKEOVER = new Script("takeover.lua");
  private static final Script APPEND_AT = new Script("append-at.lua");
  private static final Script APPEND_AT_ALLOW_OOM = APPEND_AT.allowingOom();
  private static final Script COMPACT = new Script("compact.lua");
  private static final byte[] START = ChangelogCodec.encode(new ChangelogRecord.Start());
  private static final int PAGE = 1_000;
  private static final int SMALL_RECORDS_PER_COMMAND = 1_000;
  private static final int TAKEOVER_ATTEMPTS = 10;

  private final ChangelogRedis redis;
  private final Duration timeout;
  private final RedisMemory memory;
  private final int shard;
  private final long epoch;
  private final byte[] key;
  private long records;
  /** Bytes of the changelog's records, as appended or read (the start record of a new changelog is not counted). */
  private long bytes;

  private ShardLog(ChangelogRedis redis, Duration timeout, RedisMemory memory, int shard,
      long epoch, byte[] key, long records) {
    this.redis = redis;
    this.timeout = timeout;
    this.memory = memory;
    this.shard = shard;
    this.epoch = epoch;
    this.key = key;
    this.records = records;
  }

  /**
   * Bumps the shard's epoch and moves its changelog to the new epoch's key, creating it for a new shard. The epoch
   * is read first and the script moves it only from that value, so that the script declares every key it touches.
   */
  public static ShardLog takeOver(ChangelogRedis redis, Duration timeout,
      RedisMemory memory, ShardKeys keys, int shard) {
    for (int attempt = 0; attempt < TAKEOVER_ATTEMPTS; attempt++) {
      byte[] read = Futures.await(redis.get(keys.epoch(shard)), timeout, "epoch of shard " + shard);
      long epoch = read == null ? 0 : Long.parseLong(new String(read, StandardCharsets.US_ASCII));
      long next = read == null ? firstEpoch(redis, timeout) : epoch + 1;
      long records = redis.run(TAKEOVER,
          new byte[][] {keys.epoch(shard), keys.log(shard, epoch), keys.log(shard, next)},
          ascii(epoch), START, ascii(next));
      if (records > 0) {
        return new ShardLog(redis, timeout, memory, shard, next, keys.log(shard, next), records);
      }
    }
    throw new SegbufException("shard " + shard + " must be taken over but its epoch moved " + TAKEOVER_ATTEMPTS
        + " times while this store tried: other processes are taking it at the same time");
  }

  /**
   * The epoch of a shard without one, new or lost by Redis (a restart without persistence): Redis's clock in
   * microseconds, above every epoch the shard had before the loss (one more per takeover since an earlier reading of
   * that clock), so that an owner from before the loss finds no changelog under its key and is refused.
   */
  private static long firstEpoch(ChangelogRedis redis, Duration timeout) {
    List<byte[]> time = Futures.await(redis.time(), timeout, "time of Redis");
    return Long.parseLong(new String(time.get(0), StandardCharsets.US_ASCII)) * 1_000_000
        + Long.parseLong(new String(time.get(1), StandardCharsets.US_ASCII));
  }

  private static byte[] ascii(long number) {
    return Long.toString(number).getBytes(StandardCharsets.US_ASCII);
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

  /** How many bytes the changelog's records hold. */
  public long bytes() {
    return bytes;
  }

  /**
   * Appends seals or completions, a thousand to a command (well within what a script may unpack into one command's
   * arguments), also while Redis is out of memory (flushing is what frees memory), and only to the changelog's length
   * this owner expects, as {@link #send} does: a command the client sent again after its answer was lost is refused
   * instead of applied twice.
   *
   * @throws ShardFencedException when another owner took the shard over
   * @throws SegbufException when the changelog did not hold the records expected: the command was not applied then
   */
  public void append(List<byte[]> records) {
    for (int from = 0; from < records.size(); from += SMALL_RECORDS_PER_COMMAND) {
      List<byte[]> part = records.subList(from, Math.min(records.size(), from + SMALL_RECORDS_PER_COMMAND));
      appended(redis.run(APPEND_AT_ALLOW_OOM, new byte[][] {key}, appendAtArgs(this.records, part)), this.records,
          part.size(), bytes(part));
    }
  }

  /**
   * Appends the records of one batch, pipelined: one round trip, each a plain {@code RPUSHX} (a script's arguments
   * cost Redis more CPU per byte than a command's). Redis refuses each while it is out of memory, so that input waits;
   * the ones before a refused one stay, as they do in the store that made them. A record applied twice (its command
   * sent again after its answer was lost) is found by the length Redis answers, one more than expected, and the call
   * fails so that the shard is rebuilt from the changelog, duplicate included: replayed again, a record of spans
   * adds them as a redelivery would.
   *
   * @throws ShardFencedException when another owner took the shard over
   * @throws SegbufException when Redis failed or answered a length other than the one expected
   */
  public void appendBatch(List<byte[]> records) {
    List<CompletableFuture<Long>> replies = new ArrayList<>(records.size());
    for (byte[] record : records) {
      replies.add(redis.rpushx(key, record).toCompletableFuture());
    }
    for (int i = 0; i < records.size(); i++) {
      appended(Futures.await(replies.get(i), timeout, "append to shard " + shard), this.records, 1,
          records.get(i).length);
    }
  }

  /** Records sent as one command, how many, the changelog's length they were sent for, and Redis's answer to come. */
  public record Sending(CompletableFuture<Long> reply, int records, long expected, int bytes) {}

  /**
   * Sends records as one command without waiting for Redis ({@link #acknowledge} waits), to be appended only while the
   * changelog holds {@code expected} records: the client sends a command again on its next connection when the
   * connection dropped before Redis's answer, and these records describe several changes, which applied twice are
   * not the same state. Redis runs the changelog's commands in the order they were sent; it refuses the whole
   * command while it is out of memory.
   */
  public Sending send(List<byte[]> records, long expected) {
    return new Sending(redis.send(APPEND_AT, new byte[][] {key}, appendAtArgs(expected, records)).toCompletableFuture(),
        records.size(), expected, bytes(records));
  }

  /** The arguments of {@code append-at.lua}: the changelog's length expected, then the records. */
  private static byte[][] appendAtArgs(long expected, List<byte[]> records) {
    byte[][] args = new byte[records.size() + 1][];
    args[0] = ascii(expected);
    for (int i = 0; i < records.size(); i++) {
      args[i + 1] = records.get(i);
    }
    return args;
  }

  private static int bytes(List<byte[]> records) {
    int bytes = 0;
    for (byte[] record : records) {
      bytes += record.length;
    }
    return bytes;
  }

  /**
   * Waits for Redis's answer to records {@link #send} sent.
   *
   * @throws ShardFencedException when another owner took the shard over
   * @throws SegbufException when the changelog did not hold the records expected: the command was not applied then
   */
  public void acknowledge(Sending sent) {
    appended(Futures.await(sent.reply(), timeout, "append to shard " + shard), sent.expected(), sent.records(),
        sent.bytes());
  }

  /**
   * Takes Redis's answer to {@code count} records appended where the changelog held {@code expected}: its new length,
   * 0 when it is gone, or minus the length found when a script refused them.
   */
  private void appended(long length, long expected, int count, int bytes) {
    if (length == 0) {
      throw fenced();
    }
    if (length < 0) {
      throw new SegbufException("shard " + shard + " changelog (epoch " + epoch + ") held " + -length
          + " records where its owner expected " + expected + ": a command sent again after its answer was "
          + "lost, or one before it failed; these records were not appended");
    }
    if (length != expected + count) {
      throw new SegbufException("shard " + shard + " changelog (epoch " + epoch + ") holds " + length
          + " records where its owner expected " + (expected + count) + ": a command sent again after its answer "
          + "was lost was applied twice; the shard is read again from the changelog");
    }
    records = length;
    this.bytes += bytes;
    memory.appended(bytes);
  }

  /**
   * Replaces the changelog by one snapshot record of the state it leads to. The snapshot is appended by a plain
   * {@code RPUSHX}, which copies it once into the list (a script's arguments are copied twice more, into Lua and back,
   * which cost as much Redis CPU as the rest of a flush), and once Redis answered, {@code LTRIM} drops every record
   * before it: in between the changelog is its records followed by the snapshot, which replays to the same state.
   * Redis refuses the {@code RPUSHX} while it is out of memory, where compaction is what frees memory: the snapshot
   * then replaces the changelog in one script that runs at the limit.
   *
   * @throws ShardFencedException when another owner took the shard over
   */
  public void compact(byte[] snapshot) {
    long length;
    try {
      length = Futures.await(redis.rpushx(key, snapshot), timeout, "compaction of shard " + shard);
    } catch (SegbufException e) {
      LOG.debug("appending the snapshot of shard {} failed; it replaces the changelog by script", shard, e);
      length = redis.run(COMPACT, new byte[][] {key}, snapshot);
    }
    if (length == 0) {
      throw fenced();
    }
    if (length > 1) {
      // the owner alone appends to its epoch's key, under the shard's lock: the last record is the snapshot
      Futures.await(redis.ltrim(key, -1, -1), timeout, "compaction of shard " + shard);
    }
    records = 1;
    bytes = snapshot.length;
  }

  /**
   * Reads how many records the changelog holds, after an append whose outcome is unknown.
   *
   * @throws ShardFencedException when another owner took the shard over
   */
  public void refresh() {
    long length = Futures.await(redis.llen(key), timeout, "length of shard " + shard);
    if (length == 0) {
      throw fenced();
    }
    records = length;
  }

  private ShardFencedException fenced() {
    return new ShardFencedException("shard " + shard + " was taken over by another owner after epoch " + epoch
        + ": its changelog " + new String(key, StandardCharsets.US_ASCII) + " is gone");
  }

  /** Calls {@code replay} with every record and its offset, in order, and counts the changelog's bytes. */
  public void replay(RecordConsumer replay) {
    bytes = 0;
    for (long from = 0; from < records; from += PAGE) {
      long to = Math.min(records, from + PAGE) - 1;
      List<byte[]> page = Futures.await(redis.lrange(key, from, to), timeout, "read of shard " + shard);
      if (page.size() != to - from + 1) {
        throw new ShardFencedException("shard " + shard + " was taken over while epoch " + epoch
            + " read its changelog: " + page.size() + " records at offset " + from + " where " + (to - from + 1)
            + " were expected");
      }
      for (int i = 0; i < page.size(); i++) {
        long offset = from + i;
        byte[] encoded = page.get(i);
        ChangelogRecord record;
        try {
          record = ChangelogCodec.decode(encoded);
        } catch (UndecodableRecordException e) {
          throw new UnreadableChangelogException("shard " + shard + " changelog record at offset " + offset
              + " (epoch " + epoch + ") does not decode: " + e.getMessage(), e);
        }
        // records before a snapshot (a compaction whose LTRIM was not applied) are dead but still in Redis: counted,
        // so that the next compaction is planned with them
        bytes += encoded.length;
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
