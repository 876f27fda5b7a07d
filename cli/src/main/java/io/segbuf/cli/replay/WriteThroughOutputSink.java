package io.segbuf.cli.replay;

import io.segbuf.Message;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The output of a replay over a store kept elsewhere (Redis): a message is acknowledged only once written and the
 * stream flushed, on the sending thread. Such a store records a completion once its messages are acknowledged and may
 * send it before the replay ends, and a replay killed then and started again finds those spans flushed (duplicates)
 * and writes them no more, so they must be out of the process by then. After a failure nothing more is written.
 */
final class WriteThroughOutputSink extends OutputSink {

  WriteThroughOutputSink(OutputStream out) {
    super(out);
  }

  @Override
  public CompletionStage<?> send(Message message) {
    if (failure() == null) {
      writeLine(message, true);
    }
    IOException failed = failure();
    return failed == null ? ACKNOWLEDGED : CompletableFuture.failedFuture(failed);
  }

  /** Returns at once: every message was written when it was sent. */
  @Override
  void finish() {}

  /** Nothing to stop: the sink has no thread of its own. */
  @Override
  public void close() {}
}
