package io.segbuf.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.segbuf.FlushResult;
import io.segbuf.spi.StoreUsage;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class BackpressureTest {
  private static final TopicPartition A = new TopicPartition("ingest-spans", 0);
  private static final TopicPartition B = new TopicPartition("ingest-spans", 1);
  private static final TopicPartition C = new TopicPartition("ingest-spans", 2);
  private static final long NOW = 1_700_000_000_000L;
  private static final long LIMIT_BYTES = 1000;
  private static final int LAGGING_FLUSH_CYCLES = 2;

  private final MockConsumer<byte[], byte[]> kafka = new MockConsumer<>("earliest");
  private final OwnedPartition a = new OwnedPartition(new HeldRecords());
  private final OwnedPartition b = new OwnedPartition(new HeldRecords());
  private final Map<TopicPartition, OwnedPartition> owned = new LinkedHashMap<>();
  private final Backpressure backpressure = new Backpressure(0.9, LIMIT_BYTES, 0.8, LAGGING_FLUSH_CYCLES);

  BackpressureTest() {
    kafka.assign(List.of(A, B));
    owned.put(A, a);
    owned.put(B, b);
  }

  /** A store of one segment per span, holding {@code bytes} of spans in {@code segments} segments, memory at 50 %. */
  private static StoreUsage holding(long segments, long bytes) {
    return new StoreUsage(segments, segments, bytes, 50, 100);
  }

  private void apply(StoreUsage usage) {
    backpressure.apply(kafka, usage, 0, owned, NOW);
  }

  @Test
  void bufferedBytesAtTheLimitPauseEveryPartitionUntilBelowTheResumeLevel() {
    apply(holding(5, LIMIT_BYTES - 1));
    assertThat(kafka.paused()).isEmpty();
    apply(holding(5, LIMIT_BYTES));
    assertThat(kafka.paused()).containsExactlyInAnyOrder(A, B);
    assertThat(backpressure.pausedForMemory()).isTrue();
    apply(holding(5, 800)); // 80 %: not below the resume level yet
    assertThat(kafka.paused()).containsExactlyInAnyOrder(A, B);
    assertThat(backpressure.paused()).isTrue();
    assertThat(backpressure.resumes()).isZero();
    apply(holding(5, 799));
    assertThat(kafka.paused()).isEmpty();
    assertThat(backpressure.pausedForMemory()).isFalse();
    assertThat(backpressure.pauses()).isEqualTo(1);
    assertThat(backpressure.resumes()).isEqualTo(1);
    assertThat(backpressure.paused()).isFalse();
  }

  @Test
  void memoryAtItsFractionPausesEveryPartitionUntilBelowTheResumeLevel() {
    apply(new StoreUsage(5, 5, 10, 89, 100));
    assertThat(kafka.paused()).isEmpty();
    apply(new StoreUsage(5, 5, 10, 90, 100));
    assertThat(kafka.paused()).containsExactlyInAnyOrder(A, B);
    apply(new StoreUsage(5, 5, 10, 73, 100)); // above 0.9 * 0.8: not below the resume level yet
    assertThat(kafka.paused()).containsExactlyInAnyOrder(A, B);
    apply(new StoreUsage(5, 5, 10, 71, 100));
    assertThat(kafka.paused()).isEmpty();
  }

  @Test
  void withoutALimitOnBufferedBytesMemoryAloneCountsAndExactlyAtTheResumeLevelInputStaysPaused() {
    Backpressure memoryOnly = new Backpressure(0.5, 0, 0.5, LAGGING_FLUSH_CYCLES);
    memoryOnly.apply(kafka, new StoreUsage(5, 5, Long.MAX_VALUE / 2, 49, 100), 0, owned, NOW);
    assertThat(kafka.paused()).isEmpty();
    memoryOnly.apply(kafka, new StoreUsage(5, 5, 10, 50, 100), 0, owned, NOW);
    assertThat(kafka.paused()).containsExactlyInAnyOrder(A, B);
    memoryOnly.apply(kafka, new StoreUsage(5, 5, 10, 25, 100), 0, owned, NOW);
    assertThat(kafka.paused()).containsExactlyInAnyOrder(A, B);
    memoryOnly.apply(kafka, new StoreUsage(5, 5, 10, 24, 100), 0, owned, NOW);
    assertThat(kafka.paused()).isEmpty();
  }

  @Test
  void aPartitionAssignedDuringAPauseForMemoryIsPausedToo() {
    apply(holding(5, LIMIT_BYTES));
    kafka.assign(List.of(A, B, C));
    apply(holding(5, LIMIT_BYTES));
    assertThat(kafka.paused()).containsExactlyInAnyOrder(A, B, C);
    assertThat(backpressure.pauses()).isEqualTo(1);
  }

  @Test
  void aStoreFullOfSegmentsWhoseFlushKeepsFailingOrOfNoSpansDoesNotPauseInput() {
    backpressure.apply(kafka, holding(3, LIMIT_BYTES), 3, owned, NOW);
    assertThat(kafka.paused()).isEmpty();
    backpressure.apply(kafka, new StoreUsage(1, 0, LIMIT_BYTES, 50, 100), 0, owned, NOW);
    assertThat(kafka.paused()).as("no spans").isEmpty();
    backpressure.apply(kafka, holding(4, LIMIT_BYTES), 3, owned, NOW); // one segment that can flush
    assertThat(kafka.paused()).containsExactlyInAnyOrder(A, B);
    backpressure.apply(kafka, holding(3, LIMIT_BYTES), 3, owned, NOW); // it flushed, the others keep failing
    assertThat(kafka.paused()).isEmpty();
  }

  @Test
  void onlyAPartitionWhoseFlushLaggedForLaggingFlushCyclesWithATimeIsPaused() {
    FlushedShard shard = a.flush();
    FlushResult full = new FlushResult(500, 500, 500, List.of(), 0, List.of(), List.of());
    shard.flushed(full, 500);
    apply(holding(1, 10));
    assertThat(kafka.paused()).isEmpty();
    shard.flushed(full, 500);
    apply(holding(1, 10));
    assertThat(kafka.paused()).as("lagging, but with no time: it would never flush nor resume").isEmpty();
    shard.flushAt(Instant.ofEpochMilli(NOW));
    apply(holding(1, 10));
    assertThat(kafka.paused()).containsExactly(A);
    shard.flushed(FlushResult.EMPTY, 500);
    apply(holding(1, 10));
    assertThat(kafka.paused()).isEmpty();
  }

  @Test
  void aPartitionWhoseBatchTheStoreRefusedWaitsForItsBackOffAlone() {
    b.backoff().refused(NOW);
    apply(holding(1, 10));
    assertThat(kafka.paused()).containsExactly(B);
    backpressure.apply(kafka, holding(1, 10), 0, owned, NOW + RefusalBackoff.FIRST_DELAY_MILLIS);
    assertThat(kafka.paused()).isEmpty();
  }

  @Test
  void aPartitionNoLongerAssignedIsNotPaused() {
    OwnedPartition c = new OwnedPartition(new HeldRecords());
    c.backoff().refused(NOW);
    owned.put(C, c);
    apply(holding(1, 10));
    assertThat(kafka.paused()).isEmpty();
    assertThat(backpressure.paused()).isFalse();
  }
}
