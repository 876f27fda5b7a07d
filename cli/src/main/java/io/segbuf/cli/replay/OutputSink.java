package io.segbuf.cli.replay;

import io.segbuf.Message;
import io.segbuf.cli.StoreUri;
import io.segbuf.spi.SegmentSink;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * Writes each message's value as one line, in the order sent. The first write failure is kept, so the replay can
 * stop and report it. One thread sends: the replay loop. When a message is acknowledged depends on the store the
 * replay runs over, hence two sinks: {@link ThreadedOutputSink} over a store in this process's memory,
 * {@link WriteThroughOutputSink} over a store kept elsewhere (Redis).
 */
abstract sealed class OutputSink implements SegmentSink, AutoCloseable
    permits ThreadedOutputSink, WriteThroughOutputSink {
  static final CompletableFuture<@Nullable Void> ACKNOWLEDGED = CompletableFuture.completedFuture(null);

  private final OutputStream out;
  private volatile @Nullable IOException failure;

  OutputSink(OutputStream out) {
    this.out = out;
  }

  /** The sink for a replay over {@code store} (a {@code --store} value): threaded in memory, else writing through. */
  static OutputSink over(String store, OutputStream out) {
    return StoreUri.MEMORY.equalsIgnoreCase(store) ? ThreadedOutputSink.start(out) : new WriteThroughOutputSink(out);
  }

  /** Waits until every message sent is written to the stream, or dropped after a failure ({@link #failure}). */
  abstract void finish() throws InterruptedIOException;

  /** Stops what {@link #finish} would have waited for, if it was not reached. */
  @Override
  public abstract void close();

  /** The first write that failed, or null. */
  final @Nullable IOException failure() {
    return failure;
  }

  /** Writes one message's line, and flushes the stream when asked, or keeps the failure. */
  final void writeLine(Message message, boolean flush) {
    try {
      out.write(message.value());
      out.write('\n');
      if (flush) {
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
