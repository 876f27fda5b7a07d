package io.segbuf.cli.replay;

import io.segbuf.Message;
import io.segbuf.cli.StoreUri;
import io.segbuf.spi.SegmentSink;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * Writes each message's value as one line, in the order sent. The first write failure is kept, so the replay can
 * stop and report it. One thread sends: the replay loop.
 *
 * <p>Over a store in this process's memory, which nothing outlives, a message is acknowledged once handed over to a
 * thread of the sink's own ({@link #handingOver}): reading a value there encodes it ({@link Message#value()}), so
 * copying the spans into messages and digesting them for their flush ids happen off the replay loop, while the
 * loop's store changes stay in the loop's order; what is handed over after a failure is dropped.
 *
 * <p>Over a store kept elsewhere (Redis), a message is acknowledged only once written and the stream flushed
 * ({@link #writingThrough}): such a store records a completion once its messages are acknowledged and may send it
 * before the replay ends, and a replay killed then and started again finds those spans flushed (duplicates) and
 * writes them no more, so they must be out of the process by then.
 */
final class OutputSink implements SegmentSink, AutoCloseable {
  private static final int BATCH_MESSAGES = 256;
  private static final int BATCHES_AHEAD = 8;
  private static final CompletableFuture<@Nullable Void> ACKNOWLEDGED = CompletableFuture.completedFuture(null);

  /** Messages handed over together, so that the threads meet once a batch rather than once a message. */
  private record Batch(Message[] messages, int count, boolean last) {}

  private final OutputStream out;
  private final boolean writeThrough;
  private final BlockingQueue<Batch> queue = new ArrayBlockingQueue<>(BATCHES_AHEAD);
  private final Thread thread;
  private volatile @Nullable IOException failure;
  private Message[] batch = new Message[BATCH_MESSAGES];
  private int count;

  /** The sink for a replay over {@code store} (a {@code --store} value): handing over in memory, else writing through. */
  static OutputSink over(String store, OutputStream out) {
    return StoreUri.MEMORY.equalsIgnoreCase(store) ? handingOver(out) : writingThrough(out);
  }

  /** A sink that acknowledges on hand-over; starts its writing thread, which {@link #finish} or {@link #close} ends. */
  private static OutputSink handingOver(OutputStream out) {
    OutputSink sink = new OutputSink(out, false);
    sink.thread.start();
    return sink;
  }

  /** A sink that writes and flushes each message on the sending thread before acknowledging it. */
  private static OutputSink writingThrough(OutputStream out) {
    return new OutputSink(out, true);
  }

  private OutputSink(OutputStream out, boolean writeThrough) {
    this.out = out;
    this.writeThrough = writeThrough;
    thread = new Thread(this::write, "segbuf-write");
    thread.setDaemon(true);
  }

  @Override
  public CompletionStage<?> send(Message message) {
    if (writeThrough) {
      if (failure == null) {
        writeLine(message);
      }
      IOException failed = failure;
      return failed == null ? ACKNOWLEDGED : CompletableFuture.failedFuture(failed);
    }
    batch[count++] = message;
    if (count == BATCH_MESSAGES) {
      try {
        handOver(false);
      } catch (InterruptedIOException e) {
        return CompletableFuture.failedFuture(e);
      }
    }
    return ACKNOWLEDGED;
  }

  /** Waits until every message sent is written to the stream, or dropped after a failure ({@link #failure}). */
  void finish() throws InterruptedIOException {
    if (writeThrough) {
      return;
    }
    handOver(true);
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while writing output");
    }
  }

  /** The first write that failed, or null. */
  @Nullable IOException failure() {
    return failure;
  }

  /** Stops the writing thread if {@link #finish} was not reached. */
  @Override
  public void close() {
    thread.interrupt();
  }

  private void handOver(boolean last) throws InterruptedIOException {
    try {
      queue.put(new Batch(batch, count, last));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while writing output");
    }
    batch = new Message[BATCH_MESSAGES];
    count = 0;
  }

  private void write() {
    try {
      Batch b;
      do {
        b = queue.take();
        for (int i = 0; i < b.count() && failure == null; i++) {
          writeLine(b.messages()[i]);
        }
      } while (!b.last());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Writes one message's line (and, writing through, flushes it), or keeps the failure. */
  private void writeLine(Message message) {
    try {
      out.write(message.value());
      out.write('\n');
      if (writeThrough) {
        out.flush();
      }
    } catch (IOException e) {
      failure = e;
    } catch (RuntimeException e) {
      // a message that cannot be encoded (a bug): stop as on a write failure rather than leave the loop waiting
      failure = new IOException("cannot encode " + message + ": " + e, e);
    }
  }
}
