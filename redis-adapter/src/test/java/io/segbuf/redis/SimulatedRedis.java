package io.segbuf.redis;

import io.segbuf.SegbufException;
import io.segbuf.redis.internal.ChangelogCodec;
import io.segbuf.redis.internal.ChangelogRecord;
import io.segbuf.redis.internal.ChangelogRedis;
import io.segbuf.redis.internal.Compaction;
import io.segbuf.redis.internal.OwnedShard;
import io.segbuf.redis.internal.RedisMemory;
import io.segbuf.redis.internal.Script;
import io.segbuf.redis.internal.ShardKeys;
import io.segbuf.redis.internal.ShardLog;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A Redis in memory, for a deterministic simulation: the strings and lists a {@link RedisSegmentStore} keeps, the
 * commands it sends with Redis's semantics ({@code RPUSHX} appends only to a list that exists, and is refused above
 * {@code maxmemory}), and its three scripts with the semantics of their Lua (read them next to {@code ShardLog}:
 * takeover, append at the length expected, with or without allow-oom, and compaction). Every store made by {@link
 * #store} is one process's connection to it; each command that connection sends has a {@link Fate} drawn by the
 * simulation. Not thread-safe: the simulation has one thread.
 */
public final class SimulatedRedis {
  /** What happens to one command. */
  public enum Fate {
    /** Applied and answered. */
    OK,
    /** Lost with the connection before Redis applied it: the caller sees a failure. */
    LOST,
    /** Applied, its answer lost with the connection: the caller sees a timeout. */
    APPLIED_BUT_TIMED_OUT,
    /**
     * Applied, its answer lost with the connection, and sent again on the next connection (Lettuce's at-least-once
     * reliability, its default): applied again, and the caller sees the second answer. Another process may run
     * between the two (the time the client takes to reconnect).
     */
    APPLIED_TWICE
  }

  /** Draws each command's fate, and may run another process's steps before a write is applied. */
  public interface Faults {
    Fate next(String command, String key);

    /** Called before a write to {@code key} is applied: a takeover may happen here, between pipelined appends. */
    void beforeWrite(String key);
  }

  /** What Redis holds besides the changelogs (its own structures), as {@code used_memory} counts. */
  private static final long BASELINE_BYTES = 50_000;
  /** A list entry's own cost beyond its bytes. */
  private static final long ENTRY_BYTES = 16;

  private final Map<String, byte[]> strings = new HashMap<>();
  private final Map<String, List<byte[]>> lists = new HashMap<>();
  private final LongSupplier clockMillis;
  private long maxMemory;
  private long usedBytes = BASELINE_BYTES;
  private long peakBytes = BASELINE_BYTES;
  /** Changelogs a reader was given an undecodable record of: no owner may serve (write to) them after that. */
  private final Set<String> readPastUndecodable = new HashSet<>();
  private final Set<String> servedPastUndecodable = new LinkedHashSet<>();

  /** A Redis whose {@code TIME} reads {@code clockMillis}; no memory limit until {@link #maxMemory} sets one. */
  public SimulatedRedis(LongSupplier clockMillis) {
    this.clockMillis = clockMillis;
  }

  /** {@code CONFIG SET maxmemory}: 0 for none. */
  public void maxMemory(long bytes) {
    this.maxMemory = bytes;
  }

  public long maxMemory() {
    return maxMemory;
  }

  /** {@code used_memory} now. */
  public long usedBytes() {
    return usedBytes;
  }

  /** The most {@code used_memory} reached. */
  public long peakBytes() {
    return peakBytes;
  }

  /**
   * Redis restarted. With {@code appendonly yes} and {@code appendfsync always} it kept every write it acknowledged
   * (and every write it applied: a write is logged before its answer): nothing changes but the connections, which
   * Lettuce opens again. Without persistence it lost everything.
   */
  public void restart(boolean persistent) {
    if (!persistent) {
      strings.clear();
      lists.clear();
      readPastUndecodable.clear();
      usedBytes = BASELINE_BYTES;
    }
  }

  /** A store over a new connection to this Redis, reading its memory at {@code nanoTime}. */
  public RedisSegmentStore store(RedisStoreOptions options, Faults faults, LongSupplier nanoTime) {
    return RedisSegmentStore.over(options, new Connection(faults), nanoTime, Runnable::run);
  }

  /**
   * Whether the changelog of the shard's current epoch holds {@code bytes} within a record (spans are kept as their
   * bytes, in the records of batches and in snapshots): what a new owner of the shard would replay.
   */
  public boolean changelogHolds(String keyPrefix, int shard, byte[] bytes) {
    for (byte[] record : changelog(keyPrefix, shard)) {
      if (contains(record, bytes)) {
        return true;
      }
    }
    return false;
  }

  /**
   * A bit of the record at {@code index} (modulo the changelog's length) of the shard's current changelog rots: its
   * format version no longer reads as one. Returns the record's index, or -1 when the shard has no changelog.
   */
  public int corrupt(String keyPrefix, int shard, int index) {
    List<byte[]> log = changelog(keyPrefix, shard);
    if (log.isEmpty()) {
      return -1;
    }
    int at = Math.floorMod(index, log.size());
    byte[] record = log.get(at).clone();
    record[0] ^= (byte) 0x40;
    log.set(at, record);
    return at;
  }

  /**
   * The bytes of a snapshot record of the state the shard's changelog leads to: what compaction would leave of it. A
   * new owner replays it on a copy of this Redis, which stays as it is.
   */
  public long stateBytes(RedisStoreOptions options, int shard) {
    SimulatedRedis copy = new SimulatedRedis(clockMillis);
    copy.strings.putAll(strings);
    lists.forEach((key, values) -> copy.lists.put(key, new ArrayList<>(values)));
    ChangelogRedis connection = copy.new Connection(new Faults() {
      @Override
      public Fate next(String command, String key) {
        return Fate.OK;
      }

      @Override
      public void beforeWrite(String key) {}
    });
    ShardLog log = ShardLog.takeOver(connection, options.commandTimeout(),
        new RedisMemory(connection, () -> 0, Runnable::run), new ShardKeys(options.keyPrefix()), shard);
    OwnedShard owned =
        OwnedShard.takeOver(log, options.recentlyFlushedSpans(), new Compaction(options.compactionBytes(), () -> false, () -> false));
    return ChangelogCodec.encode(new ChangelogRecord.Snapshot(owned.storeAsIs().snapshot())).length;
  }

  /** The bytes Redis takes besides the changelogs (its own structures), and per list entry beyond its bytes. */
  public static long overheadBytes(int entries) {
    return BASELINE_BYTES + entries * ENTRY_BYTES;
  }

  /** Whether the shard's current changelog holds a record that does not decode. */
  public boolean holdsUndecodable(String keyPrefix, int shard) {
    for (byte[] record : changelog(keyPrefix, shard)) {
      if (!decodes(record)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Writes to a changelog after a reader was given an undecodable record of it: an owner that took the record for
   * anything (skipped it, read it as flushed) and served the shard, which must fail instead and never serve it.
   */
  public Set<String> servedPastUndecodable() {
    return servedPastUndecodable;
  }

  private static boolean decodes(byte[] record) {
    try {
      ChangelogCodec.decode(record);
      return true;
    } catch (SegbufException e) {
      return false;
    }
  }

  /** A write to {@code key} is applied. */
  private void writing(String key) {
    if (readPastUndecodable.contains(key)) {
      servedPastUndecodable.add(key);
    }
  }

  /** The bytes of the records in the changelog of the shard's current epoch. */
  public long changelogBytes(String keyPrefix, int shard) {
    long bytes = 0;
    for (byte[] record : changelog(keyPrefix, shard)) {
      bytes += record.length;
    }
    return bytes;
  }

  private List<byte[]> changelog(String keyPrefix, int shard) {
    String slot = "{" + keyPrefix + ":" + shard + "}";
    return lists.getOrDefault(slot + ":log:" + number(strings.get(slot + ":epoch")), List.of());
  }

  private static boolean contains(byte[] record, byte[] bytes) {
    outer:
    for (int i = 0; i + bytes.length <= record.length; i++) {
      for (int j = 0; j < bytes.length; j++) {
        if (record[i + j] != bytes[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  private static String key(byte[] key) {
    return new String(key, StandardCharsets.ISO_8859_1);
  }

  private static byte[] ascii(long number) {
    return Long.toString(number).getBytes(StandardCharsets.US_ASCII);
  }

  private static long number(byte @Nullable [] ascii) {
    return ascii == null ? 0 : Long.parseLong(new String(ascii, StandardCharsets.US_ASCII));
  }

  private void push(String key, byte[] value) {
    lists.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
    usedBytes += value.length + ENTRY_BYTES;
    peakBytes = Math.max(peakBytes, usedBytes);
  }

  private void delete(String key) {
    List<byte[]> list = lists.remove(key);
    if (list != null) {
      for (byte[] value : list) {
        usedBytes -= value.length + ENTRY_BYTES;
      }
    }
  }

  private boolean outOfMemory() {
    return maxMemory > 0 && usedBytes > maxMemory;
  }

  private long pushIfExists(String key, byte[]... values) {
    List<byte[]> list = lists.get(key);
    if (list == null) {
      return 0;
    }
    writing(key);
    for (byte[] value : values) {
      push(key, value);
    }
    return list.size();
  }

  /** takeover.lua. */
  private long takeOver(byte[][] keys, byte[][] args) {
    String epochKey = key(keys[0]);
    String from = key(keys[1]);
    String to = key(keys[2]);
    long read = number(args[0]);
    if (number(strings.get(epochKey)) != read) {
      return -1;
    }
    List<byte[]> log = lists.get(from);
    if (log != null) {
      lists.remove(from); // RENAME: the values move, whatever the new key held before is replaced
      delete(to);
      lists.put(to, log);
    } else if (read > 0) {
      throw new SegbufException("Redis failed takeover.lua: SEGBUF_NO_LOG the changelog " + from + " of epoch "
          + read + " is gone");
    } else {
      push(to, args[1]);
    }
    strings.put(epochKey, args[2]);
    return lists.getOrDefault(to, List.of()).size();
  }

  /** compact.lua. */
  private long compact(byte[][] keys, byte[][] args) {
    String log = key(keys[0]);
    if (!lists.containsKey(log)) {
      return 0;
    }
    writing(log);
    delete(log);
    push(log, args[0]);
    return 1;
  }

  /** One process's connection. */
  private final class Connection implements ChangelogRedis {
    private final Faults faults;
    private boolean closed;

    Connection(Faults faults) {
      this.faults = faults;
    }

    /** Runs a write under its drawn fate, once another process had its chance to run first. */
    private <T> CompletableFuture<T> write(String name, String key, Supplier<T> apply) {
      faults.beforeWrite(key);
      return command(name, key, () -> faults.beforeWrite(key), apply);
    }

    /** Runs a read under its drawn fate. */
    private <T> CompletableFuture<T> read(String name, String key, Supplier<T> apply) {
      return command(name, key, () -> {}, apply);
    }

    /**
     * Runs a command under its drawn fate: the answer, or the failure the caller sees. {@code reconnecting} runs
     * between the two applications of a command sent again.
     */
    private <T> CompletableFuture<T> command(String name, String key, Runnable reconnecting, Supplier<T> apply) {
      if (closed) {
        return CompletableFuture.failedFuture(new SegbufException("simulated: the connection is closed"));
      }
      Fate fate = faults.next(name, key);
      if (fate == Fate.LOST) {
        return CompletableFuture.failedFuture(new SegbufException("simulated: connection lost before " + name));
      }
      T answer;
      try {
        answer = apply.get();
        if (fate == Fate.APPLIED_TWICE) {
          reconnecting.run();
          answer = apply.get();
        }
      } catch (SegbufException e) {
        return CompletableFuture.failedFuture(e);
      }
      if (fate == Fate.APPLIED_BUT_TIMED_OUT) {
        return CompletableFuture.failedFuture(
            new SegbufException("simulated: Redis applied " + name + " but its answer was lost"));
      }
      return CompletableFuture.completedFuture(answer);
    }

    @Override
    public CompletionStage<byte @Nullable []> get(byte[] key) {
      return read("GET", key(key), () -> strings.get(key(key)));
    }

    @Override
    public CompletionStage<List<byte[]>> time() {
      long micros = clockMillis.getAsLong() * 1000;
      return read("TIME", "", () -> List.of(ascii(micros / 1_000_000), ascii(micros % 1_000_000)));
    }

    @Override
    public CompletionStage<Long> rpushx(byte[] key, byte[] value) {
      return write("RPUSHX", key(key), () -> {
        refuseWhenOutOfMemory();
        return pushIfExists(key(key), value);
      });
    }

    @Override
    public CompletionStage<Long> llen(byte[] key) {
      return read("LLEN", key(key), () -> {
        List<byte[]> list = lists.get(key(key));
        return list == null ? 0L : list.size();
      });
    }

    @Override
    public CompletionStage<String> ltrim(byte[] key, long start, long stop) {
      return write("LTRIM", key(key), () -> {
        List<byte[]> list = lists.get(key(key));
        if (list != null) {
          int size = list.size();
          int from = (int) Math.max(0, start < 0 ? size + start : start);
          int to = (int) Math.min(size, (stop < 0 ? size + stop : stop) + 1);
          List<byte[]> kept = from < to ? new ArrayList<>(list.subList(from, to)) : List.of();
          delete(key(key)); // LTRIM removes a list it empties
          for (byte[] value : kept) {
            push(key(key), value);
          }
        }
        return "OK";
      });
    }

    @Override
    public CompletionStage<List<byte[]>> lrange(byte[] key, long start, long stop) {
      return read("LRANGE", key(key), () -> {
        List<byte[]> list = lists.getOrDefault(key(key), List.of());
        int from = (int) Math.min(start, list.size());
        int to = (int) Math.min(stop + 1, list.size());
        List<byte[]> page = from >= to ? List.of() : new ArrayList<>(list.subList(from, to));
        if (!page.stream().allMatch(SimulatedRedis::decodes)) {
          readPastUndecodable.add(key(key));
        }
        return page;
      });
    }

    @Override
    public long run(Script script, byte[][] keys, byte[]... args) {
      if (script.name().equals("takeover.lua")) {
        return now(command(script.name(), key(keys[0]), () -> {}, () -> takeOver(keys, args)));
      }
      return now(write(script.name(), key(keys[0]), () -> switch (script.name()) {
        case "append-at.lua" -> appendAt(script, keys, args);
        case "compact.lua" -> compact(keys, args);
        default -> throw new IllegalArgumentException("script must be one of the store's but was " + script.name());
      }));
    }

    /** append-at.lua, refused when out of memory unless run with the allow-oom flag. */
    private long appendAt(Script script, byte[][] keys, byte[][] args) {
      if (!script.allowsOom()) {
        refuseWhenOutOfMemory();
      }
      List<byte[]> list = lists.get(key(keys[0]));
      if (list == null) {
        return 0L;
      }
      if (list.size() != Long.parseLong(new String(args[0], StandardCharsets.US_ASCII))) {
        return -list.size();
      }
      return pushIfExists(key(keys[0]), Arrays.copyOfRange(args, 1, args.length));
    }

    private void refuseWhenOutOfMemory() {
      if (outOfMemory()) {
        throw new SegbufException("simulated: OOM command not allowed when used memory > 'maxmemory'.");
      }
    }

    /** append-at.lua, the one script sent without waiting. */
    @Override
    public CompletionStage<Long> send(Script script, byte[][] keys, byte[]... args) {
      if (!script.name().equals("append-at.lua")) {
        throw new IllegalArgumentException("script sent without waiting must be append-at.lua but was " + script.name());
      }
      return write(script.name(), key(keys[0]), () -> appendAt(script, keys, args));
    }

    @Override
    public List<String> infoOfMasters(String section) {
      return now(read("INFO", "", () -> List.of("# Memory\r\nused_memory:" + usedBytes + "\r\nused_memory_startup:"
          + BASELINE_BYTES + "\r\nmaxmemory:" + maxMemory
          + "\r\nmaxmemory_policy:noeviction\r\n")));
    }

    /** What a command that waits gets: its answer, or the failure Lettuce would throw. */
    private static <T> T now(CompletableFuture<T> reply) {
      try {
        return reply.join();
      } catch (CompletionException e) {
        throw (SegbufException) e.getCause();
      }
    }

    @Override
    public void close() {
      closed = true;
    }
  }
}
