package io.segbuf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class MessageTest {
  private static final SegmentKey KEY = new SegmentKey(TestSpans.PROJECT, TraceId.parse(TestSpans.TRACE), 1);
  private static final String FLUSH_ID = "0123456789abcdef0123456789abcdef";
  private static final byte[] VALUE =
      ("{\"flush_id\":\"" + FLUSH_ID + "\",\"spans\":[]}").getBytes(StandardCharsets.US_ASCII);

  @Test
  void aMessageEncodedOnDemandIsEncodedOnceByItsFirstReaderAndKnowsItsSizeBefore() {
    AtomicInteger encoded = new AtomicInteger();
    Message message = new Message(KEY, 0, 0, 1, false, 3, VALUE.length, () -> {
      encoded.incrementAndGet();
      return VALUE.clone();
    });
    assertThat(message.size()).isEqualTo(VALUE.length);
    assertThat(message.toString()).contains("bytes=" + VALUE.length);
    assertThat(encoded).hasValue(0);

    assertThat(message.flushId()).isEqualTo(FLUSH_ID);
    assertThat(message.value()).isEqualTo(VALUE).isSameAs(message.value());
    assertThat(encoded).hasValue(1);
  }

  @Test
  void anEncoderThatMissesTheSizeIsABug() {
    Message message = new Message(KEY, 0, 0, 1, false, 3, VALUE.length + 1, VALUE::clone);
    assertThatThrownBy(message::value)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("message value must be " + (VALUE.length + 1) + " bytes but was " + VALUE.length);
  }

  @Test
  void anEncodedMessageKeepsItsValueAndFlushId() {
    Message message = new Message(KEY, 2, 1, 3, true, FLUSH_ID, 4, VALUE);
    assertThat(message.value()).isSameAs(VALUE);
    assertThat(message.size()).isEqualTo(VALUE.length);
    assertThat(message.flushId()).isEqualTo(FLUSH_ID);
  }
}
