package io.segbuf.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.segbuf.RecordingSink;
import io.segbuf.Span;
import io.segbuf.SpanBuffer;
import io.segbuf.SpanBufferConfig;
import io.segbuf.TestSpans;
import io.segbuf.spi.SegmentStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class WatermarksTest {
  private static final TopicPartition TP = new TopicPartition("ingest-spans", 0);
  private static final Instant T0 = Instant.ofEpochSecond(1_700_000_000);

  /** Spans completed by a flush, with the given positions, as a buffer hands them back. */
  private static List<Span> completed(long... positions) {
    SpanBuffer buffer = SpanBuffer.create(SpanBufferConfig.defaults(), SegmentStore.inMemory(), new RecordingSink());
    List<byte[]> bytes = new ArrayList<>();
    for (int i = 0; i < positions.length; i++) {
      bytes.add(TestSpans.span(i + 1).bytes());
    }
    buffer.offer(0, bytes, positions, T0);
    List<Span> spans = buffer.drain(0, T0).completed();
    assertThat(spans).hasSize(positions.length);
    return spans;
  }

  @Test
  void committableOffsetStaysAtTheOldestBatchStillHoldingASpan() {
    Watermarks watermarks = new Watermarks();
    HeldRecords held = watermarks.assigned(TP);
    held.hold(0, 3, 100, 3); // records 100-102 (positions 0-2)
    held.hold(3, 2, 103, 1); // records 103-104, one of them a duplicate (never held)
    assertThat(watermarks.committable(TP, 105)).isEqualTo(100);

    watermarks.release(TP, completed(0, 1));
    assertThat(watermarks.committable(TP, 105)).isEqualTo(100);
    watermarks.release(TP, completed(2));
    assertThat(watermarks.committable(TP, 105)).isEqualTo(103);
    watermarks.release(TP, completed(4));
    assertThat(watermarks.committable(TP, 105)).as("nothing held: the next record").isEqualTo(105);
  }

  @Test
  void spansHeldInAnEarlierAssignmentKeepTheOffsetDownUntilFlushed() {
    Watermarks watermarks = new Watermarks();
    watermarks.assigned(TP).hold(0, 2, 50, 2); // a drain that failed left them buffered
    watermarks.released(TP);
    assertThat(watermarks.holds(TP)).isTrue();

    // assigned again: read again from the committed offset, the copies are duplicates (not held)
    HeldRecords again = watermarks.assigned(TP);
    again.hold(2, 5, 50, 0);
    again.hold(7, 1, 55, 1);
    assertThat(watermarks.committable(TP, 56)).isEqualTo(50);

    watermarks.release(TP, completed(7));
    assertThat(watermarks.committable(TP, 56)).isEqualTo(50);
    watermarks.release(TP, completed(0, 1));
    assertThat(watermarks.committable(TP, 56)).isEqualTo(56);
  }

  @Test
  void recordReadAgainAfterARewindKeepsTheOffsetBelowItWhileLaterRecordsAreHeld() {
    HeldRecords held = new HeldRecords();
    held.hold(0, 1, 10, 1); // offset 10
    held.hold(1, 1, 12, 1); // offset 12, taken before offset 11 was read again
    held.hold(2, 2, 11, 1); // offsets 11-12 read again: 11 taken, 12 a duplicate
    assertThat(held.release(0)).isTrue();
    assertThat(held.oldestHeldOffset()).hasValue(11);
    assertThat(held.release(2)).isTrue();
    assertThat(held.oldestHeldOffset()).as("lowered, never raised: at most more is read again").hasValue(11);
    assertThat(held.release(1)).isTrue();
    assertThat(held.oldestHeldOffset()).isEmpty();
  }

  @Test
  void manyBatchesReleasedOutOfOrder() {
    HeldRecords held = new HeldRecords();
    for (int b = 0; b < 1000; b++) {
      held.hold(b * 10L, 10, b * 10L, 10);
    }
    for (int b = 999; b >= 1; b--) {
      for (int i = 0; i < 10; i++) {
        assertThat(held.release(b * 10L + i)).isTrue();
      }
    }
    assertThat(held.oldestHeldOffset()).hasValue(0);
    for (int i = 0; i < 10; i++) {
      held.release(i);
    }
    assertThat(held.isEmpty()).isTrue();
    assertThat(held.release(5)).as("released already").isFalse();
  }

  @Test
  void aPartitionThatHoldsNothingCommitsTheNextRecordAndIsForgottenWhenReleased() {
    Watermarks watermarks = new Watermarks();
    assertThat(watermarks.committable(TP, 42)).as("never assigned").isEqualTo(42);
    assertThat(watermarks.holds(TP)).isFalse();

    watermarks.assigned(TP).hold(0, 1, 40, 1);
    assertThat(watermarks.holds(TP)).isTrue();
    watermarks.release(TP, completed(0));
    assertThat(watermarks.holds(TP)).isFalse();
    watermarks.released(TP);
    assertThat(watermarks.holds(TP)).isFalse();
    assertThat(watermarks.committable(TP, 41)).isEqualTo(41);
  }

  @Test
  void aBatchOfDuplicatesHoldsNothing() {
    HeldRecords held = new HeldRecords();
    held.hold(0, 1, 10, 1);
    assertThat(held.release(0)).isTrue();
    held.hold(1, 2, 11, 0); // both records duplicates: nothing stored, nothing to wait for
    assertThat(held.isEmpty()).isTrue();
    assertThat(held.oldestHeldOffset()).isEmpty();
    assertThat(held.release(1)).isFalse();
  }

  @Test
  void controlCharactersAreEscaped() {
    assertThat(Printable.escape("a\nb\u001b[31mc\td")).isEqualTo("a\\nb\\u001b[31mc\\td");
    assertThat(Printable.escape("plain é")).isEqualTo("plain é");
  }

  @Test
  void aSpanReleasedThroughAnotherPartitionFreesItsOwn() {
    Watermarks watermarks = new Watermarks();
    TopicPartition other = new TopicPartition(TP.topic(), TP.partition() + 1);
    watermarks.assigned(TP).hold(0, 1, 10, 1);
    watermarks.assigned(other).hold(1, 1, 70, 1);
    watermarks.release(other, completed(0)); // the span of TP joined a segment of the other partition's shard
    assertThat(watermarks.committable(TP, 11)).isEqualTo(11);
    assertThat(watermarks.committable(other, 71)).isEqualTo(70);
  }

  @Test
  void theCurrentSetIsKeptWhenEmptyAndEveryEarlierSetHoldingSpansCounts() {
    Watermarks watermarks = new Watermarks();
    watermarks.assigned(TP).hold(0, 1, 10, 1);
    watermarks.release(TP, completed(0)); // the first assignment holds nothing any more
    watermarks.assigned(TP).hold(1, 1, 20, 1); // the second still holds offset 20
    HeldRecords current = watermarks.assigned(TP);
    assertThat(watermarks.committable(TP, 30)).isEqualTo(20);
    assertThat(watermarks.committable(TP, 30)).as("asked again").isEqualTo(20);

    watermarks.release(TP, completed(1));
    assertThat(watermarks.committable(TP, 30)).as("the current set, empty, is still the partition's").isEqualTo(30);
    current.hold(2, 1, 30, 1);
    assertThat(watermarks.committable(TP, 31)).isEqualTo(30);
  }

  @Test
  void aRecordReadAgainBelowTheOldestHeldBatchLowersIt() {
    HeldRecords held = new HeldRecords();
    held.hold(0, 1, 12, 1); // offset 12, the oldest batch holding a span
    held.hold(1, 1, 11, 1); // offset 11 read again after a rewind
    assertThat(held.oldestHeldOffset()).hasValue(11);
    assertThat(held.release(1)).isTrue();
    assertThat(held.oldestHeldOffset()).as("lowered, never raised").hasValue(11);
  }

  @Test
  void spansOfSeveralPartitionsReleasedThroughAnotherAreAllFound() {
    Watermarks watermarks = new Watermarks();
    watermarks.assigned(TP);
    List<TopicPartition> others = new ArrayList<>();
    for (int p = 1; p <= 6; p++) {
      TopicPartition other = new TopicPartition("others", p);
      watermarks.assigned(other).hold(p, 1, 100L * p, 1);
      others.add(other);
    }
    watermarks.release(TP, completed(1, 2, 3, 4, 5, 6));
    for (TopicPartition other : others) {
      assertThat(watermarks.committable(other, 100L * other.partition() + 1)).as("%s", other)
          .isEqualTo(100L * other.partition() + 1);
    }
  }
}
