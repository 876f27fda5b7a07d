package io.segbuf.cli.generate;

import io.segbuf.ConfigException;
import io.segbuf.ConfigProblem;
import java.util.ArrayList;
import java.util.List;

/**
 * Immutable options of a {@link SpanGenerator}. Build with {@link #builder()} or start from {@link
 * #defaults()}; every problem is reported at once in one {@link ConfigException} whose
 * message reads like {@code traces must be >= 1 but was 0; late must be between 0 and 1 but was 2.0}.
 * Values are never clamped. Immutable and thread-safe.
 *
 * @param seed seed of the {@link java.util.SplittableRandom} that drives everything
 * @param traces number of traces
 * @param spansPerTrace spans in every trace (exact), root included
 * @param depth maximum tree depth; the root has depth 0, so {@code depth = 1} is a root with direct
 *     children only
 * @param fanOut maximum children per span; relaxed only once every span above the depth limit is
 *     full, so that any {@code spansPerTrace} can be placed
 * @param minSpanBytes smallest target size of one span's JSON (no newline)
 * @param maxSpanBytes largest target size of one span's JSON (no newline)
 * @param projects number of distinct project ids ({@code 1..projects})
 * @param outOfOrder fraction of traces whose spans are emitted in shuffled order instead of
 *     parent-before-child
 * @param late probability that a span is emitted late, more than {@code lateSeconds} after the rest
 *     of its trace (every trace keeps at least one span on time)
 * @param lateSeconds how late a late span is, at least
 * @param serviceEntries probability that a non-root span is a service entry: a segment root with a
 *     parent ({@code "is_segment":true})
 * @param concurrentTraces how many traces are interleaved in the output at once
 * @param startEpochSeconds event time of the first span, in seconds since the epoch
 * @param tracesPerSecond arrival rate of traces, which sets {@code received} and the timestamps
 * @param unicode whether some names and attribute values carry non-ASCII text
 */
