package io.segbuf.kafka.internal;

import io.segbuf.Span;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.TopicPartition;

/**
 * Per partition, the records whose spans a store that is not durable still holds ({@link HeldRecords}, one per
 * assignment: spans held during an earlier assignment whose drain failed stay held until they are flushed), and
 * the offset that may be committed: the oldest held, else the next to read. A crash then reads again every span
 * not yet flushed. Thread-safe.
 */
public final class Watermarks {
  private final Map<TopicPartition, List<HeldRecords>> partitions = new ConcurrentHashMap<>();

  /** The partition is assigned (again): what is read from now on is held in a new set. */
  public HeldRecords assigned(TopicPartition tp) {
    HeldRecords current = new HeldRecords();
    partitions.computeIfAbsent(tp, p -> new CopyOnWriteArrayList<>()).add(current);
    return current;
  }

  /**
   * Releases the records of spans the flush of {@code tp}'s shard completed. A span read from another partition
   * can be among them (one trace on two partitions: it joined a segment of this shard), so a position not held
   * for {@code tp} is looked for in every partition: positions are unique across partitions.
   */
  public void release(TopicPartition tp, List<Span> completed) {
    List<HeldRecords> own = partitions.getOrDefault(tp, List.of());
    for (Span span : completed) {
      long seq = span.position();
      if (seq == Span.NO_POSITION || release(own, seq)) {
        continue;
      }
      for (List<HeldRecords> sets : partitions.values()) {
        if (sets != own && release(sets, seq)) {
          break;
        }
      }
    }
  }

  private static boolean release(List<HeldRecords> sets, long seq) {
    for (int i = sets.size() - 1; i >= 0; i--) {
      HeldRecords set = sets.get(i);
      if (set.covers(seq)) {
        return set.release(seq);
      }
    }
    return false;
  }

  /**
   * The offset to commit for a partition whose next record to read is {@code next}: at most the oldest offset still
   * held. Forgets the sets of earlier assignments that hold nothing any more.
   */
  public long committable(TopicPartition tp, long next) {
    List<HeldRecords> sets = partitions.get(tp);
    if (sets == null) {
      return next;
    }
    long offset = next;
    for (int i = 0; i < sets.size(); i++) {
      HeldRecords set = sets.get(i);
      OptionalLong oldest = set.oldestHeldOffset();
      if (oldest.isPresent()) {
        offset = Math.min(offset, oldest.getAsLong());
      } else if (i < sets.size() - 1) {
        sets.remove(set);
        i--;
      }
    }
    return offset;
  }

  /** The partition is gone for good from this process's point of view; its held sets that are empty go. */
  public void released(TopicPartition tp) {
    List<HeldRecords> sets = partitions.get(tp);
    if (sets != null) {
      sets.removeIf(HeldRecords::isEmpty);
      if (sets.isEmpty()) {
        partitions.remove(tp);
      }
    }
  }

  /** Spans held for the partition, for logs. */
  public boolean holds(TopicPartition tp) {
    List<HeldRecords> sets = partitions.get(tp);
    return sets != null && sets.stream().anyMatch(s -> !s.isEmpty());
  }
}
