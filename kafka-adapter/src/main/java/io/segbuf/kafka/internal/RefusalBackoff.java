package io.segbuf.kafka.internal;

/**
 * A partition's batch (or its shard's takeover) that the store refused: how many times in a row, and when to read it
 * (or take it over) again. Nothing is acknowledged that is not stored (docs/design.md §7), so the batch is read again,
 * after a wait that doubles from {@value #FIRST_DELAY_MILLIS} ms up to {@value #MAX_DELAY_MILLIS} ms so that a store
 * down is not hammered. Loop thread only.
 */
public final class RefusalBackoff {
  static final long FIRST_DELAY_MILLIS = 100;
  static final long MAX_DELAY_MILLIS = 10_000;

  private int refusals;
  private long retryAtMillis;

  /** The store refused the batch at {@code nowMillis}: the back-off grows. Returns the refusals in a row. */
  public int refused(long nowMillis) {
    refusals++;
    // Shifted by 16 at most: past that the delay is at its maximum anyway, and a larger shift would overflow.
    long delay = Math.min(MAX_DELAY_MILLIS, FIRST_DELAY_MILLIS << Math.min(refusals - 1, 16));
    retryAtMillis = nowMillis + delay;
    return refusals;
  }

  /** Refusals of the current batch in a row; 0 once the store took it. */
  public int refusals() {
    return refusals;
  }

  /** Whether the batch must not be read again yet at {@code nowMillis}. */
  public boolean waiting(long nowMillis) {
    return retryAtMillis > nowMillis;
  }

  /** The store took the batch: the next refusal starts from the first delay. */
  public void taken() {
    refusals = 0;
    retryAtMillis = 0;
  }
}
