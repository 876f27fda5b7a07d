package io.segbuf.internal;

import static io.segbuf.TestSpans.span;
import static org.assertj.core.api.Assertions.assertThat;

import io.segbuf.FlushResult;
import io.segbuf.Message;
import io.segbuf.SpanBuffer;
import io.segbuf.SpanBufferConfig;
import io.segbuf.TestSpans;
import io.segbuf.spi.SegmentSink;
import io.segbuf.spi.SegmentStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The flusher keeps the messages of many segments in flight, and waits for their acknowledgements once their
 * bytes pass {@link SegmentFlusher#MAX_IN_FLIGHT_BYTES}: not before, and not segment by segment after.
 */
class InFlightBytesTest {
  private static final Instant T0 = Instant.ofEpochSecond(1_700_000_000);
  /** A quarter of the bound: four segments' messages reach it exactly, a fifth passes it. */
  private static final int MESSAGE_BYTES = (int) (SegmentFlusher.MAX_IN_FLIGHT_BYTES / 4);
  private static final SpanBufferConfig CONFIG =
      SpanBufferConfig.builder().maxSegmentBytes(2L * MESSAGE_BYTES).build();

  /**
   * Acknowledges a message only when the flusher waits for it, and records the bytes sent and not yet waited for
   * each time the flusher starts waiting after sending.
   */
  private static final class HoldingSink implements SegmentSink {
    final List<Long> inFlightWhenWaiting = new ArrayList<>();
    long inFlight;
    boolean sentSinceLastWait;

    @Override
    public CompletionStage<?> send(Message message) {
      inFlight += message.value().length;
      sentSinceLastWait = true;
      return new HeldAck(this, message.value().length);
    }

    void awaited(int bytes) {
      if (sentSinceLastWait) {
        inFlightWhenWaiting.add(inFlight);
        sentSinceLastWait = false;
      }
      inFlight -= bytes;
    }
  }

  private static final class HeldAck extends CompletableFuture<Object> {
    private final HoldingSink sink;
    private final int bytes;

    HeldAck(HoldingSink sink, int bytes) {
      this.sink = sink;
      this.bytes = bytes;
    }

    @Override
    public Object get(long timeout, TimeUnit unit) {
      if (!isDone()) {
        sink.awaited(bytes);
        complete("acknowledged");
      }
      return join();
    }
  }

  private static TestSpans paddedSpan(int trace, int padding) {
    return span(1).trace(String.format("%032x", trace + 1)).padding(padding);
  }

  /** The padding that makes the one message of a one-span segment exactly {@link #MESSAGE_BYTES} long. */
  private static int paddingForMessageBytes() {
    int probe = 1_000;
    HoldingSink sink = new HoldingSink();
    SpanBuffer buffer = SpanBuffer.create(CONFIG, SegmentStore.inMemory(), sink);
    buffer.offer(0, List.of(paddedSpan(0, probe).bytes()), T0);
    buffer.drain(T0);
    return probe + MESSAGE_BYTES - (int) (long) sink.inFlightWhenWaiting.get(0);
  }

  @Test
  void messagesAreAwaitedOnceTheirBytesPassTheBoundThenTheCountStartsOver() {
    int padding = paddingForMessageBytes();
    HoldingSink sink = new HoldingSink();
    SpanBuffer buffer = SpanBuffer.create(CONFIG, SegmentStore.inMemory(), sink);
    for (int trace = 0; trace < 7; trace++) {
      buffer.offer(0, List.of(paddedSpan(trace, padding).bytes()), T0);
    }

    FlushResult result = buffer.flush(0, T0.plusSeconds(3_600));

    // four messages reach the bound without passing it; the fifth passes it; the last two are awaited at the end
    assertThat(sink.inFlightWhenWaiting).containsExactly(5L * MESSAGE_BYTES, 2L * MESSAGE_BYTES);
    assertThat(sink.inFlight).isZero();
    assertThat(result.segments()).isEqualTo(7);
    assertThat(result.messages()).isEqualTo(7);
    assertThat(buffer.stats().flushedSegments()).isEqualTo(7);
    assertThat(buffer.stats().flushedMessageBytes()).isEqualTo(7L * MESSAGE_BYTES);
    assertThat(buffer.usage().spans()).isZero();
  }
}
