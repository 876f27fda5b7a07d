package io.segbuf.cli.replay;

import static io.segbuf.cli.replay.OutputLines.lines;
import static io.segbuf.cli.replay.OutputLines.message;
import static org.assertj.core.api.Assertions.assertThat;

import io.segbuf.cli.replay.OutputLines.FailingStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class WriteThroughOutputSinkTest {

  @Test
  void eachMessageIsWrittenAndFlushedOnTheSendingThreadBeforeItIsAcknowledged() {
    FailingStream out = new FailingStream(Integer.MAX_VALUE);
    List<String> encodedOn = new ArrayList<>();
    try (WriteThroughOutputSink sink = new WriteThroughOutputSink(out)) {
      for (String line : List.of("{\"a\":1}", "{\"b\":2}")) {
        CompletionStage<?> ack = sink.send(message(line, () -> {
          encodedOn.add(Thread.currentThread().getName());
          return line.getBytes(StandardCharsets.UTF_8);
        }));
        assertThat(ack.toCompletableFuture()).isCompleted();
        assertThat(lines(out.written)).endsWith(line);
        assertThat(out.flushes).isEqualTo(lines(out.written).size());
      }
      sink.finish();
      assertThat(sink.failure()).isNull();
    }
    assertThat(encodedOn).containsOnly(Thread.currentThread().getName()).hasSize(2);
  }

  @Test
  void afterAWriteFailureEverySendFailsWithItAndNothingMoreIsWritten() {
    FailingStream out = new FailingStream(1);
    try (WriteThroughOutputSink sink = new WriteThroughOutputSink(out)) {
      assertThat(sink.send(message("one")).toCompletableFuture()).isCompleted();
      for (String line : List.of("two", "three")) {
        assertThat(sink.send(message(line)).toCompletableFuture()).isCompletedExceptionally()
            .failsWithin(Duration.ZERO).withThrowableOfType(ExecutionException.class)
            .havingCause().isSameAs(FailingStream.FAILURE);
      }
      assertThat(sink.failure()).isSameAs(FailingStream.FAILURE);
    }
    assertThat(lines(out.written)).containsExactly("one");
    assertThat(out.refusedWrites).as("writes tried after the failure").isOne();
  }

  @Test
  void aMessageThatCannotBeEncodedFailsLikeAWrite() {
    FailingStream out = new FailingStream(Integer.MAX_VALUE);
    try (WriteThroughOutputSink sink = new WriteThroughOutputSink(out)) {
      assertThat(sink.send(OutputLines.unencodable()).toCompletableFuture()).isCompletedExceptionally();
      IOException failure = sink.failure();
      assertThat(failure).hasMessageStartingWith("cannot encode Message{")
          .hasCauseInstanceOf(IllegalStateException.class);
      assertThat(sink.send(message("after")).toCompletableFuture()).isCompletedExceptionally();
    }
    assertThat(lines(out.written)).isEmpty();
  }
}
