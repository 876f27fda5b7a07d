package io.segbuf.cli.replay;

import io.segbuf.Message;
import io.segbuf.spi.SegmentSink;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * Writes each message's value as one line; acknowledged once the stream is flushed, so that the line is the operating
 * system's: a store kept elsewhere (Redis) records a completion once its messages are acknowledged and may send it
 * before the replay ends, and a replay killed then and started again finds those spans flushed (duplicates) and writes
 * them no more. The first write failure is kept, so the replay can stop and report it.
 */
final class OutputSink implements SegmentSink {
  private final OutputStream out;
  private volatile @Nullable IOException failure;

  OutputSink(OutputStream out) {
    this.out = out;
  }

  @Override
  public CompletionStage<?> send(Message message) {
    try {
      out.write(message.value());
      out.write('\n');
      out.flush();
      return CompletableFuture.completedFuture(null);
    } catch (IOException e) {
      if (failure == null) {
        failure = e;
      }
      return CompletableFuture.failedFuture(e);
    }
  }

  /** The first write that failed, or null. */
  @Nullable IOException failure() {
    return failure;
  }
}
