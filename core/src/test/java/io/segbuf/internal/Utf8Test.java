package io.segbuf.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

class Utf8Test {

  private static byte[] bytes(int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      b[i] = (byte) values[i];
    }
    return b;
  }

  private static int firstInvalid(byte[] bytes) {
    return Utf8.firstInvalid(bytes, 0, bytes.length);
  }

  private static boolean decoderAccepts(byte[] bytes) {
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    try {
      decoder.decode(ByteBuffer.wrap(bytes));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  @Test
  void emptyAndAsciiAreValid() {
    assertThat(firstInvalid(new byte[0])).isEqualTo(-1);
    assertThat(firstInvalid("{\"a\":1}\u0000\u007f".getBytes(StandardCharsets.UTF_8))).isEqualTo(-1);
  }

  @Test
  void multiByteCharactersAreValid() {
    assertThat(firstInvalid("é日本😀\u0080\u07ff\u0800\uffff".getBytes(StandardCharsets.UTF_8))).isEqualTo(-1);
    assertThat(firstInvalid(bytes(0xf4, 0x8f, 0xbf, 0xbf))).isEqualTo(-1); // U+10FFFF
    assertThat(firstInvalid(bytes(0xed, 0x9f, 0xbf))).isEqualTo(-1); // U+D7FF, just below the surrogates
    assertThat(firstInvalid(bytes(0xee, 0x80, 0x80))).isEqualTo(-1); // U+E000, just above them
  }

  @Test
  void loneContinuationByteIsInvalidAtItsOffset() {
    assertThat(firstInvalid(bytes('a', 'b', 0x80, 'c'))).isEqualTo(2);
    assertThat(firstInvalid(bytes(0xc3, 0xa9, 0xbf))).isEqualTo(2);
  }

  @Test
  void overlongEncodingIsInvalidAtItsLeadByte() {
    assertThat(firstInvalid(bytes('x', 0xc0, 0xaf))).isEqualTo(1);
    assertThat(firstInvalid(bytes(0xc1, 0xbf))).isEqualTo(0);
    assertThat(firstInvalid(bytes('x', 'y', 0xe0, 0x9f, 0xbf))).isEqualTo(2);
    assertThat(firstInvalid(bytes(0xf0, 0x8f, 0xbf, 0xbf))).isEqualTo(0);
  }

  @Test
  void encodedSurrogateIsInvalid() {
    assertThat(firstInvalid(bytes('a', 0xed, 0xa0, 0x80))).isEqualTo(1);
    assertThat(firstInvalid(bytes(0xed, 0xbf, 0xbf))).isEqualTo(0);
  }

  @Test
  void codePointAboveMaximumIsInvalid() {
    assertThat(firstInvalid(bytes(0xf4, 0x90, 0x80, 0x80))).isEqualTo(0);
    assertThat(firstInvalid(bytes('a', 0xf5, 0x80, 0x80, 0x80))).isEqualTo(1);
    assertThat(firstInvalid(bytes(0xf8, 0x88, 0x80, 0x80, 0x80))).isEqualTo(0);
    assertThat(firstInvalid(bytes(0xfe))).isEqualTo(0);
    assertThat(firstInvalid(bytes(0xff))).isEqualTo(0);
  }

  @Test
  void truncatedSequenceIsInvalidAtItsLeadByte() {
    assertThat(firstInvalid(bytes('a', 0xe6, 0x97))).isEqualTo(1);
    assertThat(firstInvalid(bytes('a', 0xc3))).isEqualTo(1);
    assertThat(firstInvalid(bytes(0xf0, 0x9f, 0x98))).isEqualTo(0);
    assertThat(firstInvalid(bytes(0xe6, 0x97, 'a'))).isEqualTo(0);
    assertThat(firstInvalid(bytes(0xf0, 0x9f, 0x98, 0xc3, 0xa9))).isEqualTo(0);
  }

  @Test
  void reportsTheFirstOfSeveralProblems() {
    assertThat(firstInvalid(bytes('o', 'k', 0xc3, 0xa9, 0xff, 0x80, 0xc0))).isEqualTo(4);
  }

  @Test
  void findsTheOneInvalidByteAtEveryPositionOfLongAsciiText() {
    // Every lane of the eight-byte ASCII skip, and the tail after the last whole word.
    for (int length = 1; length <= 40; length++) {
      for (int at = 0; at < length; at++) {
        byte[] text = new byte[length];
        java.util.Arrays.fill(text, (byte) 'a');
        text[at] = (byte) 0x80;
        assertThat(firstInvalid(text)).as("length %d, byte 0x80 at %d", length, at).isEqualTo(at);
      }
    }
  }

  @Test
  void acceptsMultiByteCharactersAtEveryPositionOfLongAsciiText() {
    byte[] euro = "\u20ac".getBytes(StandardCharsets.UTF_8);
    for (int length = 3; length <= 40; length++) {
      for (int at = 0; at + 3 <= length; at++) {
        byte[] text = new byte[length];
        java.util.Arrays.fill(text, (byte) 'a');
        System.arraycopy(euro, 0, text, at, 3);
        assertThat(firstInvalid(text)).as("length %d, euro sign at %d", length, at).isEqualTo(-1);
        text[length - 1] = (byte) 0xff;
        assertThat(firstInvalid(text)).as("length %d, euro sign at %d, 0xff last", length, at)
            .isEqualTo(at + 3 == length ? at : length - 1);
      }
    }
  }

  private static byte[] toBytes(List<Integer> values) {
    byte[] b = new byte[values.size()];
    for (int i = 0; i < b.length; i++) {
      b[i] = values.get(i).byteValue();
    }
    return b;
  }

  /** Random bytes: mostly invalid once they hold a byte above 0x7f. */
  private static Gen<byte[]> randomBytes() {
    return lists().of(integers().between(-128, 127)).ofSizeBetween(0, 64).map(Utf8Test::toBytes);
  }

  /**
   * Valid UTF-8 of random code points (every length of sequence, near every boundary), with one byte sometimes
   * replaced, so both answers come up often.
   */
  private static Gen<byte[]> nearlyValidBytes() {
    Gen<Integer> codePoint = integers().between(0, 4).flatMap(kind -> switch (kind) {
      case 0 -> integers().between(0, 0x7f);
      case 1 -> integers().between(0x80, 0x7ff);
      case 2 -> integers().between(0x800, 0xd7ff);
      case 3 -> integers().between(0xe000, 0xffff);
      default -> integers().between(0x10000, 0x10ffff);
    });
    Gen<String> text = lists().of(codePoint).ofSizeBetween(0, 16).map(cps -> {
      StringBuilder b = new StringBuilder();
      cps.forEach(b::appendCodePoint);
      return b.toString();
    });
    return text.zip(integers().between(-1, 63), integers().between(-128, 127), (s, at, value) -> {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      if (at >= 0 && at < b.length) {
        b[at] = value.byteValue();
      }
      return b;
    });
  }

  @Test
  void agreesWithTheJdkDecoderOnRandomBytes() {
    qt().withExamples(20_000).forAll(randomBytes())
        .check(b -> decoderAccepts(b) == (firstInvalid(b) == -1));
  }

  @Test
  void agreesWithTheJdkDecoderOnNearlyValidText() {
    qt().withExamples(20_000).forAll(nearlyValidBytes())
        .check(b -> decoderAccepts(b) == (firstInvalid(b) == -1));
  }

  @Test
  void firstInvalidOffsetIsWhereTheValidPrefixEnds() {
    // Everything before the reported offset decodes; the reported byte cannot start a valid sequence there.
    qt().withExamples(20_000).forAll(nearlyValidBytes().mix(randomBytes())).check(b -> {
      int bad = firstInvalid(b);
      if (bad < 0) {
        return true;
      }
      byte[] prefix = java.util.Arrays.copyOf(b, bad);
      byte[] rest = java.util.Arrays.copyOfRange(b, bad, b.length);
      return decoderAccepts(prefix) && firstInvalid(rest) == 0 && !decoderAccepts(rest);
    });
  }

  @Test
  void checksOnlyItsWindow() {
    byte[] b = bytes(0xff, 'a', 0xc3, 0xa9, 'b', 0xff);
    assertThat(Utf8.firstInvalid(b, 1, 5)).isEqualTo(-1);
    assertThat(Utf8.firstInvalid(b, 1, 3)).isEqualTo(2); // the window cuts the character in two
    assertThat(Utf8.firstInvalid(b, 1, 6)).isEqualTo(5);
  }
  @Test
  void judgesEachKindOfSequenceTheSameInEveryLaneOfTheWordSkip() {
    // The eight-byte skip checks two- and three-byte characters inside the word it read; these sit at every
    // offset of it, including where they are cut by its end, next to each boundary of validity.
    int[][] valid = {{0xc2, 0x80}, {0xc3, 0xa9}, {0xdf, 0xbf}, {0xe0, 0xa0, 0x80}, {0xe1, 0x80, 0x80},
        {0xec, 0xbf, 0xbf}, {0xed, 0x9f, 0xbf}, {0xee, 0x80, 0x80}, {0xef, 0xbf, 0xbf}, {0xf0, 0x90, 0x80, 0x80},
        {0xf4, 0x8f, 0xbf, 0xbf}};
    int[][] invalid = {{0xc0, 0x80}, {0xc1, 0xbf}, {0xc3, 'A'}, {0xc3, 0xc3}, {0xe0, 0x9f, 0xbf}, {0xed, 0xa0, 0x80},
        {0xe6, 0x97, 'A'}, {0xe6, 'A', 0x80}, {0xe6, 0xc0, 0x80}, {0xf0, 0x8f, 0xbf, 0xbf}, {0xf4, 0x90, 0x80, 0x80},
        {0xf5, 0x80, 0x80, 0x80}, {0x80, 'a'}, {0xbf, 'a'}};
    for (int[] sequences : new int[][] {{0}, {1}}) {
      int[][] kinds = sequences[0] == 0 ? valid : invalid;
      for (int[] kind : kinds) {
        for (int length = kind.length; length <= 24; length++) {
          for (int at = 0; at + kind.length <= length; at++) {
            byte[] text = new byte[length];
            java.util.Arrays.fill(text, (byte) 'a');
            for (int k = 0; k < kind.length; k++) {
              text[at + k] = (byte) kind[k];
            }
            assertThat(firstInvalid(text)).as("%s at %d of %d", java.util.Arrays.toString(kind), at, length)
                .isEqualTo(sequences[0] == 0 ? -1 : at);
          }
        }
      }
    }
  }

  @Test
  void sequenceLengthIsTheLengthOfTheCharacterThatStartsThere() {
    assertThat(Utf8.sequenceLength(bytes(0xc3, 0xa9), 0, 2)).isEqualTo(2);
    assertThat(Utf8.sequenceLength(bytes(0xe2, 0x82, 0xac), 0, 3)).isEqualTo(3);
    assertThat(Utf8.sequenceLength(bytes(0xf0, 0x9f, 0x98, 0x80), 0, 4)).isEqualTo(4);
    assertThat(Utf8.sequenceLength(bytes(0xf0, 0x9f, 0x98, 0x80), 0, 3)).isEqualTo(-1);
    assertThat(Utf8.sequenceLength(bytes('a', 0xc3, 0xa9), 1, 3)).isEqualTo(2);
    assertThat(Utf8.sequenceLength(bytes(0xc3, 0xa9), 0, 1)).isEqualTo(-1);
  }
}
