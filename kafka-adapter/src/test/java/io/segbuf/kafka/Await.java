package io.segbuf.kafka;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Polls a condition until a deadline, for asynchronous results; fails with a description when it never holds.
 * Shipped in kafka-adapter's test-jar for the cli's integration tests.
 */
public final class Await {
  private static final long POLL_MILLIS = 20;

  private Await() {}

  public static void until(String what, Duration timeout, BooleanSupplier condition) {
    until(what, timeout, condition, () -> "");
  }

  public static void until(String what, Duration timeout, BooleanSupplier condition, Supplier<String> state) {
    // counts its polling intervals instead of reading the clock: the wait lasts at least the timeout
    for (long waited = 0; !condition.getAsBoolean(); waited += POLL_MILLIS) {
      if (waited > timeout.toMillis()) {
        throw new AssertionError("timed out after " + timeout + " waiting for " + what + " " + state.get());
      }
      try {
        Thread.sleep(POLL_MILLIS); // a polling interval, not a wait for a timeout
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }
  }
}
