package io.segbuf.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The scanner's eight-byte string search in every lane, and its number reading against the JDK's. Its verdicts on
 * whole spans are checked against the reference model in {@link SpanParserProperties}.
 */
class JsonScannerTest {

  private static JsonScanner scanned(byte[] json) throws JsonScanner.Malformed {
    JsonScanner s = new JsonScanner(json);
    s.skipValue();
    return s;
  }

  /** A string value of {@code length} letters with {@code special} at {@code at}, then a comma. */
  private static byte[] stringWith(int length, int at, byte[] special) {
    byte[] body = new byte[length];
    Arrays.fill(body, (byte) 'a');
    byte[] out = new byte[length + special.length + 3];
    out[0] = '"';
    System.arraycopy(body, 0, out, 1, at);
    System.arraycopy(special, 0, out, 1 + at, special.length);
    System.arraycopy(body, at, out, 1 + at + special.length, length - at);
    out[out.length - 2] = '"';
    out[out.length - 1] = ',';
    return out;
  }

  @Test
  void findsTheClosingQuoteInEveryLane() throws JsonScanner.Malformed {
    for (int length = 0; length <= 40; length++) {
      byte[] json = stringWith(length, 0, new byte[0]);
      assertThat(scanned(json).pos).as("length %d", length).isEqualTo(length + 2);
    }
  }

  @Test
  void stopsAtEscapesAndMultiByteCharactersInEveryLane() throws JsonScanner.Malformed {
    byte[][] specials = {"\\\"".getBytes(StandardCharsets.UTF_8), "\\u00e9".getBytes(StandardCharsets.UTF_8),
        "é".getBytes(StandardCharsets.UTF_8), "日".getBytes(StandardCharsets.UTF_8),
        "😀".getBytes(StandardCharsets.UTF_8)};
    for (byte[] special : specials) {
      for (int length = 0; length <= 24; length++) {
        for (int at = 0; at <= length; at++) {
          byte[] json = stringWith(length, at, special);
          JsonScanner s = scanned(json);
          assertThat(s.pos).as("%s at %d of %d", new String(special, StandardCharsets.UTF_8), at, length)
              .isEqualTo(json.length - 1);
          assertThat(s.stringValue()).isEqualTo(
              "a".repeat(at) + (special[0] == '\\' ? special[1] == 'u' ? "é" : "\"" : new String(special,
                  StandardCharsets.UTF_8)) + "a".repeat(length - at));
        }
      }
    }
  }

  @Test
  void controlByteInEveryLaneIsMalformed() {
    for (int length = 0; length <= 24; length++) {
      for (int at = 0; at <= length; at++) {
        byte[] json = stringWith(length, at, new byte[] {0x1f});
        assertThatThrownBy(() -> scanned(json)).as("at %d of %d", at, length)
            .isInstanceOf(JsonScanner.Malformed.class).hasMessageContaining("control character 0x1f").hasMessageEndingWith("at byte " + (at + 1));
      }
    }
  }

