package io.segbuf.spi;

import io.segbuf.internal.InMemorySegmentStore;

/**
 * A {@link SegmentStore} in this JVM's heap whose whole state can be written as bytes and read back: what a store
 * that keeps a changelog elsewhere (one per shard) compacts the changelog into. A store restored from a snapshot
 * gives the same results as the store that wrote it for every call that follows: the same segment ids, generations,
 * duplicates, deadlines and due order. Thread-safe.
 */
public interface SnapshotStore extends SegmentStore {

  /**
   * An empty store that remembers up to {@code recentlyFlushedSpans} flushed span ids ({@link #inMemory(int)}).
   *
   * @param recentlyFlushedSpans how many span ids of flushed traces it remembers, at least 0
   * @return an empty store
   * @throws io.segbuf.ConfigException when {@code recentlyFlushedSpans} is negative
   */
  static SnapshotStore create(int recentlyFlushedSpans) {
    return new InMemorySegmentStore(recentlyFlushedSpans);
  }

  /**
   * The store a {@link #snapshot} wrote; {@code recentlyFlushedSpans} must be the writer's.
   *
   * @param snapshot bytes {@link #snapshot} returned
   * @param recentlyFlushedSpans the writer's limit
   * @return a store in the writer's state
   * @throws IllegalArgumentException when the bytes are not a snapshot this version wrote
   */
  static SnapshotStore restore(byte[] snapshot, int recentlyFlushedSpans) {
    return InMemorySegmentStore.restore(snapshot, recentlyFlushedSpans);
  }

  /**
   * {@return everything the store holds}, payloads of buffered spans included; flushed spans are held without
   * payload.
   */
  byte[] snapshot();

  /**
   * {@return the length of the array {@link #snapshot} would return now}, without writing it: in time linear in the
   * traces and segments held, not in their spans or span ids, so that a store deciding whether to write a snapshot
   * knows its size exactly and cheaply.
   */
  long snapshotBytes();
}
