package io.segbuf.cli.replay;

import io.segbuf.Message;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The output of a replay over a store in this process's memory, which nothing outlives: a message is acknowledged once
 * handed over to the sink's own thread, {@code segbuf-write}. Reading a value there encodes it ({@link
 * Message#value()}), so copying the spans into messages and digesting them for their flush ids happen off the replay
 * loop, while the loop's store changes stay in the loop's order. What is handed over after a failure is dropped.
 */
final class ThreadedOutputSink extends OutputSink {
  private static final int BATCH_MESSAGES = 256;
  private static final int BATCHES_AHEAD = 8;

  /** Messages handed over together, so that the threads meet once a batch rather than once a message. */
  private record Batch(Message[] messages, int count, boolean last) {}

  private final BlockingQueue<Batch> queue = new ArrayBlockingQueue<>(BATCHES_AHEAD);
  private final Thread thread;
  private Message[] batch = new Message[BATCH_MESSAGES];
  private int count;

  private ThreadedOutputSink(OutputStream out) {
    super(out);
    thread = new Thread(this::write, "segbuf-write");
    thread.setDaemon(true);
  }

  /** A sink writing to {@code out}, its thread started; {@link #finish} or {@link #close} ends the thread. */
  static ThreadedOutputSink start(OutputStream out) {
    ThreadedOutputSink sink = new ThreadedOutputSink(out);
    sink.thread.start();
    return sink;
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
    return ACKNOWLEDGED;
  }

  @Override
  void finish() throws InterruptedIOException {
    handOver(true);
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while writing output");
    }
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
        for (int i = 0; i < b.count() && failure() == null; i++) {
          writeLine(b.messages()[i], false);
        }
      } while (!b.last());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
