package io.segbuf.cli.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.segbuf.cli.replay.OutputLines.FailingStream;
import org.junit.jupiter.api.Test;

class OutputSinkTest {

  @Test
  void aStoreInMemoryGetsTheThreadedSinkAndAStoreKeptElsewhereTheWriteThroughSink() {
    try (OutputSink memory = OutputSink.over("MEMORY", new FailingStream(0));
        OutputSink redis = OutputSink.over("redis://127.0.0.1:6379", new FailingStream(0))) {
      assertThat(memory).isInstanceOf(ThreadedOutputSink.class);
      assertThat(redis).isInstanceOf(WriteThroughOutputSink.class);
    }
  }
}
