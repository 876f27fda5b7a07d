package io.segbuf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.segbuf.FlushPolicy.Deadline;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** When a segment is due, at each rule's boundary, and the checks of the policy itself. */
class FlushPolicyTest {
  private static final long T = 1_700_000_000_000L;
  private static final FlushPolicy POLICY =
      new FlushPolicy(Duration.ofSeconds(60), Duration.ofSeconds(10), Duration.ofSeconds(100), 1_000);

  @Test
  void defaultsAreSentrys() {
    assertThat(FlushPolicy.defaults())
        .isEqualTo(new FlushPolicy(Duration.ofSeconds(60), Duration.ofSeconds(10), null, 10L * 1024 * 1024));
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    assertThatThrownBy(() -> new FlushPolicy(Duration.ZERO, Duration.ofSeconds(-1), Duration.ofMillis(-5), 0))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.messages()).containsExactly(
            "timeout must be > 0 but was PT0S",
            "rootTimeout must be > 0 but was PT-1S",
            "maxLifetime must be > 0 but was PT-0.005S",
            "maxSegmentBytes must be >= 1 but was 0"));
    assertThatThrownBy(() -> new FlushPolicy(Duration.ofSeconds(1), Duration.ZERO, null, 1))
        .isInstanceOfSatisfying(ConfigException.class,
            e -> assertThat(e.messages()).containsExactly("rootTimeout must be > 0 but was PT0S"));
    assertThatThrownBy(() -> new FlushPolicy(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ZERO, 1))
        .isInstanceOfSatisfying(ConfigException.class,
            e -> assertThat(e.messages()).containsExactly("maxLifetime must be > 0 but was PT0S"));
  }

  @Test
  void theSmallestPolicyIsValid() {
    FlushPolicy smallest = new FlushPolicy(Duration.ofNanos(1), Duration.ofNanos(1), Duration.ofNanos(1), 1);
    assertThat(smallest.maxSegmentBytes()).isEqualTo(1);
    assertThat(new FlushPolicy(Duration.ofNanos(1), Duration.ofNanos(1), null, 1).maxLifetime()).isNull();
  }

  @Test
  void aSegmentIsDueAtOnceWhenItsBytesReachTheLimit() {
    assertThat(POLICY.deadline(T, T + 5, true, 1_000)).isEqualTo(new Deadline(T + 5, FlushReason.SIZE));
    assertThat(POLICY.deadline(T, T + 5, false, 5_000)).isEqualTo(new Deadline(T + 5, FlushReason.SIZE));
    assertThat(POLICY.deadline(T, T + 5, true, 999)).isEqualTo(new Deadline(T + 10_005, FlushReason.ROOT_TIMEOUT));
  }

  @Test
  void theRootChoosesTheInactivityTimeout() {
    assertThat(POLICY.deadline(T, T + 5, true, 1)).isEqualTo(new Deadline(T + 10_005, FlushReason.ROOT_TIMEOUT));
    assertThat(POLICY.deadline(T, T + 5, false, 1)).isEqualTo(new Deadline(T + 60_005, FlushReason.IDLE_TIMEOUT));
  }

  @Test
  void theMaxLifetimeWinsOnlyWhenItIsEarlier() {
    // first insert at T: the lifetime ends at T + 100 s
    assertThat(POLICY.deadline(T, T + 89_999, true, 1)).isEqualTo(new Deadline(T + 99_999, FlushReason.ROOT_TIMEOUT));
    assertThat(POLICY.deadline(T, T + 90_000, true, 1)).isEqualTo(new Deadline(T + 100_000, FlushReason.ROOT_TIMEOUT));
    assertThat(POLICY.deadline(T, T + 90_001, true, 1)).isEqualTo(new Deadline(T + 100_000, FlushReason.MAX_LIFETIME));
    assertThat(POLICY.deadline(T, T + 50_000, false, 1)).isEqualTo(new Deadline(T + 100_000, FlushReason.MAX_LIFETIME));
    FlushPolicy noLifetime = new FlushPolicy(Duration.ofSeconds(60), Duration.ofSeconds(10), null, 1_000);
    assertThat(noLifetime.deadline(T, T + 1_000_000, true, 1))
        .isEqualTo(new Deadline(T + 1_010_000, FlushReason.ROOT_TIMEOUT));
  }

  @Test
  void smallAndNegativeEventTimesAddExactly() {
    FlushPolicy millis = new FlushPolicy(Duration.ofMillis(2), Duration.ofMillis(2), Duration.ofMillis(6), 1_000);
    assertThat(millis.deadline(0, 1, true, 1)).isEqualTo(new Deadline(3, FlushReason.ROOT_TIMEOUT));
    assertThat(millis.deadline(-10, -10, false, 1)).isEqualTo(new Deadline(-8, FlushReason.IDLE_TIMEOUT));
    assertThat(millis.deadline(-10, -5, false, 1)).isEqualTo(new Deadline(-4, FlushReason.MAX_LIFETIME));
  }

  @Test
  void eventTimesNearTheEndOfTimeSaturateInsteadOfWrappingIntoThePast() {
    long end = Long.MAX_VALUE - 1_000;
    assertThat(POLICY.deadline(end, end, true, 1)).isEqualTo(new Deadline(Long.MAX_VALUE, FlushReason.ROOT_TIMEOUT));
    assertThat(POLICY.deadline(end, end, false, 1)).isEqualTo(new Deadline(Long.MAX_VALUE, FlushReason.IDLE_TIMEOUT));
    // the lifetime overflows, the inactivity timeout does not
    assertThat(POLICY.deadline(end, Long.MAX_VALUE - 20_000, true, 1))
        .isEqualTo(new Deadline(Long.MAX_VALUE - 10_000, FlushReason.ROOT_TIMEOUT));
    assertThat(POLICY.deadline(Long.MIN_VALUE, Long.MIN_VALUE, true, 1))
        .isEqualTo(new Deadline(Long.MIN_VALUE + 10_000, FlushReason.ROOT_TIMEOUT));
  }
}
