package io.segbuf.cli.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressTest {
  private final StringWriter err = new StringWriter();
  private final AtomicLong nanos = new AtomicLong(1_000);

  @Test
  void aFileInputShowsTheShareReadAndTheTimeLeftAtTheRateSoFar() {
    Progress progress = new Progress(new PrintWriter(err, true), true, 40_000_000, nanos::get);
    nanos.addAndGet(10_000_000_000L);
    progress.update(16_384, 10_000_000);
    assertThat(err.toString()).contains("16,384 lines, 10.0 MB of 40.0 MB (25%), about 30 s left, 1,638 lines/s");
  }

  @Test
  void standardInputShowsNoShareOrEstimate() {
    Progress progress = new Progress(new PrintWriter(err, true), true, -1, nanos::get);
    nanos.addAndGet(2_000_000_000L);
    progress.update(16_384, 10_000_000);
    assertThat(err.toString()).contains("16,384 lines, 10.0 MB, 8,192 lines/s").doesNotContain("left", "%");
  }

  @Test
  void durationsReadAsHoursMinutesAndSeconds() {
    assertThat(Progress.duration(42)).isEqualTo("42 s");
    assertThat(Progress.duration(185)).isEqualTo("3 min 5 s");
    assertThat(Progress.duration(7_620)).isEqualTo("2 h 7 min");
  }
}
