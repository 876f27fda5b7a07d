package io.segbuf.cli.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/** Lines come back exactly as written, whatever their lengths and however the input arrives. */
class LineReaderProperties {

  private static final byte[] ALPHABET = {'\t', 0x0b, (byte) 0x8a, (byte) 0xe2, '{', 'a', '"', ' '};

  /**
   * One line's content: no {@code \n}, but bytes near it (tab, 0x0b, 0x8a) and above 0x7f; lengths
   * around the reader's eight-byte steps and across its 64 KiB buffer.
   */
  private static final Gen<byte[]> LINE =
      integers().between(0, 3)
          .flatMap(scale -> integers().between(0, new int[] {9, 40, 300, 70_000}[scale]))
          .zip(longs().all(), (length, seed) -> {
            SplittableRandom random = new SplittableRandom(seed);
            byte[] line = new byte[length];
            for (int i = 0; i < length; i++) {
              line[i] = ALPHABET[random.nextInt(ALPHABET.length)];
            }
            return line;
          });

  /** Hands out at most {@code chunk} bytes per read, as a pipe does. */
  private static InputStream inChunks(byte[] data, int chunk) {
    return new ByteArrayInputStream(data) {
      @Override
      public synchronized int read(byte[] b, int off, int len) {
        return super.read(b, off, Math.min(len, chunk));
      }
    };
  }

  private static List<byte[]> readAll(LineReader reader) {
    try {
      List<byte[]> lines = new ArrayList<>();
      byte[] line;
      while ((line = reader.next()) != null) {
        lines.add(line);
      }
      return lines;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void linesComeBackExactlyAsWritten() {
    qt().withExamples(300)
        .forAll(lists().of(LINE).ofSizeBetween(1, 30), booleans().all(), booleans().all(),
            integers().between(1, 100_000))
        .check((lines, crlf, finalNewline, chunk) -> {
          ByteArrayOutputStream input = new ByteArrayOutputStream();
          for (int i = 0; i < lines.size(); i++) {
            input.writeBytes(lines.get(i));
            // an empty last line exists only with its newline
            if (i < lines.size() - 1 || finalNewline || lines.get(i).length == 0) {
              input.writeBytes(crlf ? new byte[] {'\r', '\n'} : new byte[] {'\n'});
            }
          }
          byte[] data = input.toByteArray();
          LineReader reader = new LineReader(inChunks(data, chunk));
          List<byte[]> read = readAll(reader);
          assertThat(read).hasSameSizeAs(lines);
          for (int i = 0; i < lines.size(); i++) {
            assertThat(read.get(i)).as("line %d", i).isEqualTo(lines.get(i));
          }
          return reader.lines() == lines.size() && reader.bytes() == data.length;
        });
  }
}
