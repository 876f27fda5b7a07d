package io.segbuf.redis.internal;

import static io.segbuf.TestSpans.span;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.segbuf.FlushPolicy;
import io.segbuf.SegmentKey;
import io.segbuf.Span;
import io.segbuf.TestSpans;
import io.segbuf.TraceId;
import io.segbuf.spi.SealedSegment;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChangelogCodecTest {
  private static final SegmentKey KEY = new SegmentKey(7, new TraceId(-1, 42), 0xabcdef);

  @Test
  void addedBytesIsTheSizeOfTheRecord() {
    for (int n = 1; n <= 3; n++) {
      List<Span> spans = TestSpans.parsed(span(1).padding(n * 100), span(2).parent(1), span(3).parent(1).padding(7))
          .subList(0, n);
      long payload = spans.stream().mapToLong(Span::size).sum();
      assertThat(ChangelogCodec.addedBytes(n, payload))
          .isEqualTo(ChangelogCodec.encode(new ChangelogRecord.Added(spans, FlushPolicy.defaults(), 1)).length);
    }
  }

  @Test
  void everyRecordComesBackAsItWasWritten() {
    List<Span> spans = TestSpans.parsed(span(1), span(2).parent(1).padding(300));
    FlushPolicy policy = new FlushPolicy(Duration.ofSeconds(61), Duration.ofMillis(10_500), Duration.ofHours(2), 77);
    ChangelogRecord.Added added = (ChangelogRecord.Added) roundTrip(new ChangelogRecord.Added(spans, policy, -5));
    assertThat(added.policy()).isEqualTo(policy);
    assertThat(added.nowMillis()).isEqualTo(-5);
    assertThat(added.spans()).extracting(Span::bytes).containsExactly(spans.get(0).bytes(), spans.get(1).bytes());
    assertThat(((ChangelogRecord.Added) roundTrip(new ChangelogRecord.Added(spans, FlushPolicy.defaults(), 1)))
        .policy()).isEqualTo(FlushPolicy.defaults());

    assertThat(roundTrip(new ChangelogRecord.Sealed(KEY, 123))).isEqualTo(new ChangelogRecord.Sealed(KEY, 123));
    ChangelogRecord completed = new ChangelogRecord.Completed(new SealedSegment(KEY, 3, 2, 10, 999, true), true);
    assertThat(roundTrip(completed)).isEqualTo(completed);
    assertThat(roundTrip(new ChangelogRecord.Start())).isEqualTo(new ChangelogRecord.Start());
    byte[] state = {1, 2, 3};
    assertThat(((ChangelogRecord.Snapshot) roundTrip(new ChangelogRecord.Snapshot(state))).state()).isEqualTo(state);
  }

  @Test
  void bytesThatAreNotARecordAreRefusedWithTheReason() {
    byte[] sealed = ChangelogCodec.encode(new ChangelogRecord.Sealed(KEY, 1));
    assertRefused(Arrays.copyOf(sealed, sealed.length - 1), "record of 41 bytes is truncated");
    assertRefused(Arrays.copyOf(sealed, sealed.length + 1), "1 bytes follow the record");
    assertRefused(new byte[] {2, 3}, "format version must be 1 but was 2");
    assertRefused(new byte[] {1, 9}, "record type must be 1 to 5 but was 9");

    byte[] completed = ChangelogCodec.encode(
        new ChangelogRecord.Completed(new SealedSegment(KEY, 0, 0, 1, 1, false), false));
    completed[completed.length - 1] = 2;
    assertRefused(completed, "flag must be 0 or 1 but was 2");

    byte[] added = ChangelogCodec.encode(
        new ChangelogRecord.Added(TestSpans.parsed(span(1)), FlushPolicy.defaults(), 0));
    added[added.length - 2] = 'x'; // the span's closing bytes
    assertThatThrownBy(() -> ChangelogCodec.decode(added)).isInstanceOf(UndecodableRecordException.class)
        .hasMessageStartingWith("span 0 does not parse");
    byte[] negative = ChangelogCodec.encode(
        new ChangelogRecord.Completed(new SealedSegment(KEY, 0, 0, 1, 1, false), false));
    negative[2 + 32 + 4] = (byte) 0x80; // the generation's sign
    assertThatThrownBy(() -> ChangelogCodec.decode(negative)).isInstanceOf(UndecodableRecordException.class)
        .hasMessageContaining("must be >= 0");
  }

  @Test
  void flagsThatAreFalseAndAnAddedRecordOfNoSpansComeBack() {
    ChangelogRecord completed = new ChangelogRecord.Completed(new SealedSegment(KEY, 1, 0, 1, 5, false), false);
    assertThat(roundTrip(completed)).isEqualTo(completed);
    ChangelogRecord.Added none = (ChangelogRecord.Added) roundTrip(
        new ChangelogRecord.Added(List.of(), FlushPolicy.defaults(), 9));
    assertThat(none.spans()).isEmpty();
    assertThat(none.nowMillis()).isEqualTo(9);
  }

  @Test
  void aSpanCountOrLengthBeyondTheRecordIsRefusedBeforeAnythingIsAllocated() {
    assertRefused(addedWithCount(1_000, new byte[8]), "span count must be in [0, 2] but was 1000");
    assertRefused(addedWithCount(3, new byte[8]), "span count must be in [0, 2] but was 3");
    assertRefused(addedWithCount(-1, new byte[8]), "span count must be in [0, 2] but was -1");
    assertRefused(addedWithCount(1, new byte[] {0, 0, 0, 9, 1, 2}), "span 0 length must be in [0, 2] but was 9");
    assertRefused(addedWithCount(1, new byte[] {-1, -1, -1, -1}), "span 0 length must be in [0, 0] but was -1");
    // a span that takes every byte left is read, and an empty one is not a span
    assertThatThrownBy(() -> ChangelogCodec.decode(addedWithCount(1, new byte[4])))
        .isInstanceOf(UndecodableRecordException.class).hasMessageStartingWith("span 0 does not parse");
  }

  /** An added record whose span count is {@code count}, followed by {@code rest}. */
  private static byte[] addedWithCount(int count, byte[] rest) {
    byte[] none = ChangelogCodec.encode(new ChangelogRecord.Added(List.of(), FlushPolicy.defaults(), 0));
    ByteBuffer b = ByteBuffer.allocate(none.length + rest.length).put(none);
    return b.putInt(none.length - 4, count).put(rest).array();
  }

  private static ChangelogRecord roundTrip(ChangelogRecord record) {
    return ChangelogCodec.decode(ChangelogCodec.encode(record));
  }

  private static void assertRefused(byte[] bytes, String reason) {
    assertThatThrownBy(() -> ChangelogCodec.decode(bytes)).isInstanceOf(UndecodableRecordException.class)
        .hasMessage(reason);
  }
}
