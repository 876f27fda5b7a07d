package io.segbuf.redis.internal;

import io.segbuf.SegbufException;
import io.segbuf.SegmentStore;
import io.segbuf.redis.ShardFencedException;
import java.time.Instant;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * A shard this process owns: its changelog and the in-memory store that is the shard's state. Every change is made
 * to the store first and then appended, under the shard's lock, so that the changelog's order is the order the
 * store saw. When an append fails the store may hold a change the changelog lacks: the shard is then unusable until
 * {@link #reload}ed from the changelog; when it was refused (fenced), for good.
 */
public final class OwnedShard {
  /** Held while a change is made and appended; {@link #store} and {@link #log} are read under it. */
  public final ReentrantLock lock = new ReentrantLock();
  private final int recentlyFlushedSpans;
  private ShardLog log;
  private SegmentStore store;
  /** Why the shard may not be used, or null while it may. */
  private @Nullable SegbufException unusable;
  /** The in-memory store may lack the last change: rebuild it before the next use. */
  private boolean stale;

  private OwnedShard(ShardLog log, SegmentStore store, int recentlyFlushedSpans) {
    this.log = log;
    this.store = store;
    this.recentlyFlushedSpans = recentlyFlushedSpans;
  }

  /** Takes the shard over and replays its changelog into a new in-memory store. */
  public static OwnedShard takeOver(ShardLog log, int recentlyFlushedSpans) {
    return new OwnedShard(log, replay(log, recentlyFlushedSpans), recentlyFlushedSpans);
  }

  private static SegmentStore replay(ShardLog log, int recentlyFlushedSpans) {
    SegmentStore store = SegmentStore.inMemory(recentlyFlushedSpans);
    log.replay((record, offset) -> apply(store, log.shard(), record));
    return store;
  }

  /** Makes the change a record describes. */
  static void apply(SegmentStore store, int shard, ChangelogRecord record) {
    if (record instanceof ChangelogRecord.Added a) {
      store.add(shard, a.spans(), a.policy(), Instant.ofEpochMilli(a.nowMillis()));
    } else if (record instanceof ChangelogRecord.Sealed s) {
      store.seal(s.key(), Instant.ofEpochMilli(s.nowMillis()));
    } else if (record instanceof ChangelogRecord.Completed c) {
      store.complete(c.sealed(), c.chunked());
    }
  }

  /** The shard's state, once checked usable; call under {@link #lock}. */
  public SegmentStore store() {
    SegbufException why = unusable;
    if (why != null) {
      throw why;
    }
    if (stale) {
      try {
        log.refresh();
        store = replay(log, recentlyFlushedSpans);
      } catch (ShardFencedException e) {
        unusable = e;
        throw e;
      }
      stale = false;
    }
    return store;
  }

  /** The store without checks, for reads that may see a shard being released. */
  public SegmentStore storeAsIs() {
    return store;
  }

  public ShardLog log() {
    return log;
  }

  /**
   * Appends the record of a change already made to {@link #store()}; call under {@link #lock}.
   *
   * @throws ShardFencedException when another owner has the shard: it is unusable from now on
   * @throws SegbufException when Redis failed: the change may or may not be in the changelog, so the store is
   *     rebuilt from it before the next use
   */
  public void append(ChangelogRecord record) {
    try {
      log.append(ChangelogCodec.encode(record));
    } catch (ShardFencedException e) {
      unusable = e;
      throw e;
    } catch (RuntimeException e) {
      stale = true;
      throw e;
    }
  }

  /** The shard was given away: every later use fails with {@code why}. */
  public void release(SegbufException why) {
    unusable = why;
  }

  /** Whether the shard may be used. */
  public boolean usable() {
    return unusable == null;
  }
}
