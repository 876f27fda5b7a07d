package io.segbuf.cli.generate;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Plans one trace: the tree, the timestamps, sizes, projects, which spans are late and the emission
 * order. Not thread-safe; one planner per generator run.
 *
 * <p>Tree: span 0 is the root (depth 0). Every later span picks its parent uniformly among the
 * earlier spans that are above the depth limit and have fewer than {@code fanOut} children. When no
 * such span is left (the tree is full), fan-out is relaxed: the parent is picked among the spans
 * above the depth limit, which always include the root. So the depth limit always holds, fan-out
 * holds whenever {@code spansPerTrace <= 1 + fanOut + fanOut^2 + ... + fanOut^depth}, and planning
 * is linear in the number of spans.
 */
final class TracePlanner {

  private static final long MIN_ROOT_MICROS = 2_000;
  private static final long MAX_ROOT_MICROS = 5_000_000;

  /** Longest time between a trace's end and its first span's {@code received}. */
  static final long MAX_INGEST_DELAY_MICROS = 500_000;

  /** How far event time must start before {@code received}, so that no timestamp is negative. */
  static final long MAX_TRACE_LEAD_MICROS = MAX_ROOT_MICROS + MAX_INGEST_DELAY_MICROS;

  private final GeneratorOptions options;
  private final SplittableRandom random;

  TracePlanner(GeneratorOptions options, SplittableRandom random) {
    this.options = options;
    this.random = random;
  }

  /** Plans a trace whose spans all end at or before {@code nowMicros}. */
  PlannedTrace plan(long nowMicros) {
    int n = options.spansPerTrace();
    long traceHigh = random.nextLong();
    long traceLow = random.nextLong();
    PlannedSpan[] spans = new PlannedSpan[n];

    long rootEnd = nowMicros - random.nextLong(MAX_INGEST_DELAY_MICROS + 1);
    long rootDuration =
        Math.round(
            Math.exp(
                random.nextDouble(Math.log(MIN_ROOT_MICROS), Math.log(MAX_ROOT_MICROS))));
    spans[0] =
        new PlannedSpan(
            traceHigh,
            traceLow,
            random.nextLong(),
            0,
            false,
            true,
            project(),
            rootEnd - rootDuration,
            rootEnd,
            SpanKind.segmentRoot(random),
            targetBytes(),
            random.nextLong());

    int[] depth = new int[n];
    int[] children = new int[n];
    // Spans that may take a child: above the depth limit and, for `open`, below the fan-out limit.
    int[] open = new int[n];
    int openCount = 0;
    int[] deep = new int[n];
    int deepCount = 0;
    open[openCount++] = 0;
    deep[deepCount++] = 0;

    for (int i = 1; i < n; i++) {
      int parentIndex;
      if (openCount > 0) {
        int slot = random.nextInt(openCount);
        parentIndex = open[slot];
        if (children[parentIndex] + 1 >= options.fanOut()) {
          open[slot] = open[--openCount];
        }
      } else {
        parentIndex = deep[random.nextInt(deepCount)];
      }
      children[parentIndex]++;
      depth[i] = depth[parentIndex] + 1;
      if (depth[i] < options.depth()) {
        deep[deepCount++] = i;
        open[openCount++] = i;
      }
      spans[i] = child(spans[parentIndex]);
    }
    return split(spans);
  }

  private PlannedSpan child(PlannedSpan parent) {
    boolean serviceEntry = random.nextDouble() < options.serviceEntries();
    long parentDuration = parent.endMicros() - parent.startMicros();
    long start = parent.startMicros() + (long) (random.nextDouble() * parentDuration);
    long end = start + (long) (random.nextDouble() * (parent.endMicros() - start));
    return new PlannedSpan(
        parent.traceIdHigh(),
        parent.traceIdLow(),
        random.nextLong(),
        parent.spanId(),
        true,
        serviceEntry,
        // A service entry is another service, which may report to another project.
        serviceEntry ? project() : parent.projectId(),
        start,
        end,
        serviceEntry ? SpanKind.segmentRoot(random) : SpanKind.child(random),
        targetBytes(),
        random.nextLong());
  }

  /** Orders the spans for emission and holds the late ones back. */
  private PlannedTrace split(PlannedSpan[] spans) {
    PlannedSpan[] order = spans.clone();
    if (random.nextDouble() < options.outOfOrder()) {
      for (int i = order.length - 1; i > 0; i--) {
        int j = random.nextInt(i + 1);
        PlannedSpan swap = order[i];
        order[i] = order[j];
        order[j] = swap;
      }
    }
    List<PlannedSpan> onTime = new ArrayList<>(order.length);
    List<PlannedSpan> late = new ArrayList<>();
    for (PlannedSpan span : order) {
      if (random.nextDouble() < options.late()) {
        late.add(span);
      } else {
        onTime.add(span);
      }
    }
    if (onTime.isEmpty()) {
      // Lateness is relative to the rest of the trace, so one span always stays on time.
      onTime.add(late.remove(0));
    }
    return new PlannedTrace(onTime.toArray(new PlannedSpan[0]), late);
  }

  private int project() {
    return 1 + random.nextInt(options.projects());
  }

  private int targetBytes() {
    return random.nextInt(options.minSpanBytes(), options.maxSpanBytes() + 1);
  }
}
