package io.segbuf.redis.internal;

import io.segbuf.SegbufException;
import io.segbuf.redis.ShardFencedException;
import io.segbuf.spi.SnapshotStore;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A shard this process owns: its changelog and the in-memory store that is the shard's state. Every change is made
 * to the store first and then appended, under the shard's lock, so that the changelog's order is the order the
 * store saw. When an append fails the store may hold a change the changelog lacks: the shard is then rebuilt from
 * the changelog before its next use; when the append was refused (fenced), the shard is unusable for good.
 */
public final class OwnedShard {
  private static final Logger LOG = LoggerFactory.getLogger(OwnedShard.class);
  private static final int SEND_BYTES = 256 * 1024;
  private static final int MAX_UNACKNOWLEDGED = 16;

  /** Held while a change is made and appended; {@link #store} and {@link #log} are read under it. */
  public final ReentrantLock lock = new ReentrantLock();
  private final int recentlyFlushedSpans;
  private final Compaction compaction;
  private final ShardLog log;
  private SnapshotStore store;
  /** Why the shard may not be used, or null while it may. */
  private volatile @Nullable SegbufException unusable;
  /** The in-memory store may lack the last change: rebuild it before the next use. */
  private boolean stale;
  /** Records of changes made without waiting for Redis, not sent yet: they go as one command per 256 KiB. */
  private final List<byte[]> unsent = new ArrayList<>();
  private int unsentBytes;
  /** Commands of such records sent and not yet answered, oldest first; at most {@link #MAX_UNACKNOWLEDGED}. */
  private final Deque<ShardLog.Sending> unacknowledged = new ArrayDeque<>();
  /**
   * Why changes made without waiting are not all in the changelog (a command refused or failed), or null: whichever
   * call the error came out of (a seal whose failure the flusher counts and goes on), {@link #acknowledge} throws it.
   */
  private @Nullable RuntimeException lost;

  private OwnedShard(ShardLog log, int recentlyFlushedSpans, Compaction compaction) {
    this.log = log;
    this.recentlyFlushedSpans = recentlyFlushedSpans;
    this.compaction = compaction;
    this.store = replay(log, recentlyFlushedSpans);
    // the dead records a former owner left (its compactions failed, or it compacted less often) go now: a partition
    // that receives nothing more would otherwise keep them in Redis for good
    compactIfDue();
  }

  /** Takes the shard over: replays its changelog into a new in-memory store, and compacts it when that is due. */
  public static OwnedShard takeOver(ShardLog log, int recentlyFlushedSpans, Compaction compaction) {
    return new OwnedShard(log, recentlyFlushedSpans, compaction);
  }

  private static SnapshotStore replay(ShardLog log, int recentlyFlushedSpans) {
    SnapshotStore[] store = {SnapshotStore.create(recentlyFlushedSpans)};
    log.replay((record, offset) -> {
      if (record instanceof ChangelogRecord.Snapshot s) {
        try {
          store[0] = SnapshotStore.restore(s.state(), recentlyFlushedSpans);
        } catch (IllegalArgumentException e) {
          throw new UnreadableChangelogException("shard " + log.shard() + " changelog record at offset " + offset
              + " (epoch " + log.epoch() + ") does not decode: " + e.getMessage(), e);
        }
      } else {
        apply(store[0], log.shard(), record);
      }
    });
    return store[0];
  }

  /** Makes the change a record describes. */
  private static void apply(SnapshotStore store, int shard, ChangelogRecord record) {
    if (record instanceof ChangelogRecord.Added a) {
      store.add(shard, a.spans(), a.policy(), Instant.ofEpochMilli(a.nowMillis()));
    } else if (record instanceof ChangelogRecord.Sealed s) {
      store.seal(s.key(), Instant.ofEpochMilli(s.nowMillis()));
    } else if (record instanceof ChangelogRecord.Completed c) {
      store.complete(c.sealed(), c.chunked());
    }
  }

  /** The shard's state, once checked usable; call under {@link #lock}. */
  public SnapshotStore store() {
    SegbufException why = unusable;
    if (why != null) {
      throw why;
    }
    if (stale) {
      try {
        log.refresh();
        store = replay(log, recentlyFlushedSpans);
      } catch (ShardFencedException | UnreadableChangelogException e) {
        // Not served again: kept usable, the stale state would still count in the store's usage, whose spans no
        // flush can free, and memory backpressure would pause every partition for them.
        unusable = e;
        throw e;
      }
      stale = false;
      compactIfDue(); // drops what a failed batch left, which matters most when Redis is out of memory
    }
    return store;
  }

  /** The store without checks, for counters. */
  public SnapshotStore storeAsIs() {
    return store;
  }

  public ShardLog log() {
    return log;
  }

  /**
   * Appends the record of a change already made to {@link #store()}, then compacts the changelog when it is due;
   * call under {@link #lock}. When not {@code acknowledged}, sends it without waiting for Redis (see {@link
   * #appendBatch}).
   *
   * @throws ShardFencedException when another owner has the shard: it is unusable from now on
   * @throws SegbufException when Redis failed: the change may or may not be in the changelog, so the store is
   *     rebuilt from it before the next use
   */
  public void append(ChangelogRecord record, boolean acknowledged) {
    if (acknowledged) {
      appendAll(List.of(record));
    } else {
      appendBatch(List.of(record), false);
    }
  }

