package io.segbuf;

import io.segbuf.spi.SegmentSink;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * A sink for tests: records every message it acknowledges, and answers each send as {@link #answer} says (by
 * default: acknowledged at once). Shipped in core's test-jar.
 */
public final class RecordingSink implements SegmentSink {
  private final List<Message> acknowledged = new ArrayList<>();
  private final List<Message> attempted = new ArrayList<>();
  private Function<Message, CompletionStage<?>> answer = m -> CompletableFuture.completedFuture(null);

  /** How the sink answers from now on; acknowledged messages are the ones whose stage completes normally. */
  public synchronized RecordingSink answer(Function<Message, CompletionStage<?>> answer) {
    this.answer = answer;
    return this;
  }

  @Override
  public synchronized CompletionStage<?> send(Message message) {
    attempted.add(message);
    CompletionStage<?> stage = answer.apply(message);
    stage.thenRun(() -> record(message));
    return stage;
  }

  private synchronized void record(Message message) {
    acknowledged.add(message);
  }

  public synchronized List<Message> acknowledged() {
    return new ArrayList<>(acknowledged);
  }

  public synchronized List<Message> attempted() {
    return new ArrayList<>(attempted);
  }

  public synchronized void clear() {
    acknowledged.clear();
    attempted.clear();
  }
}