public record GeneratorOptions(
    long seed,
    int traces,
    int spansPerTrace,
    int depth,
    int fanOut,
    int minSpanBytes,
    int maxSpanBytes,
    int projects,
    double outOfOrder,
    double late,
    long lateSeconds,
    double serviceEntries,
    int concurrentTraces,
    long startEpochSeconds,
    double tracesPerSecond,
    boolean unicode) {

  public static final long DEFAULT_SEED = 1;
  public static final int DEFAULT_TRACES = 100;
  public static final int DEFAULT_SPANS_PER_TRACE = 20;
  public static final int DEFAULT_DEPTH = 5;
  public static final int DEFAULT_FAN_OUT = 8;
  public static final int DEFAULT_MIN_SPAN_BYTES = 200;
  public static final int DEFAULT_MAX_SPAN_BYTES = 2048;
  public static final int DEFAULT_PROJECTS = 3;
  public static final double DEFAULT_OUT_OF_ORDER = 0.2;
  public static final double DEFAULT_LATE = 0.0;
  public static final long DEFAULT_LATE_SECONDS = 120;
  public static final double DEFAULT_SERVICE_ENTRIES = 0.05;
  public static final int DEFAULT_CONCURRENT_TRACES = 10;
  public static final long DEFAULT_START_EPOCH_SECONDS = 1_700_000_000L;
  public static final double DEFAULT_TRACES_PER_SECOND = 50;
  public static final boolean DEFAULT_UNICODE = true;

  /** Largest {@code spansPerTrace}: a trace is planned in memory before it is emitted. */
  public static final int MAX_SPANS_PER_TRACE = 1_000_000;

  /** Largest {@code maxSpanBytes} (16 MiB). */
  public static final int MAX_SPAN_BYTES_LIMIT = 16 * 1024 * 1024;

  /** Largest {@code lateSeconds} (one year). */
  public static final long MAX_LATE_SECONDS = 365L * 24 * 3600;

  /** Largest {@code startEpochSeconds} (ten digits keep the timestamps in range). */
  public static final long MAX_START_EPOCH_SECONDS = 9_999_999_999L;

  /** Smallest {@code tracesPerSecond}; keeps event time far from overflow. */
  public static final double MIN_TRACES_PER_SECOND = 0.001;

  /** Largest {@code tracesPerSecond}. */
  public static final double MAX_TRACES_PER_SECOND = 1_000_000_000;

  public GeneratorOptions {
    List<ConfigProblem> problems = new ArrayList<>();
    atLeast(problems, "traces", traces, 1);
    between(problems, "spansPerTrace", spansPerTrace, 1, MAX_SPANS_PER_TRACE);
    atLeast(problems, "depth", depth, 1);
    atLeast(problems, "fanOut", fanOut, 1);
    between(problems, "minSpanBytes", minSpanBytes, 1, MAX_SPAN_BYTES_LIMIT);
    between(problems, "maxSpanBytes", maxSpanBytes, 1, MAX_SPAN_BYTES_LIMIT);
    if (maxSpanBytes < minSpanBytes) {
      problems.add(
          new ConfigProblem("maxSpanBytes", "be >= {minSpanBytes} (" + minSpanBytes + ")", maxSpanBytes));
    }
    atLeast(problems, "projects", projects, 1);
    fraction(problems, "outOfOrder", outOfOrder);
    fraction(problems, "late", late);
    between(problems, "lateSeconds", lateSeconds, 0, MAX_LATE_SECONDS);
    fraction(problems, "serviceEntries", serviceEntries);
    atLeast(problems, "concurrentTraces", concurrentTraces, 1);
    between(problems, "startEpochSeconds", startEpochSeconds, 0, MAX_START_EPOCH_SECONDS);
    if (!(tracesPerSecond >= MIN_TRACES_PER_SECOND && tracesPerSecond <= MAX_TRACES_PER_SECOND)) {
      problems.add(
          new ConfigProblem(
              "tracesPerSecond",
              "be between " + MIN_TRACES_PER_SECOND + " and " + (long) MAX_TRACES_PER_SECOND,
              tracesPerSecond));
    }
    ConfigException.throwIfAny(problems);
  }

  /** The defaults: {@code builder().build()}. */
  public static GeneratorOptions defaults() {
    return builder().build();
  }

  /** A builder holding the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding these options. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** Total number of spans the generator emits: {@code traces * spansPerTrace}. */
  public long totalSpans() {
    return (long) traces * spansPerTrace;
  }

  private static void atLeast(List<ConfigProblem> problems, String name, long value, long min) {
    if (value < min) {
      problems.add(new ConfigProblem(name, "be >= " + min, value));
    }
  }

  private static void between(List<ConfigProblem> problems, String name, long value, long min, long max) {
    if (value < min || value > max) {
      problems.add(new ConfigProblem(name, "be between " + min + " and " + max, value));
    }
  }

  private static void fraction(List<ConfigProblem> problems, String name, double value) {
    if (!(value >= 0 && value <= 1)) {
      problems.add(new ConfigProblem(name, "be between 0 and 1", value));
    }
  }

  /** Mutable builder of {@link GeneratorOptions}; setters have no {@code set} prefix. */
  public static final class Builder {
    private long seed = DEFAULT_SEED;
    private int traces = DEFAULT_TRACES;
    private int spansPerTrace = DEFAULT_SPANS_PER_TRACE;
    private int depth = DEFAULT_DEPTH;
    private int fanOut = DEFAULT_FAN_OUT;
    private int minSpanBytes = DEFAULT_MIN_SPAN_BYTES;
    private int maxSpanBytes = DEFAULT_MAX_SPAN_BYTES;
    private int projects = DEFAULT_PROJECTS;
    private double outOfOrder = DEFAULT_OUT_OF_ORDER;
    private double late = DEFAULT_LATE;
    private long lateSeconds = DEFAULT_LATE_SECONDS;
    private double serviceEntries = DEFAULT_SERVICE_ENTRIES;
    private int concurrentTraces = DEFAULT_CONCURRENT_TRACES;
    private long startEpochSeconds = DEFAULT_START_EPOCH_SECONDS;
    private double tracesPerSecond = DEFAULT_TRACES_PER_SECOND;
    private boolean unicode = DEFAULT_UNICODE;

    private Builder() {}

    private Builder(GeneratorOptions o) {
      seed = o.seed;
      traces = o.traces;
      spansPerTrace = o.spansPerTrace;
      depth = o.depth;
      fanOut = o.fanOut;
      minSpanBytes = o.minSpanBytes;
      maxSpanBytes = o.maxSpanBytes;
      projects = o.projects;
      outOfOrder = o.outOfOrder;
      late = o.late;
      lateSeconds = o.lateSeconds;
      serviceEntries = o.serviceEntries;
      concurrentTraces = o.concurrentTraces;
      startEpochSeconds = o.startEpochSeconds;
      tracesPerSecond = o.tracesPerSecond;
      unicode = o.unicode;
    }

    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    public Builder traces(int traces) {
      this.traces = traces;
      return this;
    }

    public Builder spansPerTrace(int spansPerTrace) {
      this.spansPerTrace = spansPerTrace;
      return this;
    }

    public Builder depth(int depth) {
      this.depth = depth;
      return this;
    }

    public Builder fanOut(int fanOut) {
      this.fanOut = fanOut;
      return this;
    }

    public Builder minSpanBytes(int minSpanBytes) {
      this.minSpanBytes = minSpanBytes;
      return this;
    }

    public Builder maxSpanBytes(int maxSpanBytes) {
      this.maxSpanBytes = maxSpanBytes;
      return this;
    }

    /** Sets both {@code minSpanBytes} and {@code maxSpanBytes}. */
    public Builder spanBytes(int minSpanBytes, int maxSpanBytes) {
      this.minSpanBytes = minSpanBytes;
      this.maxSpanBytes = maxSpanBytes;
      return this;
    }

    public Builder projects(int projects) {
      this.projects = projects;
      return this;
    }

    public Builder outOfOrder(double outOfOrder) {
      this.outOfOrder = outOfOrder;
      return this;
    }

    public Builder late(double late) {
      this.late = late;
      return this;
    }

    public Builder lateSeconds(long lateSeconds) {
      this.lateSeconds = lateSeconds;
      return this;
    }

    public Builder serviceEntries(double serviceEntries) {
      this.serviceEntries = serviceEntries;
      return this;
    }

    public Builder concurrentTraces(int concurrentTraces) {
      this.concurrentTraces = concurrentTraces;
      return this;
    }

    public Builder startEpochSeconds(long startEpochSeconds) {
      this.startEpochSeconds = startEpochSeconds;
      return this;
    }

    public Builder tracesPerSecond(double tracesPerSecond) {
      this.tracesPerSecond = tracesPerSecond;
      return this;
    }

    public Builder unicode(boolean unicode) {
      this.unicode = unicode;
      return this;
    }

    /**
     * Builds the options.
     *
     * @throws IllegalArgumentException listing every invalid value
     */
    public GeneratorOptions build() {
      return new GeneratorOptions(
          seed,
          traces,
          spansPerTrace,
          depth,
          fanOut,
          minSpanBytes,
          maxSpanBytes,
          projects,
          outOfOrder,
          late,
          lateSeconds,
          serviceEntries,
          concurrentTraces,
          startEpochSeconds,
          tracesPerSecond,
          unicode);
    }
  }
}
