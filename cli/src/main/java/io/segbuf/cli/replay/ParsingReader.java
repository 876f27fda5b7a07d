package io.segbuf.cli.replay;

import io.segbuf.ParseResult;
import io.segbuf.Span;
import java.io.IOException;
import java.io.InterruptedIOException;
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
   * Lines in order, each the span or why it is invalid (null for a blank line), numbered from {@code firstLine}, and
   * how much input was read up to the last of them. Arrays, not an object per line: the replay loop should
   * allocate nothing per line beyond the span.
   */
  private record Batch(@Nullable ParseResult[] parsed, int count, long firstLine, long linesRead, long bytesRead,
      boolean last) {}

  private static final Batch NONE = new Batch(new ParseResult[0], 0, 0, 0, 0, false);

  private final BlockingQueue<Batch> queue = new ArrayBlockingQueue<>(BATCHES_AHEAD);
  private final Thread thread;
  private volatile @Nullable IOException failure;
  private Batch current = NONE;
  /** The line handed out, as an index into the current batch. */
  private int index = -1;

  ParsingReader(LineReader reader) {
    thread = new Thread(() -> produce(reader), "segbuf-parse");
    thread.setDaemon(true);
    thread.start();
  }

  /** Moves to the next line; false at the end of input. */
  boolean advance() throws IOException {
    while (true) {
      if (index + 1 < current.count()) {
        index++;
        return true;
      }
      if (current.last()) {
        IOException e = failure;
        if (e != null) {
          throw e;
        }
        return false;
      }
      try {
        current = queue.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while reading input");
      }
      index = -1;
    }
  }

  /** The current line's span or why it is invalid; null for a blank line. */
  @Nullable ParseResult parsed() {
    return current.parsed()[index];
  }

  /** The current line's 1-based number. */
  long number() {
    return current.firstLine() + index;
  }

  /** Lines read, up to the end of the batch being handed out. */
  long lines() {
    return current.linesRead();
  }

  /** Bytes read, up to the end of the batch being handed out. */
  long bytes() {
    return current.bytesRead();
  }

  @Override
  public void close() {
    thread.interrupt();
  }

  private void produce(LineReader reader) {
    try {
      boolean last = false;
      while (!last) {
        long firstLine = reader.lines() + 1;
        ParseResult[] parsed = new ParseResult[BATCH_LINES];
        int count = 0;
        while (count < BATCH_LINES) {
          byte[] line = reader.next();
          if (line == null) {
            last = true;
            break;
          }
          parsed[count++] = isBlank(line) ? null : Span.parse(line);
        }
        queue.put(new Batch(parsed, count, firstLine, reader.lines(), reader.bytes(), last));
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
      queue.put(new Batch(new ParseResult[0], 0, reader.lines() + 1, reader.lines(), reader.bytes(), true));
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
