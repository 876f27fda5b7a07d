package io.segbuf;

/** Told of segments whose place in their shard's due queue changed ({@link SegmentReplica}). */
@FunctionalInterface
public interface QueueChanges {
  QueueChanges NONE = (key, shard, deadlineMillis, reason, spans, bytes) -> { };

  /**
   * The segment's queue entry now: its deadline and reason, and the spans and bytes it holds, open and sealed;
   * no spans when it has no entry.
   */
  void changed(SegmentKey key, int shard, long deadlineMillis, FlushReason reason, long spans, long bytes);
}
