package io.segbuf.cli.replay;

import io.segbuf.Message;
import io.segbuf.SegmentKey;
import io.segbuf.TestSpans;
import io.segbuf.TraceId;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Supplier;

/** Messages whose values are short lines, and an output stream that fails from a given write on. */
final class OutputLines {
  private static final SegmentKey KEY = new SegmentKey(TestSpans.PROJECT, TraceId.parse(TestSpans.TRACE), 1);

  private OutputLines() {}

  /** A message whose value is {@code line}, encoded on demand by {@code encoder}. */
  static Message message(String line, Supplier<byte[]> encoder) {
    return new Message(KEY, 0, 0, 1, false, 1, line.getBytes(StandardCharsets.UTF_8).length, encoder);
  }

  /** A message whose value is {@code line}. */
  static Message message(String line) {
    return message(line, () -> line.getBytes(StandardCharsets.UTF_8));
  }

  /** A message whose encoder makes a value one byte short of its size: a bug in the encoder. */
  static Message unencodable() {
    return new Message(KEY, 0, 0, 1, false, 1, 3, () -> new byte[2]);
  }

  /** The lines written to {@code out}. */
  static List<String> lines(ByteArrayOutputStream out) {
    return out.toString(StandardCharsets.UTF_8).lines().toList();
  }

  /** Takes {@code goodLines} lines into {@link #written}, then throws {@link #FAILURE} on every write. */
  static final class FailingStream extends OutputStream {
    static final IOException FAILURE = new IOException("disk full");
    final ByteArrayOutputStream written = new ByteArrayOutputStream();
    private final int goodLines;
    private int lines;
    int refusedWrites;
    int flushes;

    FailingStream(int goodLines) {
      this.goodLines = goodLines;
    }

    @Override
    public void write(int b) throws IOException {
      check();
      written.write(b);
      if (b == '\n') {
        lines++;
      }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      check();
      written.write(b, off, len);
    }

    @Override
    public void flush() {
      flushes++;
    }

    private void check() throws IOException {
      if (lines == goodLines) {
        refusedWrites++;
        throw FAILURE;
      }
    }
  }
}
