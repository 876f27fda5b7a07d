package io.segbuf.cli.replay;

import io.segbuf.ParseResult;
import io.segbuf.Span;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.jspecify.annotations.Nullable;

/**
 * Reads and parses lines on a thread of its own, ahead of the replay loop, and hands them out in input order:
 * parsing is the larger half of the work and the machine has another core. Not thread-safe for consumers: one
 * replay loop reads it.
 */
final class ParsingReader implements AutoCloseable {
  private static final int BATCH_LINES = 512;
  private static final int BATCHES_AHEAD = 8;

  /**
   * One input line.
   *
   * @param number its 1-based line number
   * @param parsed the span or why it is invalid; null for a blank line
   */
  record Line(long number, @Nullable ParseResult parsed) {}

  /** Lines in order, and how much input was read up to the last of them. */
  private record Batch(List<Line> lines, long linesRead, long bytesRead, boolean last) {}

  private final BlockingQueue<Batch> queue = new ArrayBlockingQueue<>(BATCHES_AHEAD);
  private final Thread thread;
  private volatile @Nullable IOException failure;
  private @Nullable Batch current;
  private int index;
  private long linesRead;
  private long bytesRead;

  ParsingReader(LineReader reader) {
    thread = new Thread(() -> produce(reader), "segbuf-parse");
    thread.setDaemon(true);
    thread.start();
  }

  /** The next line, or null at the end of input. */
  @Nullable Line next() throws IOException {
    while (true) {
      Batch batch = current;
      if (batch != null && index < batch.lines().size()) {
        return batch.lines().get(index++);
      }
      if (batch != null && batch.last()) {
        IOException e = failure;
        if (e != null) {
          throw e;
        }
        return null;
      }
      try {
        batch = queue.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while reading input");
      }
      current = batch;
      index = 0;
      linesRead = batch.linesRead();
      bytesRead = batch.bytesRead();
    }
  }

  /** Lines read, up to the end of the batch being handed out. */
  long lines() {
    return linesRead;
  }

  /** Bytes read, up to the end of the batch being handed out. */
  long bytes() {
    return bytesRead;
  }

  @Override
  public void close() {
    thread.interrupt();
  }

  private void produce(LineReader reader) {
    try {
      boolean last = false;
      while (!last) {
        List<Line> lines = new ArrayList<>(BATCH_LINES);
        while (lines.size() < BATCH_LINES) {
          byte[] line = reader.next();
          if (line == null) {
            last = true;
            break;
          }
          lines.add(new Line(reader.lines(), isBlank(line) ? null : Span.parse(line)));
        }
        queue.put(new Batch(lines, reader.lines(), reader.bytes(), last));
      }
    } catch (IOException e) {
      failure = e;
      putLast(reader);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void putLast(LineReader reader) {
    try {
      queue.put(new Batch(List.of(), reader.lines(), reader.bytes(), true));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static boolean isBlank(byte[] line) {
    for (byte b : line) {
      if (b != ' ' && b != '\t') {
        return false;
      }
    }
    return true;
  }
}