  @Test
  void invalidUtf8InEveryLaneIsMalformedAtItsOffset() {
    for (byte[] bad : new byte[][] {{(byte) 0x80}, {(byte) 0xc3}, {(byte) 0xed, (byte) 0xa0, (byte) 0x80},
        {(byte) 0xff}}) {
      for (int length = 0; length <= 24; length++) {
        for (int at = 0; at <= length; at++) {
          byte[] json = stringWith(length, at, bad);
          assertThatThrownBy(() -> scanned(json)).as("at %d of %d", at, length)
              .isInstanceOf(JsonScanner.Malformed.class).hasMessage("invalid UTF-8 at byte " + (at + 1));
        }
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"\"\\x\"", "\"\\u12\"", "\"\\u12g4\"", "\"abc", "\"\\", "01", "-", "1.", ".5", "1e", "+1",
      "1e+", "tru", "truex", "nul", "[1,]", "[,1]", "{\"a\":1,}", "{\"a\"}", "{1:2}", "[1 2]", "NaN", "'a'"})
  void malformedValuesAreRefused(String json) {
    assertThatThrownBy(() -> scanned(json.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(JsonScanner.Malformed.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "-0", "1.5e-3", "1E+2", "\"\\/\\b\\f\\n\\r\\t\\\\\\\"\\uD83D\\uDE00\"", "[]", "{}",
      "[[],{},[{\"a\":[null,true,false]}]]", "{\"\":\"\"}", " [ 1 , { \"a\" : 2 } ] "})
  void wellFormedValuesAreSkippedWhole(String json) throws JsonScanner.Malformed {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    JsonScanner s = scanned(bytes);
    assertThat(s.skipWhitespace()).isEqualTo(-1);
    assertThat(s.pos).isEqualTo(bytes.length);
  }

  private static double readDouble(String number) throws JsonScanner.Malformed {
    JsonScanner s = new JsonScanner(number.getBytes(StandardCharsets.US_ASCII));
    s.scalar();
    return s.numberAsDouble();
  }

  @Test
  void numbersReadAsTheJdkReadsThem() {
    qt().withExamples(20_000).forAll(doubles().any(), integers().between(0, 3)).checkAssert((d, form) -> {
      if (!Double.isFinite(d)) {
        return;
      }
      String text = switch (form) {
        case 0 -> Double.toString(d).replace("E", "e");
        case 1 -> new BigDecimal(d).toPlainString();
        case 2 -> new BigDecimal(d).round(new java.math.MathContext(17)).toString();
        default -> new BigDecimal(d).setScale(6, java.math.RoundingMode.HALF_EVEN).toPlainString();
      };
      try {
        assertThat(Double.doubleToRawLongBits(readDouble(text))).as(text)
            .isEqualTo(Double.doubleToRawLongBits(Double.parseDouble(text)));
      } catch (JsonScanner.Malformed e) {
        throw new AssertionError(text, e);
      }
    });
  }

  @Test
  void timestampsWithMicrosecondsReadExactly() {
    qt().withExamples(20_000).forAll(longs().between(0, 4_102_444_800_000_000L)).checkAssert(micros -> {
      String text = BigDecimal.valueOf(micros, 6).toPlainString();
      try {
        assertThat(readDouble(text)).as(text).isEqualTo(Double.parseDouble(text));
      } catch (JsonScanner.Malformed e) {
        throw new AssertionError(text, e);
      }
    });
  }

  @Test
  void integersReadAsLongsUntilTheyDoNotFit() throws JsonScanner.Malformed {
    for (String text : new String[] {"0", "7", "-7", "999999999999999999", "9223372036854775807",
        "-9223372036854775808"}) {
      JsonScanner s = new JsonScanner(text.getBytes(StandardCharsets.US_ASCII));
      s.scalar();
      assertThat(s.numberAsLong(42)).as(text).isEqualTo(Long.parseLong(text));
    }
    JsonScanner s = new JsonScanner("9223372036854775808".getBytes(StandardCharsets.US_ASCII));
    s.scalar();
    assertThat(s.numberAsLong(42)).isEqualTo(42);
  }

  @Test
  void nestingDeeperThanTheLimitIsRefusedWithoutRecursion() {
    byte[] deep = ("[".repeat(100_000) + "]".repeat(100_000)).getBytes(StandardCharsets.US_ASCII);
    assertThatThrownBy(() -> scanned(deep)).isInstanceOf(JsonScanner.Malformed.class)
        .hasMessageContaining("nesting deeper than 512");
    byte[] limit = ("[".repeat(JsonScanner.MAX_DEPTH) + "]".repeat(JsonScanner.MAX_DEPTH))
        .getBytes(StandardCharsets.US_ASCII);
    assertThat(catchMalformed(limit)).isNull();
  }

  private static JsonScanner.@org.jspecify.annotations.Nullable Malformed catchMalformed(byte[] json) {
    try {
      scanned(json);
      return null;
    } catch (JsonScanner.Malformed e) {
      return e;
    }
  }
}
