package io.segbuf.cli.generate;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * One run of a {@link SpanGenerator}: interleaves up to {@code concurrentTraces} planned traces,
 * assigns {@code received} from an event-time clock at emission, and emits late spans once the clock
 * has passed their due time. Not thread-safe.
 *
 * <p>The clock advances by an exponential step per span (mean {@code 1 / (tracesPerSecond *
 * spansPerTrace)} seconds), so traces arrive at about {@code tracesPerSecond}; {@code received} is
 * non-decreasing over the output. A trace is planned when it becomes active and ends shortly before
 * the clock, so every span's {@code end_timestamp} is at most its {@code received}.
 */
final class Emission implements Iterator<byte[]> {

  /**
   * Most late spans held back at once; beyond it the clock jumps to the earliest due time, which
   * keeps memory bounded whatever {@code late} and {@code lateSeconds} are.
   */
  static final int MAX_PENDING_LATE = 1 << 16;

  private record LateSpan(PlannedSpan span, long dueMicros, long sequence) {}

  private final GeneratorOptions options;
  private final SplittableRandom schedule;
  private final TracePlanner planner;
  private final SpanRenderer renderer;
  private final List<PlannedTrace> active = new ArrayList<>();
  private final PriorityQueue<LateSpan> pendingLate =
      new PriorityQueue<>(
          Comparator.comparingLong(LateSpan::dueMicros).thenComparingLong(LateSpan::sequence));
  private final double meanStepMicros;
  private long clockMicros;
  private int tracesPlanned;
  private long lateSequence;
  private long remaining;

  Emission(GeneratorOptions options) {
    this.options = options;
    SplittableRandom root = new SplittableRandom(options.seed());
    this.planner = new TracePlanner(options, root.split());
    this.schedule = root.split();
    this.renderer = new SpanRenderer(options.unicode());
    this.meanStepMicros = 1e6 / (options.tracesPerSecond() * options.spansPerTrace());
    this.clockMicros = options.startEpochSeconds() * 1_000_000 + TracePlanner.MAX_TRACE_LEAD_MICROS;
    this.remaining = options.totalSpans();
  }

  @Override
  public boolean hasNext() {
    return remaining > 0;
  }

  @Override
  public byte[] next() {
    if (remaining <= 0) {
      throw new NoSuchElementException();
    }
    remaining--;
    clockMicros += Math.round(-Math.log(1 - schedule.nextDouble()) * meanStepMicros);
    activate();
    LateSpan late = pendingLate.peek();
    if (late != null
        && (late.dueMicros() <= clockMicros
            || active.isEmpty()
            || pendingLate.size() > MAX_PENDING_LATE)) {
      pendingLate.remove();
      clockMicros = Math.max(clockMicros, late.dueMicros());
      return renderer.render(late.span(), clockMicros);
    }
    int slot = schedule.nextInt(active.size());
    PlannedTrace trace = active.get(slot);
    byte[] line = renderer.render(trace.next(), clockMicros);
    if (!trace.hasNext()) {
      complete(trace);
      active.set(slot, active.get(active.size() - 1));
      active.remove(active.size() - 1);
    }
    return line;
  }

  private void activate() {
    while (active.size() < options.concurrentTraces() && tracesPlanned < options.traces()) {
      active.add(planner.plan(clockMicros));
      tracesPlanned++;
    }
  }

  /** Schedules a finished trace's late spans more than {@code lateSeconds} after its last span. */
  private void complete(PlannedTrace trace) {
    for (PlannedSpan span : trace.late()) {
      long due =
          clockMicros
              + options.lateSeconds() * 1_000_000
              + 1
              + schedule.nextLong(1_000_000);
      pendingLate.add(new LateSpan(span, due, lateSequence++));
    }
  }
}
