package io.segbuf.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DigestTest {

  @Test
  void equalBytesHaveEqualDigests() {
    byte[] a = "{\"span_id\":\"0123456789abcdef\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    assertThat(Digest.of(a)).isEqualTo(Digest.of(a.clone()));
  }

  @Test
  void everyBitOfEveryByteChangesTheDigest() {
    // Lengths across both lanes, the single eight-byte step and the tail.
    for (int length = 1; length <= 48; length++) {
      byte[] bytes = new byte[length];
      for (int i = 0; i < length; i++) {
        bytes[i] = (byte) ('a' + i % 26);
      }
      long original = Digest.of(bytes);
      for (int at = 0; at < length; at++) {
        for (int bit = 0; bit < 8; bit++) {
          bytes[at] ^= (byte) (1 << bit);
          assertThat(Digest.of(bytes)).as("length %d, byte %d, bit %d", length, at, bit).isNotEqualTo(original);
          bytes[at] ^= (byte) (1 << bit);
        }
      }
    }
  }

  @Test
  void trailingZeroBytesChangeTheDigest() {
    Set<Long> digests = new HashSet<>();
    for (int length = 0; length <= 48; length++) {
      digests.add(Digest.of(new byte[length]));
    }
    assertThat(digests).hasSize(49);
  }
}
