package io.segbuf.kafka.internal;

import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/**
 * Shards this consumer does not own that its store (not durable) holds segments of: a drain failed as the partition
 * was released, or a late span read from an owned partition joined a segment of a shard released earlier (one
 * trace on two partitions). Nobody else can flush them, so they are flushed at the wall clock, as owned ones are,
 * until they hold nothing or are assigned again; else their spans would stay for ever, keep their records' offsets
 * from being committed and could keep the store full. Polling thread only.
 */
public final class OrphanShards {
  private final String topic;
  private final FlusherPool flushers;
  private final Watermarks watermarks;
  private final Map<TopicPartition, FlushedShard> orphans = new HashMap<>();

  public OrphanShards(String topic, FlusherPool flushers, Watermarks watermarks) {
    this.topic = topic;
    this.flushers = flushers;
    this.watermarks = watermarks;
  }

  /**
   * Publishes {@code wallClockMillis} for each shard the store holds segments of ({@code held}) that is not
   * {@code owned}; flushes no more those that hold nothing any more.
   */
  public void publish(Set<Integer> held, Set<TopicPartition> owned, long wallClockMillis) {
    Instant wallClock = Instant.ofEpochMilli(wallClockMillis);
    for (int shard : held) {
      TopicPartition tp = new TopicPartition(topic, shard);
      if (!owned.contains(tp)) {
        FlushedShard orphan = orphans.computeIfAbsent(tp, p -> new FlushedShard());
        orphan.flushAt(wallClock);
        flushers.publish(tp, orphan);
      }
    }
    for (Iterator<Map.Entry<TopicPartition, FlushedShard>> it = orphans.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<TopicPartition, FlushedShard> e = it.next();
      if (!held.contains(e.getKey().partition())) {
        it.remove();
        retire(e.getKey(), e.getValue());
      }
    }
  }

  /** The partition is assigned (again): the spans its shard holds are the new assignment's to flush. */
  public void assigned(TopicPartition tp) {
    FlushedShard orphan = orphans.remove(tp);
    if (orphan != null) {
      retire(tp, orphan);
    }
  }

  private void retire(TopicPartition tp, FlushedShard orphan) {
    flushers.withdraw(tp, orphan, () -> { });
    watermarks.released(tp);
  }
}
