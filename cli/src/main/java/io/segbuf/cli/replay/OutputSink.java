package io.segbuf.cli.replay;

import io.segbuf.Message;
import io.segbuf.SegmentSink;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Writes each message's value as one line; acknowledged once written to the stream's buffer. */
final class OutputSink implements SegmentSink {
  private final OutputStream out;

  OutputSink(OutputStream out) {
    this.out = out;
  }

  @Override
  public CompletionStage<?> send(Message message) {
    try {
      out.write(message.value());
      out.write('\n');
      return CompletableFuture.completedFuture(null);
    } catch (IOException e) {
      return CompletableFuture.failedFuture(e);
    }
  }
}
