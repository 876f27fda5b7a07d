package io.segbuf;

import static io.segbuf.TestSpans.span;
import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import io.segbuf.spi.SegmentStore;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Hostile input reaches the buffer: each bad span gets an outcome, and every valid span still comes out once. */
class HostileInputTest {
  private static final Instant T0 = Instant.ofEpochSecond(1_700_000_000);

  private final RecordingSink sink = new RecordingSink();

  private SpanBuffer buffer() {
    return SpanBuffer.create(SpanBufferConfig.defaults(), SegmentStore.inMemory(), sink);
  }

  private long flushedSpans() {
    return sink.acknowledged().stream().mapToLong(Message::spanCount).sum();
  }

  @Test
  void randomAndMutatedBytesGetOutcomesAndValidSpansAroundThemComeOutOnce() {
    qt().withExamples(300)
        .forAll(longs().all(), integers().between(1, 40))
        .checkAssert((seed, n) -> {
          Random random = new Random(seed);
          sink.clear();
          SpanBuffer buffer = buffer();
          List<byte[]> batch = new ArrayList<>();
          int valid = 0;
          for (int i = 0; i < n; i++) {
            byte[] good = span(i + 1).parent(random.nextInt(i + 1)).bytes();
            batch.add(good);
            valid++;
            byte[] bad;
            if (random.nextBoolean()) {
              bad = new byte[random.nextInt(64)];
              random.nextBytes(bad);
            } else {
              bad = good.clone();
              bad[random.nextInt(bad.length)] = (byte) random.nextInt(256);
            }
            batch.add(bad);
          }
          OfferResult result = buffer.offer(0, batch, T0);
          buffer.drain(T0);
          assertThat(result.outcomes()).hasSize(batch.size());
          assertThat(result.buffered() + result.duplicates() + result.invalid()).isEqualTo(batch.size());
          assertThat(flushedSpans()).isEqualTo(result.buffered());
          assertThat(result.buffered()).isGreaterThanOrEqualTo(valid - result.duplicates());
        });
  }

  @Test
  void parentCyclesOfEveryLengthEachFormOneSegment() {
    SpanBuffer buffer = buffer();
    List<byte[]> batch = new ArrayList<>();
    int total = 0;
    for (int length = 1; length <= 40; length++) {
      String trace = String.format("%032x", length);
      for (int i = 0; i < length; i++) {
        long id = 1000 + i;
        long parent = 1000 + (i + 1) % length;
        batch.add(span(id).parent(parent).trace(trace).bytes());
        total++;
      }
    }
    buffer.offer(0, batch, T0);
    FlushResult result = buffer.drain(T0);
    assertThat(result.segments()).isEqualTo(40);
    assertThat(result.spans()).isEqualTo(total);
  }

  @Test
  void oneSpanOf64MiBIsBufferedAndSentAloneAsOversized() {
    SpanBuffer buffer = SpanBuffer.create(SpanBufferConfig.builder().maxMessageBytes(1024 * 1024).build(),
        SegmentStore.inMemory(), sink);
    byte[] huge = span(2).parent(1).padding(64 * 1024 * 1024).bytes();
    OfferResult offered = buffer.offer(0, List.of(span(1).bytes(), huge), T0);
    assertThat(offered.buffered()).isEqualTo(2);
    buffer.drain(T0);
    assertThat(sink.acknowledged()).hasSize(2);
    assertThat(sink.acknowledged()).anySatisfy(m -> assertThat(m.value().length).isGreaterThan(64 * 1024 * 1024));
    assertThat(buffer.stats().oversizedSpans()).isEqualTo(1);
  }

  @Test
  void millionSpansInOneTraceComeOutOnceInChunks() {
    SpanBuffer buffer = buffer();
    int n = 1_000_000;
    List<byte[]> batch = new ArrayList<>(10_000);
    for (int i = 1; i <= n; i++) {
      batch.add(("{\"trace_id\":\"00000000000000000000000000000abc\",\"span_id\":\"" + String.format("%016x", i)
          + "\"" + (i == 1 ? "" : ",\"parent_span_id\":\"" + String.format("%016x", i / 2) + "\"")
          + ",\"project_id\":1,\"end_timestamp\":1.5}").getBytes(StandardCharsets.UTF_8));
      if (batch.size() == 10_000) {
        buffer.offer(0, batch, T0);
        batch = new ArrayList<>(10_000);
      }
    }
    buffer.drain(T0);
    assertThat(flushedSpans()).isEqualTo(n);
    assertThat(sink.acknowledged().size()).isGreaterThan(1);
    assertThat(sink.acknowledged()).allSatisfy(m -> {
      assertThat(m.segment().segmentId()).isEqualTo(1);
      assertThat(m.value().length).isLessThanOrEqualTo(10 * 1024 * 1024);
    });
  }

  @Test
  void invalidDetailsCarryNoControlCharactersFromTheInput() {
    String hostile = "{\"trace_id\":\"a\\nb\\u001b[31mc\\r\\u2028d\\u202e\\u0085\",\"span_id\":\"0000000000000001\"}";
    List<byte[]> batch = List.of(hostile.getBytes(StandardCharsets.UTF_8),
        "{\"trace_id\"\u001b[2J:1}".getBytes(StandardCharsets.UTF_8),
        "{\"span_id\":\"\t\"}".getBytes(StandardCharsets.UTF_8));

    OfferResult result = buffer().offer(0, batch, T0);

    assertThat(result.outcomes()).hasSize(3).allSatisfy(o -> assertThat(o).isInstanceOfSatisfying(
        Outcome.Invalid.class, bad -> assertThat(bad.detail().codePoints()
            .filter(c -> Character.isISOControl(c) || Character.getType(c) == Character.FORMAT
                || Character.getType(c) == Character.LINE_SEPARATOR
                || Character.getType(c) == Character.PARAGRAPH_SEPARATOR))
            .as("control characters in %s", bad.detail()).isEmpty()));
    Outcome.Invalid first = (Outcome.Invalid) result.outcomes().get(0);
    assertThat(first.detail()).contains("a\\nb\\u001b[31mc\\r\\u2028d\\u202e\\u0085");
  }
}
