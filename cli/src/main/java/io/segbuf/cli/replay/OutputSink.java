package io.segbuf.cli.replay;

import io.segbuf.Message;
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
 * Writes each message's value as one line, in the order sent, on a thread of its own: reading a value encodes it
 * ({@link Message#value()}), so copying the spans into messages and digesting them for their flush ids happen there,
 * off the replay loop, while the loop's store changes stay in the loop's order. A message is acknowledged once
 * handed over, as the replay commits nothing. The first write failure is kept, so the replay can stop and report
 * it; what is handed over after it is dropped. One thread sends: the replay loop.
 */
final class OutputSink implements SegmentSink, AutoCloseable {
  private static final int BATCH_MESSAGES = 256;
  private static final int BATCHES_AHEAD = 8;
  private static final CompletableFuture<@Nullable Void> HANDED_OVER = CompletableFuture.completedFuture(null);

  /** Messages handed over together, so that the threads meet once a batch rather than once a message. */
  private record Batch(Message[] messages, int count, boolean last) {}

  private final OutputStream out;
  private final BlockingQueue<Batch> queue = new ArrayBlockingQueue<>(BATCHES_AHEAD);
  private final Thread thread;
  private volatile @Nullable IOException failure;
  private Message[] batch = new Message[BATCH_MESSAGES];
  private int count;

  /** Starts the writing thread; {@link #finish} or {@link #close} ends it. */
  OutputSink(OutputStream out) {
    this.out = out;
    thread = new Thread(this::write, "segbuf-write");
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public CompletionStage<?> send(Message message) {
    batch[count++] = message;
    if (count == BATCH_MESSAGES) {
      try {
        handOver(false);
      } catch (InterruptedIOException e) {
        return CompletableFuture.failedFuture(e);
      }
    }
    return HANDED_OVER;
  }

  /** Waits until every message sent is written to the stream, or dropped after a failure ({@link #failure}). */
  void finish() throws InterruptedIOException {
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
          try {
            out.write(b.messages()[i].value());
            out.write('\n');
          } catch (IOException e) {
            failure = e;
          } catch (RuntimeException e) {
            // a message that cannot be encoded (a bug): stop as on a write failure rather than leave the loop waiting
            failure = new IOException("cannot encode " + b.messages()[i] + ": " + e, e);
          }
        }
      } while (!b.last());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
