package io.segbuf;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * When a segment is due, in event time (docs/design.md §3): {@link #rootTimeout} after the last insert once the root
 * has arrived, {@link #timeout} after it while the root is missing, at the latest {@link #maxLifetime} after the
 * first insert (when set), and at once when the buffered bytes reach {@link #maxSegmentBytes}.
 *
 * @param timeout inactivity timeout while the root is missing
 * @param rootTimeout inactivity timeout once the root has arrived
 * @param maxLifetime hard limit from the first insert, or null for none
 * @param maxSegmentBytes buffered (uncompressed) span bytes at which a segment is due at once
 */
public record FlushPolicy(
    Duration timeout, Duration rootTimeout, @Nullable Duration maxLifetime, long maxSegmentBytes) {

  /** Sentry's inactivity timeout while the root is missing. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
  /** Sentry's inactivity timeout once the root has arrived. */
  public static final Duration DEFAULT_ROOT_TIMEOUT = Duration.ofSeconds(10);
  /** Sentry's segment size limit, 10 MiB. */
  public static final long DEFAULT_MAX_SEGMENT_BYTES = 10L * 1024 * 1024;

  /**
   * Checks every rule and reports all problems at once.
   *
   * @param timeout inactivity timeout while the root is missing
   * @param rootTimeout inactivity timeout once the root has arrived
   * @param maxLifetime hard limit from the first insert, or null for none
   * @param maxSegmentBytes buffered (uncompressed) span bytes at which a segment is due at once
   */
  public FlushPolicy {
    List<ConfigProblem> problems = new ArrayList<>();
    positive("timeout", timeout, problems);
    positive("rootTimeout", rootTimeout, problems);
    if (maxLifetime != null) {
      positive("maxLifetime", maxLifetime, problems);
    }
    if (maxSegmentBytes < 1) {
      problems.add(new ConfigProblem("maxSegmentBytes", "be >= 1", maxSegmentBytes));
    }
    ConfigException.throwIfAny(problems);
  }

  /** {@return Sentry's defaults: 60 s, 10 s, no max lifetime, 10 MiB} */
  public static FlushPolicy defaults() {
    return new FlushPolicy(DEFAULT_TIMEOUT, DEFAULT_ROOT_TIMEOUT, null, DEFAULT_MAX_SEGMENT_BYTES);
  }

  /**
   * The deadline of a segment.
   *
   * @param firstInsertMillis event time of the first insert of the segment's open generation, epoch millis
   * @param lastInsertMillis event time of the latest insert, epoch millis
   * @param hasRoot whether the segment's root has arrived
   * @param bytes the segment's buffered bytes
   * @return when the segment is due, and why
   */
  public Deadline deadline(long firstInsertMillis, long lastInsertMillis, boolean hasRoot, long bytes) {
    if (bytes >= maxSegmentBytes) {
      return new Deadline(lastInsertMillis, FlushReason.SIZE);
    }
    long idle = plus(lastInsertMillis, (hasRoot ? rootTimeout : timeout).toMillis());
    if (maxLifetime != null) {
      long lifetime = plus(firstInsertMillis, maxLifetime.toMillis());
      if (lifetime < idle) {
        return new Deadline(lifetime, FlushReason.MAX_LIFETIME);
      }
    }
    return new Deadline(idle, hasRoot ? FlushReason.ROOT_TIMEOUT : FlushReason.IDLE_TIMEOUT);
  }

  /** Adds without overflow: event times from spans can be anything. */
  private static long plus(long millis, long delta) {
    long sum = millis + delta;
    return ((millis ^ sum) & (delta ^ sum)) < 0 ? Long.MAX_VALUE : sum;
  }

  private static void positive(String name, Duration value, List<ConfigProblem> problems) {
    if (value.isNegative() || value.isZero()) {
      problems.add(new ConfigProblem(name, "be > 0", value));
    }
  }

  /**
   * When a segment is due and why.
   *
   * @param atMillis event time, epoch millis; the segment is due when {@code now >= atMillis}
   * @param reason the rule that set it
   */
  public record Deadline(long atMillis, FlushReason reason) {}
}
