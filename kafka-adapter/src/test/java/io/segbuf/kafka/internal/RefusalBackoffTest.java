package io.segbuf.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RefusalBackoffTest {
  private static final long NOW = 1_700_000_000_000L;

  /** How long after {@code now} the batch waits: the first instant at which it no longer does. */
  private static long wait(RefusalBackoff backoff, long now) {
    long waited = 0;
    while (backoff.waiting(now + waited)) {
      waited++;
    }
    return waited;
  }

  @Test
  void theWaitDoublesFromTheFirstDelayUpToTheMaximum() {
    RefusalBackoff backoff = new RefusalBackoff();
    assertThat(backoff.waiting(NOW)).isFalse();
    long[] expected = {100, 200, 400, 800, 1600, 3200, 6400, 10_000, 10_000};
    for (int i = 0; i < expected.length; i++) {
      assertThat(backoff.refused(NOW)).isEqualTo(i + 1);
      assertThat(wait(backoff, NOW)).as("wait after refusal %d", i + 1).isEqualTo(expected[i]);
    }
  }

  @Test
  void manyRefusalsInARowWaitTheMaximumWithoutOverflowing() {
    RefusalBackoff backoff = new RefusalBackoff();
    for (int i = 0; i < 100; i++) {
      backoff.refused(NOW);
    }
    assertThat(backoff.refusals()).isEqualTo(100);
    assertThat(wait(backoff, NOW)).isEqualTo(RefusalBackoff.MAX_DELAY_MILLIS);
  }

  @Test
  void aBatchTakenEndsTheWaitAndTheNextRefusalStartsAtTheFirstDelay() {
    RefusalBackoff backoff = new RefusalBackoff();
    backoff.refused(NOW);
    backoff.refused(NOW);
    backoff.taken();
    assertThat(backoff.refusals()).isZero();
    assertThat(backoff.waiting(NOW)).isFalse();
    backoff.refused(NOW);
    assertThat(wait(backoff, NOW)).isEqualTo(RefusalBackoff.FIRST_DELAY_MILLIS);
  }
}
