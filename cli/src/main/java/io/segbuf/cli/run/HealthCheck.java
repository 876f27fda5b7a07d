package io.segbuf.cli.run;

import io.segbuf.kafka.ConsumerHealth;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Liveness and readiness of {@code segbuf run}. Live: the poll loop returned from a poll, and every flusher
 * thread started a round, within {@code stuckAfter} (counted from the start before the first). Ready: live, owns
 * partitions, and the store and Kafka each answer a probe within {@code probeTimeout}. Thread-safe.
 */
final class HealthCheck {
  /** A check's verdict, with a reason in the operator's words. */
  record Status(boolean ok, String detail) {
    static final Status OK = new Status(true, "ok");
  }

  /** A question to a dependency that answers, or throws why not. */
  interface Probe {
    void ask() throws Exception;
  }

  private final Supplier<ConsumerHealth> consumer;
  private final Probe store;
  private final Probe kafka;
  private final ExecutorService probes;
  private final Clock clock;
  private final Instant started;
  private final Duration stuckAfter;
  private final Duration probeTimeout;

  HealthCheck(Supplier<ConsumerHealth> consumer, Probe store, Probe kafka, ExecutorService probes, Clock clock,
      Duration stuckAfter, Duration probeTimeout) {
    this.consumer = consumer;
    this.store = store;
    this.kafka = kafka;
    this.probes = probes;
    this.clock = clock;
    this.started = clock.instant();
    this.stuckAfter = stuckAfter;
    this.probeTimeout = probeTimeout;
  }

  Status liveness() {
    ConsumerHealth health = consumer.get();
    Status poll = recent("the poll loop", health.lastPoll());
    return poll.ok() ? recent("a flusher thread", health.oldestFlusherBeat()) : poll;
  }

  Status readiness() {
    Status live = liveness();
    if (!live.ok()) {
      return live;
    }
    if (consumer.get().assignedPartitions() == 0) {
      return new Status(false, "no partitions assigned yet");
    }
    Status store = ask(this.store, probes, probeTimeout);
    if (!store.ok()) {
      return new Status(false, "the store does not answer: " + store.detail());
    }
    Status cluster = ask(kafka, probes, probeTimeout);
    return cluster.ok() ? Status.OK : new Status(false, "Kafka does not answer: " + cluster.detail());
  }

  private Status recent(String what, @Nullable Instant last) {
    Instant since = last != null ? last : started;
    Duration quiet = Duration.between(since, clock.instant());
    if (quiet.compareTo(stuckAfter) <= 0) {
      return Status.OK;
    }
    return new Status(false, what + " has shown no progress for " + seconds(quiet) + " (limit "
        + seconds(stuckAfter) + ")");
  }

  /**
   * Asks {@code probe} on one of the {@code probes} threads, waiting at most {@code timeout}; a failure's detail is
   * why, in the operator's words.
   */
  static Status ask(Probe probe, ExecutorService probes, Duration timeout) {
    Callable<Void> question = () -> {
      probe.ask();
      return null;
    };
    Future<Void> answer = probes.submit(question);
    try {
      answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return Status.OK;
    } catch (TimeoutException e) {
      answer.cancel(true);
      return new Status(false, "no answer within " + seconds(timeout));
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      return new Status(false, Failures.describe(cause));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Status(false, "interrupted");
    }
  }

  static String seconds(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() / 1000.0 + " s";
  }
}
