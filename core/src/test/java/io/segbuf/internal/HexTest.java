package io.segbuf.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import io.segbuf.TraceId;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class HexTest {

  @Test
  void writesSixteenLowercaseDigits() {
    assertThat(Hex.toHex(0)).isEqualTo("0000000000000000");
    assertThat(Hex.toHex(0xa1)).isEqualTo("00000000000000a1");
    assertThat(Hex.toHex(-1)).isEqualTo("ffffffffffffffff");
    assertThat(Hex.toHex(0x0123456789abcdefL)).isEqualTo("0123456789abcdef");
    assertThat(Hex.toHex(Long.MIN_VALUE)).isEqualTo("8000000000000000");
  }

  @Test
  void writesIntoAnArrayAtAnOffsetOnly() {
    byte[] out = "[................]".getBytes(StandardCharsets.US_ASCII);
    Hex.write(0xfedcba9876543210L, out, 1);
    assertThat(new String(out, StandardCharsets.US_ASCII)).isEqualTo("[fedcba9876543210]");
  }

  @Test
  void writesBytesAsTwoDigitsEach() {
    byte[] out = new byte[8];
    Hex.write(new byte[] {0, (byte) 0xff, 0x0a, (byte) 0x90}, out, 0);
    assertThat(new String(out, StandardCharsets.US_ASCII)).isEqualTo("00ff0a90");
  }

  @Test
  void longsRoundTrip() {
    qt().forAll(longs().all()).check(v -> {
      String hex = Hex.toHex(v);
      long[] parsed = new long[2];
      return hex.length() == 16
          && Hex.isLowerHex(hex)
          && Hex.parseLong(hex, 0) == v
          && Hex.parse(hex.getBytes(java.nio.charset.StandardCharsets.UTF_8), 0, 16, parsed)
          && parsed[0] == v;
    });
  }

  @Test
  void traceIdsRoundTrip() {
    qt().forAll(longs().all(), longs().all()).check((high, low) -> {
      TraceId id = new TraceId(high, low);
      String hex = id.toHex();
      byte[] chars = ("xx" + hex + "yy").getBytes(java.nio.charset.StandardCharsets.UTF_8);
      long[] parsed = new long[2];
      return hex.length() == 32
          && TraceId.parse(hex).equals(id)
          && id.toString().equals(hex)
          && Hex.parse(chars, 2, 32, parsed)
          && parsed[0] == high
          && parsed[1] == low;
    });
  }

  @Test
  void digitAcceptsOnlyLowercaseHex() {
    String lower = "0123456789abcdef";
    for (int c = 0; c < 0x800; c++) {
      int expected = lower.indexOf(c);
      assertThat(Hex.digit(c)).as("char %d", c).isEqualTo(expected);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"00000000000000A1", "00000000000000g1", "0000000000000 a1", "00000000000000é1",
      "0x000000000000a1", "-000000000000001"})
  void parseRejectsAnythingButLowercaseHex(String s) {
    long[] out = {42, 43};
    assertThat(Hex.parse(s.getBytes(java.nio.charset.StandardCharsets.UTF_8), 0, 16, out)).isFalse();
    assertThat(Hex.isLowerHex(s)).isFalse();
  }

  @Test
  void parseReadsOnlyItsWindow() {
    long[] out = new long[2];
    assertThat(Hex.parse("ZZ00000000000000a1ZZ".getBytes(java.nio.charset.StandardCharsets.UTF_8), 2, 16, out)).isTrue();
    assertThat(out[0]).isEqualTo(0xa1L);
  }

  @Test
  void traceIdComparesUnsigned() {
    TraceId small = TraceId.parse("00000000000000000000000000000001");
    TraceId highBit = TraceId.parse("80000000000000000000000000000000");
    TraceId lowHighBit = TraceId.parse("00000000000000008000000000000000");
    assertThat(small).isLessThan(lowHighBit);
    assertThat(lowHighBit).isLessThan(highBit);
    assertThat(highBit).isEqualByComparingTo(TraceId.parse("80000000000000000000000000000000"));
  }

  @Test
  void allZeroTraceIdParses() {
    assertThat(TraceId.parse("0".repeat(32))).isEqualTo(new TraceId(0, 0));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "0123456789abcdef0123456789abcde", "0123456789abcdef0123456789abcdef0",
      "0123456789ABCDEF0123456789ABCDEF", "0123456789abcdef0123456789abcdeg", "0123456789abcdef-123456789abcdef",
      "0123456789abcdef0123456789abcdé", " 123456789abcdef0123456789abcdef"})
  void traceIdParseRejectsAnythingButThirtyTwoLowercaseHexDigits(String s) {
    assertThatThrownBy(() -> TraceId.parse(s))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("trace id must be 32 lowercase hex digits")
        .hasMessageContaining("\"" + s + "\"");
  }
}
