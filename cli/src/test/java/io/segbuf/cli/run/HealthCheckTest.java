package io.segbuf.cli.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.segbuf.kafka.ConsumerHealth;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HealthCheckTest {
  private static final Instant START = Instant.parse("2026-12-01T12:00:00Z");
  private static final Duration STUCK_AFTER = Duration.ofSeconds(60);

  @TempDir Path dir;
  private final ExecutorService probes = Executors.newCachedThreadPool();
  private final MutableClock clock = new MutableClock();
  private final AtomicReference<ConsumerHealth> consumer =
      new AtomicReference<>(new ConsumerHealth(0, null, null));
  private HealthCheck.Probe store = () -> { };
  private HealthCheck.Probe kafka = () -> { };
  private final HealthCheck health = new HealthCheck(consumer::get, () -> store.ask(), () -> kafka.ask(), probes,
      clock, STUCK_AFTER, Duration.ofSeconds(5));

  @AfterEach
  void stopProbes() {
    probes.shutdownNow();
  }

  @Test
  void liveUntilThePollLoopShowsNoProgressForTheLimit() {
    assertThat(health.liveness().ok()).as("starting").isTrue();
    clock.now = START.plusSeconds(61);
    assertThat(health.liveness()).isEqualTo(new HealthCheck.Status(false,
        "the poll loop has shown no progress for 61 s (limit 60 s)"));

    consumer.set(new ConsumerHealth(1, START.plusSeconds(60), START.plusSeconds(61)));
    assertThat(health.liveness().ok()).isTrue();
  }

  @Test
  void aStuckFlusherMakesItNotLive() {
    consumer.set(new ConsumerHealth(1, START.plusSeconds(100), START.plusSeconds(30)));
    clock.now = START.plusSeconds(100);
    assertThat(health.liveness()).isEqualTo(new HealthCheck.Status(false,
        "a flusher thread has shown no progress for 70 s (limit 60 s)"));
  }

  @Test
  void readyOnceItOwnsPartitionsAndTheStoreAndKafkaAnswer() {
    consumer.set(new ConsumerHealth(0, START, START));
    assertThat(health.readiness()).isEqualTo(new HealthCheck.Status(false, "no partitions assigned yet"));

    consumer.set(new ConsumerHealth(2, START, START));
    assertThat(health.readiness()).isEqualTo(HealthCheck.Status.OK);

    store = () -> {
      throw new IllegalStateException("Unable to connect to localhost:6379",
          new java.net.ConnectException("Connection refused"));
    };
    assertThat(health.readiness()).isEqualTo(new HealthCheck.Status(false,
        "the store does not answer: Unable to connect to localhost:6379: Connection refused"));

    store = () -> { };
    kafka = () -> {
      throw new org.apache.kafka.common.errors.TimeoutException("Timed out waiting for a node assignment.");
    };
    assertThat(health.readiness()).isEqualTo(new HealthCheck.Status(false,
        "Kafka does not answer: Timed out waiting for a node assignment."));
  }

  @Test
  void aProbeThatDoesNotReturnFailsAtItsTimeout() throws InterruptedException {
    CountDownLatch never = new CountDownLatch(1);
    HealthCheck.Status status = HealthCheck.ask(never::await, probes, Duration.ofMillis(1));
    assertThat(status).isEqualTo(new HealthCheck.Status(false, "no answer within 0.001 s"));
  }

  @Test
  void theHealthFileIsTouchedOnlyWhileLive() throws IOException {
    Path file = dir.resolve("healthy");
    HealthFile healthFile = new HealthFile(file, health, clock);
    healthFile.touch();
    assertThat(Files.getLastModifiedTime(file).toInstant()).isEqualTo(START);

    clock.now = START.plusSeconds(61);
    healthFile.touch();
    assertThat(Files.getLastModifiedTime(file).toInstant()).as("stale: not live").isEqualTo(START);

    consumer.set(new ConsumerHealth(1, START.plusSeconds(61), START.plusSeconds(61)));
    healthFile.touch();
    assertThat(Files.getLastModifiedTime(file).toInstant()).isEqualTo(START.plusSeconds(61));
  }

  private static final class MutableClock extends Clock {
    volatile Instant now = START;

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
