package io.segbuf.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The lengths the encoder plans before it writes: a wrong one fails the write check or wastes the budget. */
class MessageEncoderTest {

  @Test
  void numbersTakeAsManyBytesAsTheirDecimalDigits() {
    int[] values = {0, 1, 9, 10, 11, 99, 100, 999, 1000, 123_456, Integer.MAX_VALUE};
    for (int v : values) {
      assertThat(MessageEncoder.digits(v)).as("%d", v).isEqualTo(Integer.toString(v).length());
    }
  }

  @Test
  void thePrefixIsEverythingBeforeTheFirstSpan() {
    String prefix = "{\"flush_id\":\"" + "0".repeat(32) + "\",\"segment_id\":\"" + "0".repeat(16)
        + "\",\"generation\":10,\"chunk_index\":9,\"chunk_count\":100,\"spans\":[";
    assertThat(MessageEncoder.prefixLength(10, 9, 100, false)).isEqualTo(prefix.length());
    String skipping = prefix.replace(",\"spans\":[", ",\"skip_enrichment\":true,\"spans\":[");
    assertThat(MessageEncoder.prefixLength(10, 9, 100, true)).isEqualTo(skipping.length());
    assertThat(MessageEncoder.suffixLength()).isEqualTo("]}".length());
  }
}
