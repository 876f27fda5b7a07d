package io.segbuf.cli.replay;

import static io.segbuf.cli.replay.OutputLines.lines;
import static io.segbuf.cli.replay.OutputLines.message;
import static org.assertj.core.api.Assertions.assertThat;

import io.segbuf.cli.replay.OutputLines.FailingStream;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

class ThreadedOutputSinkTest {

  @Test
  void messagesAreAcknowledgedOnHandOverAndEncodedAndWrittenInOrderOnTheSinksThread() throws InterruptedIOException {
    FailingStream out = new FailingStream(Integer.MAX_VALUE);
    Set<String> encodedOn = ConcurrentHashMap.newKeySet();
    List<String> sent = new ArrayList<>();
    try (OutputSink sink = ThreadedOutputSink.start(out)) {
      for (int i = 0; i < 600; i++) { // over two batches
        String line = "{\"n\":" + i + "}";
        sent.add(line);
        assertThat(sink.send(message(line, () -> {
          encodedOn.add(Thread.currentThread().getName());
          return line.getBytes(StandardCharsets.UTF_8);
        })).toCompletableFuture()).isCompleted();
      }
      sink.finish();
      assertThat(sink.failure()).isNull();
    }
    assertThat(lines(out.written)).isEqualTo(sent);
    assertThat(encodedOn).containsExactly("segbuf-write");
  }

  @Test
  void aMessageIsAcknowledgedBeforeItIsWritten() throws InterruptedIOException {
    FailingStream out = new FailingStream(Integer.MAX_VALUE);
    try (OutputSink sink = ThreadedOutputSink.start(out)) {
      assertThat(sink.send(message("one")).toCompletableFuture()).isCompleted();
      // a batch short of full is handed over by finish only
      assertThat(lines(out.written)).isEmpty();
      sink.finish();
    }
    assertThat(lines(out.written)).containsExactly("one");
  }

  @Test
  void whatIsHandedOverAfterAFailureIsDroppedAndTheFirstFailureKept() throws InterruptedIOException {
    FailingStream out = new FailingStream(1);
    try (OutputSink sink = ThreadedOutputSink.start(out)) {
      for (String line : List.of("one", "two", "three")) {
        assertThat(sink.send(message(line)).toCompletableFuture()).isCompleted();
      }
      sink.finish();
      assertThat(sink.failure()).isSameAs(FailingStream.FAILURE);
    }
    assertThat(lines(out.written)).containsExactly("one");
    assertThat(out.refusedWrites).as("writes tried after the failure").isOne();
  }
}
