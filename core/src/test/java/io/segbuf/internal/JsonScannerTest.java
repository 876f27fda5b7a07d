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
      "1e+", "00", "-00", "09", "tru", "truex", "nul", "[1,]", "[,1]", "{\"a\":1,}", "{\"a\"}", "{1:2}", "[1 2]", "NaN", "'a'"})
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
  @Test
  void containersNestedPastSixtyFourLevelsRememberWhichBracketClosesEach() throws JsonScanner.Malformed {
    // Depths from 64 up keep their array-or-object bit in a second word: both kinds at every depth around it.
    for (int depth = 60; depth <= 130; depth++) {
      StringBuilder open = new StringBuilder();
      StringBuilder close = new StringBuilder();
      for (int d = 1; d <= depth; d++) {
        boolean array = (d % 3 == 0) == (depth % 2 == 0);
        open.append(array ? "[" : "{\"k\":");
        close.insert(0, array ? "]" : "}");
      }
      byte[] json = (open + "1" + close).getBytes(StandardCharsets.US_ASCII);
      JsonScanner s = scanned(json);
      assertThat(s.pos).as("depth %d", depth).isEqualTo(json.length);
      String swapped = close.charAt(0) == ']' ? "}" + close.substring(1) : "]" + close.substring(1);
      byte[] wrong = (open + "1" + swapped).getBytes(StandardCharsets.US_ASCII);
      assertThatThrownBy(() -> scanned(wrong)).as("depth %d, wrong innermost bracket", depth)
          .isInstanceOf(JsonScanner.Malformed.class);
    }
  }

  @Test
  void aScannerResetForAnotherValueStartsAtTheTop() throws JsonScanner.Malformed {
    JsonScanner s = new JsonScanner("[[[".getBytes(StandardCharsets.US_ASCII));
    assertThatThrownBy(s::skipValue).isInstanceOf(JsonScanner.Malformed.class);
    byte[] limit = ("[".repeat(JsonScanner.MAX_DEPTH) + "]".repeat(JsonScanner.MAX_DEPTH))
        .getBytes(StandardCharsets.US_ASCII);
    s.reset(limit);
    s.skipValue();
    assertThat(s.pos).isEqualTo(limit.length);
  }

  @ParameterizedTest
  @ValueSource(strings = {"true0", "false9", "nullA", "true_", "true\u00e9", "null\u65e5"})
  void aLiteralRunOnIntoALetterOrDigitIsOneUnknownWord(String json) {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> scanned(bytes)).isInstanceOf(JsonScanner.Malformed.class)
        .hasMessageStartingWith("unrecognized token starting '");
  }

  @ParameterizedTest
  @ValueSource(strings = {"true/", "false ", "null,", "true]", "null}"})
  void aLiteralEndsAtAnythingButALetterOrDigit(String json) throws JsonScanner.Malformed {
    JsonScanner s = new JsonScanner(json.getBytes(StandardCharsets.US_ASCII));
    s.skipValue();
    assertThat(s.pos).isEqualTo(json.indexOf(json.charAt(json.length() - 1), 1));
  }

  @Test
  void aLiteralFollowedByBytesThatAreNotUtf8OrNotALetterEndsThere() throws JsonScanner.Malformed {
    byte[][] afters = {{(byte) 0xe6, (byte) 0x97}, {(byte) 0x80}, {(byte) 0xc2, (byte) 0xa0}};
    for (byte[] after : afters) {
      byte[] json = Arrays.copyOf("true".getBytes(StandardCharsets.US_ASCII), 4 + after.length);
      System.arraycopy(after, 0, json, 4, after.length);
      JsonScanner s = new JsonScanner(json);
      assertThat(s.scalar()).as(Arrays.toString(after)).isEqualTo(JsonScanner.TRUE);
      assertThat(s.pos).isEqualTo(4);
    }
  }

  @Test
  void theObjectEnteredCountsTowardsTheNestingLimitUntilItsBraceCloses() throws JsonScanner.Malformed {
    String deepest = "[".repeat(JsonScanner.MAX_DEPTH - 1) + "]".repeat(JsonScanner.MAX_DEPTH - 1);
    JsonScanner s = new JsonScanner(("{\"a\":{},\"b\":" + deepest + "}").getBytes(StandardCharsets.US_ASCII));
    s.skipWhitespace();
    s.enterObject();
    assertThat(s.nextField(true)).isTrue();
    s.enterObject();
    assertThat(s.nextField(true)).isFalse();
    assertThat(s.nextField(false)).isTrue();
    s.skipValue();
    assertThat(s.nextField(false)).isFalse();
    JsonScanner tooDeep = new JsonScanner(("{\"b\":[" + deepest + "]}").getBytes(StandardCharsets.US_ASCII));
    tooDeep.skipWhitespace();
    tooDeep.enterObject();
    assertThat(tooDeep.nextField(true)).isTrue();
    assertThatThrownBy(tooDeep::skipValue).isInstanceOf(JsonScanner.Malformed.class)
        .hasMessageStartingWith("nesting deeper than 512 levels");
  }

  @Test
  void stringsOfDigitsPunctuationAndSpacesEndAtTheirQuoteInEveryLane() throws JsonScanner.Malformed {
    // Bodies of bytes from 0x20 to 0x7e (not letters, which the word search may stop at needlessly).
    for (byte fill : new byte[] {'0', ' ', '~', '@', '!', '#', '['}) {
      for (int length = 0; length <= 24; length++) {
        for (int at = 0; at <= length; at++) {
          for (byte[] special : new byte[][] {{}, {'\\', '"'}, {'\\', '\\'}}) {
            byte[] json = stringWith(length, at, special);
            for (int i = 1; i < json.length - 2; i++) {
              if (i < 1 + at || i >= 1 + at + special.length) {
                json[i] = fill;
              }
            }
            JsonScanner s = scanned(json);
            assertThat(s.pos).as("fill %c, length %d, at %d", fill, length, at).isEqualTo(json.length - 1);
            assertThat(s.stringEscaped()).isEqualTo(special.length > 0);
          }
          byte[] control = stringWith(length, at, new byte[] {0x00});
          for (int i = 1; i < control.length - 2; i++) {
            if (i != 1 + at) {
              control[i] = fill;
            }
          }
          assertThatThrownBy(() -> scanned(control)).as("fill %c, length %d, NUL at %d", fill, length, at)
              .isInstanceOf(JsonScanner.Malformed.class)
              .hasMessage("control character 0x00 in a string at byte " + (at + 1));
        }
      }
    }
  }

  @Test
  void whiteSpaceIsOnlyTheFourJsonCharacters() {
    for (int c = 0; c <= ' '; c++) {
      JsonScanner s = new JsonScanner(new byte[] {(byte) c, '1'});
      int expected = c == ' ' || c == '\n' || c == '\r' || c == '\t' ? '1' : c;
      assertThat(s.skipWhitespace()).as("byte 0x%02x", c).isEqualTo(expected);
    }
  }

  @Test
  void negativeZeroIsZeroAsAnIntegerAndMinusZeroAsAFraction() throws JsonScanner.Malformed {
    assertThat(Double.doubleToRawLongBits(readDouble("-0"))).isEqualTo(Double.doubleToRawLongBits(0.0));
    assertThat(Double.doubleToRawLongBits(readDouble("-0.0"))).isEqualTo(Double.doubleToRawLongBits(-0.0));
    assertThat(readDouble("-12")).isEqualTo(-12.0);
  }

  @ParameterizedTest
  @ValueSource(strings = {"1e000001", "1e0000000000000000001", "25e-0000002", "9007199254740993",
      "-9007199254740993", "123456789012345678901234567890", "1e22", "1e23", "1e-22", "1e-23", "4.5e15",
      "9007199254740992", "9007199254740993e1", "1e10", "1.5e-12", "3e21", "-25e-11", "0.1e-21", "1.7976931348623157e308", "4.9e-324", "1e400"})
  void numbersNearTheFastPathsEdgesReadAsTheJdkReadsThem(String text) throws JsonScanner.Malformed {
    assertThat(readDouble(text)).isEqualTo(Double.parseDouble(text));
  }

  @Test
  void longIntegersReadAsLongsOnBothSides() throws JsonScanner.Malformed {
    for (String text : new String[] {"1234567890123456789", "-1234567890123456789", "-9223372036854775807",
        "123456789012345678", "-123456789012345678"}) {
      JsonScanner s = new JsonScanner(text.getBytes(StandardCharsets.US_ASCII));
      s.scalar();
      assertThat(s.numberAsLong(42)).as(text).isEqualTo(Long.parseLong(text));
      assertThat(s.numberText()).isEqualTo(text);
    }
  }

  @Test
  void numberKindsAreIntegerOnlyWithoutFractionAndExponent() throws JsonScanner.Malformed {
    for (String text : new String[] {"0", "-3", "12"}) {
      assertThat(new JsonScanner(text.getBytes(StandardCharsets.US_ASCII)).scalar()).as(text)
          .isEqualTo(JsonScanner.NUMBER_INT);
    }
    for (String text : new String[] {"0.5", "1e2", "1E2", "-2.0e-1"}) {
      assertThat(new JsonScanner(text.getBytes(StandardCharsets.US_ASCII)).scalar()).as(text)
          .isEqualTo(JsonScanner.NUMBER_FLOAT);
    }
  }

  @Test
  void escapedStringsAreComparedAndParsedDecoded() throws JsonScanner.Malformed {
    JsonScanner s = new JsonScanner("\"a\\u0062c\"".getBytes(StandardCharsets.US_ASCII));
    assertThat(s.scalar()).isEqualTo(JsonScanner.STRING);
    assertThat(s.stringEscaped()).isTrue();
    assertThat(s.stringIs("abc".getBytes(StandardCharsets.US_ASCII))).isTrue();
    assertThat(s.stringIs("abd".getBytes(StandardCharsets.US_ASCII))).isFalse();
    long[] out = new long[2];
    String hex = "00000000000000a1";
    JsonScanner e = new JsonScanner(("\"" + hex.substring(0, 15) + "\\u0031\"").getBytes(StandardCharsets.US_ASCII));
    e.scalar();
    assertThat(e.stringAsHex(16, out)).isTrue();
    assertThat(out[0]).isEqualTo(0xa1L);
    JsonScanner shortOne = new JsonScanner("\"\\u0061\"".getBytes(StandardCharsets.US_ASCII));
    shortOne.scalar();
    assertThat(shortOne.stringAsHex(16, out)).isFalse();
    JsonScanner plain = new JsonScanner(("\"" + hex + "\"").getBytes(StandardCharsets.US_ASCII));
    plain.scalar();
    assertThat(plain.stringEscaped()).isFalse();
    assertThat(plain.stringLength()).isEqualTo(16);
    assertThat(plain.stringFirstByte()).isEqualTo('0');
    assertThat(plain.stringAsHex(16, out)).isTrue();
    assertThat(plain.stringAsHex(32, out)).isFalse();
    JsonScanner empty = new JsonScanner("\"\"".getBytes(StandardCharsets.US_ASCII));
    empty.scalar();
    assertThat(empty.stringFirstByte()).isEqualTo(-1);
    assertThat(empty.stringLength()).isZero();
  }

  @Test
  void problemsSayWhatWasExpectedAndWhatWasFound() {
    assertThat(problem("[1 2]")).isEqualTo("expected ',' or ']' at byte 3 but found '2'");
    assertThat(problem("{\"a\":1 2}")).isEqualTo("expected ',' or '}' at byte 7 but found '2'");
    assertThat(problem("[1,")).isEqualTo("expected a value but the input ended at byte 3");
    assertThat(problem("[\u0001]")).isEqualTo("expected a value at byte 1 but found byte 0x01");
    assertThat(problem("[\u007f]")).isEqualTo("expected a value at byte 1 but found byte 0x7f");
    assertThat(problem("[\u00e9]")).isEqualTo("expected a value at byte 1 but found byte 0xc3");
    assertThat(problem("{1:2}")).isEqualTo("expected a field name in double quotes at byte 1 but found '1'");
    assertThat(problem("{\"a\" 1}")).isEqualTo("expected ':' after a field name at byte 5 but found '1'");
    assertThat(problem("tx")).isEqualTo("expected 'true' at byte 1 but found 'x'");
    assertThat(problem("-x")).isEqualTo("expected a digit at byte 1 but found 'x'");
    assertThat(problem("1.x")).isEqualTo("expected a digit after the decimal point at byte 2 but found 'x'");
    assertThat(problem("1e+x")).isEqualTo("expected a digit in the exponent at byte 3 but found 'x'");
    assertThat(problem("012")).isEqualTo("leading zero in a number at byte 0");
    assertThat(problem("\"ab")).isEqualTo("unterminated string starting at byte 0");
    assertThat(problem("\"a\\q\"")).isEqualTo("invalid escape at byte 2");
    assertThat(problem("\"a\\")).isEqualTo("invalid escape at byte 2");
    assertThat(problem("\"\\u12")).isEqualTo("\\u must be followed by four hex digits at byte 1");
    assertThat(problem("[truex]")).isEqualTo("unrecognized token starting 'true' at byte 1");
    assertThat(problem("tr")).isEqualTo("expected 'true' but the input ended at byte 2");
    assertThat(problem("t rue")).isEqualTo("expected 'true' at byte 1 but found byte 0x20");
    byte[] notUtf8 = {'[', (byte) 0xff, ']'};
    assertThat(problem(notUtf8)).isEqualTo("invalid UTF-8 at byte 1");
    byte[] continuation = {'[', (byte) 0x80, ']'};
    assertThat(problem(continuation)).isEqualTo("invalid UTF-8 at byte 1");
  }

  @Test
  void anObjectsFieldsAreReadOneByOne() throws JsonScanner.Malformed {
    JsonScanner s = new JsonScanner("{ \"a\" : 1 , \"b\":[2]}".getBytes(StandardCharsets.US_ASCII));
    assertThat(s.skipWhitespace()).isEqualTo('{');
    s.enterObject();
    assertThat(s.nextField(true)).isTrue();
    assertThat(s.stringValue()).isEqualTo("a");
    assertThat(s.scalar()).isEqualTo(JsonScanner.NUMBER_INT);
    assertThat(s.nextField(false)).isTrue();
    assertThat(s.stringValue()).isEqualTo("b");
    s.skipValue();
    assertThat(s.nextField(false)).isFalse();
    assertThat(s.skipWhitespace()).isEqualTo(-1);
    JsonScanner cut = new JsonScanner("{\"a\": ".getBytes(StandardCharsets.US_ASCII));
    cut.skipWhitespace();
    cut.enterObject();
    assertThatThrownBy(() -> cut.nextField(true)).isInstanceOf(JsonScanner.Malformed.class)
        .hasMessage("expected a value but the input ended at byte 6");
  }

  private static String problem(String json) {
    return problem(json.getBytes(StandardCharsets.UTF_8));
  }

  private static String problem(byte[] json) {
    JsonScanner.Malformed m = catchMalformed(json);
    assertThat(m).as(new String(json, StandardCharsets.UTF_8)).isNotNull();
    return m == null ? "" : m.detail();
  }
}
