package io.segbuf.cli.generate;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Writes filler text of an exact byte length into a JSON string: words that need no escaping, some
 * of them multi-byte UTF-8 when unicode is on. Multi-byte words are never cut, so the UTF-8 stays
 * valid; when no whole word fits, the filler ends with the start of an ASCII phrase.
 */
final class Filler {

  private static final byte[][] ASCII_WORDS =
      encode(
          " lorem", " ipsum", " dolor", " sit", " amet", " consectetur", " adipiscing", " elit",
          " sed", " do", " eiusmod", " tempor", " incididunt", " ut", " labore", " et", " dolore",
          " magna", " aliqua", " span", " segment", " trace", " buffer", " query", " request");

  private static final byte[][] UNICODE_WORDS =
      encode(" café", " naïve", " 日本語", " データ", " 🚀", " Ελληνικά", " Привет", " 😀", " €", " Zoë");

  private static final byte[] TAIL =
      " lorem ipsum dolor sit amet".getBytes(StandardCharsets.US_ASCII);

  private static final double UNICODE_SHARE = 0.1;

  private final boolean unicode;

  Filler(boolean unicode) {
    this.unicode = unicode;
  }

  /** Appends exactly {@code count} bytes of filler to {@code json}. */
  void write(JsonBuffer json, int count, SplittableRandom random) {
    int remaining = count;
    while (remaining > 0) {
      byte[][] words = unicode && random.nextDouble() < UNICODE_SHARE ? UNICODE_WORDS : ASCII_WORDS;
      byte[] word = words[random.nextInt(words.length)];
      if (word.length <= remaining) {
        json.bytes(word);
        remaining -= word.length;
      } else {
        int tail = Math.min(remaining, TAIL.length);
        json.bytes(TAIL, tail);
        remaining -= tail;
      }
    }
  }

  private static byte[][] encode(String... words) {
    byte[][] encoded = new byte[words.length][];
    for (int i = 0; i < words.length; i++) {
      encoded[i] = words[i].getBytes(StandardCharsets.UTF_8);
    }
    return encoded;
  }
}
