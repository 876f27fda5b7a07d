package io.segbuf.spi;

import io.segbuf.Message;
import io.segbuf.Outcome;
import io.segbuf.SpanBuffer;
import java.util.concurrent.CompletionStage;

/**
 * The SPI for flushed messages (docs/design.md §5): sends each {@link Message} and completes its stage when the
 * message is acknowledged. A stage that fails with {@link RejectedMessageException} means the message can never
 * be accepted: its spans get a {@link Outcome.Rejected} and it is not retried. Any other failure (or an
 * exception thrown by {@link #send}) is retriable: the segment stays sealed and is flushed again with the same
 * flush ids.
 *
 * <p>{@link SpanBuffer} sends the messages of a segment in chunk order from one thread.
 */
@FunctionalInterface
public interface SegmentSink {

  /**
   * Sends one message; the sink must not modify {@link Message#value()}.
   *
   * @param message the message to send
   * @return completes when the message is acknowledged, or exceptionally when it is not
   */
  CompletionStage<?> send(Message message);
}
