package io.segbuf.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.segbuf.SegmentKey;
import io.segbuf.TraceId;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
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
  @Test
  void theFlushIdNamesEveryDigitOfTheProject() throws Exception {
    byte[] value = ("{\"flush_id\":\"" + "0".repeat(32) + "\",\"spans\":[]}").getBytes(StandardCharsets.US_ASCII);
    SegmentKey key = new SegmentKey(9_876_543_210L, new TraceId(0x0123456789abcdefL, 0x1L), 5);
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    sha.update(("9876543210:0123456789abcdef0000000000000001:").getBytes(StandardCharsets.US_ASCII));
    int body = "{\"flush_id\":\"".length() + 32;
    sha.update(value, body, value.length - body);
    assertThat(MessageEncoder.flushId(key, value)).isEqualTo(HexFormat.of().formatHex(Arrays.copyOf(sha.digest(), 16)));
  }
}