  /** {@link #append}, acknowledged, for seals or completions: one command for them all. */
  public void appendAll(List<ChangelogRecord> records) {
    List<byte[]> encoded = new ArrayList<>(records.size());
    for (ChangelogRecord record : records) {
      encoded.add(ChangelogCodec.encode(record));
    }
    append(() -> log.append(encoded));
  }

  /**
   * {@link #append}, for the records of one batch (see {@link ShardLog#appendBatch}). When not {@code
   * acknowledged}, the records are gathered and sent, 256 KiB to a command, without waiting for Redis's answers,
   * which are waited for (and what is gathered sent) before the shard's next acknowledged append, at {@link
   * #acknowledge}, or when {@link #MAX_UNACKNOWLEDGED} commands wait.
   */
  public void appendBatch(List<ChangelogRecord> records, boolean acknowledged) {
    List<byte[]> encoded = new ArrayList<>(records.size());
    for (ChangelogRecord record : records) {
      encoded.add(ChangelogCodec.encode(record));
    }
    if (acknowledged) {
      append(() -> log.appendBatch(encoded));
      return;
    }
    for (byte[] record : encoded) {
      unsent.add(record);
      unsentBytes += record.length;
    }
    if (unsentBytes >= SEND_BYTES) {
      if (unacknowledged.size() == MAX_UNACKNOWLEDGED) {
        awaitUnacknowledged();
      } else {
        sendUnsent();
      }
    }
  }

  private void sendUnsent() {
    if (!unsent.isEmpty()) {
      long expected = log.records();
      for (ShardLog.Sending sent : unacknowledged) {
        expected += sent.records();
      }
      unacknowledged.add(log.send(unsent, expected));
      unsent.clear();
      unsentBytes = 0;
    }
  }

  /**
   * Sends what changes made without waiting gathered and waits until Redis answered every such command; call under
   * {@link #lock}.
   *
   * @throws ShardFencedException when another owner has the shard, or this store let it go: it is unusable
   * @throws SegbufException when Redis failed: the store is rebuilt from the changelog before the next use
   * @throws RuntimeException the failure of an earlier such command, thrown then by another call, every time
   */
  public void acknowledge() {
    awaitUnacknowledged();
    RuntimeException why = lost;
    if (why != null) {
      throw why;
    }
  }

  private void awaitUnacknowledged() {
    if (!unsent.isEmpty() || !unacknowledged.isEmpty()) {
      store(); // a shard fenced or released meanwhile fails: what it sent may not be held
      append(() -> {});
    }
  }

  private void append(Runnable append) {
    boolean awaiting = !unsent.isEmpty() || !unacknowledged.isEmpty();
    try {
      sendUnsent();
      while (!unacknowledged.isEmpty()) {
        log.acknowledge(unacknowledged.removeFirst());
      }
      awaiting = false;
      append.run();
    } catch (RuntimeException e) {
      if (awaiting) {
        lost = e;
      }
      failed(e);
      throw e;
    }
    compactIfDue();
  }

  private void failed(RuntimeException e) {
    if (e instanceof ShardFencedException fenced) {
      unusable = fenced;
    } else {
      // the rebuild reads whatever of the commands still unanswered Redis took: it reads after them
      unsent.clear();
      unsentBytes = 0;
      unacknowledged.clear();
      stale = true;
    }
  }

  /**
   * Replaces the changelog by a snapshot of the store when {@link Compaction} says so. The change that led here is
   * stored either way, so a failure is not the caller's: the shard is rebuilt from whichever changelog Redis holds (the
   * script ran whole or not at all) before its next use.
   */
  private void compactIfDue() {
    if (!compaction.due(log.bytes(), store.usage().bytes(),
        () -> ChangelogCodec.snapshotBytes(store.snapshotBytes()))) {
      return;
    }
    try {
      log.compact(ChangelogCodec.encode(new ChangelogRecord.Snapshot(store.snapshot())));
    } catch (ShardFencedException e) {
      unusable = e;
    } catch (RuntimeException e) {
      stale = true;
      LOG.warn("compacting the changelog of shard {} failed; it is read again before the next use", log.shard(), e);
    }
  }

  /**
   * Compacts the changelog if {@link Compaction} says so, for a shard that has no change of its own to append: at
   * Redis's memory limit, another shard's batch refused, the dead records this one holds are what frees memory. Not
   * while it is unusable, to be rebuilt, or has changes not waited for (a snapshot would hold what they append after
   * it); call under {@link #lock}.
   */
  public void compactIdle() {
    if (unusable == null && !stale && unsent.isEmpty() && unacknowledged.isEmpty()) {
      compactIfDue();
    }
  }

  /** The shard was given away: every later use fails with {@code why}. */
  public void release(SegbufException why) {
    unusable = why;
  }

  /**
   * Whether this store still holds the shard: no other owner took it over and the store did not let it go (it may
   * still be unusable, its changelog unreadable).
   */
  public boolean held() {
    return !(unusable instanceof ShardFencedException);
  }

  /** Whether the shard may be used. */
  public boolean usable() {
    return unusable == null;
  }
}
