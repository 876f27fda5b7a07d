package io.segbuf.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.segbuf.SegbufException;
import io.segbuf.Span;
import io.segbuf.TestSpans;
import org.junit.jupiter.api.Test;

class SpanCodecTest {
  private final SpanCodec codec = new SpanCodec(true, 3, 64, 1 << 20);
  private final Span span = TestSpans.span(1).padding(4_000).parsed();

  @Test
  void compressedSpansComeBackByteForByte() {
    byte[] stored = codec.encode(span);
    assertThat(stored.length).isLessThan(span.bytes().length);
    assertThat(codec.decode(stored).bytes()).isEqualTo(span.bytes());
  }

  @Test
  void aCorruptFrameIsAStoreErrorNotACodecCrash() {
    byte[] stored = codec.encode(span);
    for (int i = 12; i < stored.length; i++) {
      stored[i] ^= (byte) 0x5a;
    }
    assertThatThrownBy(() -> codec.decode(stored)).isInstanceOf(SegbufException.class)
        .hasMessage("stored span of " + stored.length + " bytes is not a valid zstd frame");
  }

  @Test
  void aFrameClaimingMoreThanTheLimitIsRefusedBeforeDecompressing() {
    SpanCodec small = new SpanCodec(true, 3, 64, 1_000);
    assertThatThrownBy(() -> small.decode(codec.encode(span))).isInstanceOf(SegbufException.class)
        .hasMessageContaining("more than maxUncompressedSpanBytes=1000");
  }
}
